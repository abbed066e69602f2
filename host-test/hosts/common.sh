# Shared by the host checks (sourced): paths, a private temporary
# directory, processes to end on exit, results, and the preset values read
# from the bundle's Turtle, which every check compares the host against.
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=$ROOT/build
BUNDLE=$BUILD/tguard.lv2
RENDER=$BUILD/tguard-render
# lilv takes absolute paths only; build/lv2 holds the bundle and nothing else.
export LV2_PATH="$BUILD/lv2"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/tguard-$CHECK.XXXXXX")
PIDS=""

# End only what this check started, by process id.
cleanup() {
	rc=$?
	[ -n "${DONE:-}" ] || echo "FAIL $CHECK: stopped by an unexpected error (exit $rc)"
	for p in $PIDS; do kill "$p" 2>/dev/null || true; done
	for p in $PIDS; do wait "$p" 2>/dev/null || true; done
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say() { echo "  $CHECK: $*"; }
# Results: the driver counts exit 0 as passed, 77 as skipped, others failed.
pass() { DONE=1; echo "PASS $CHECK: $*"; exit 0; }
fail() { DONE=1; echo "FAIL $CHECK: $*"; exit 1; }
skip() { DONE=1; echo "SKIP $CHECK: $*"; exit 77; }
need() { command -v "$1" >/dev/null 2>&1 || skip "$1 is not installed (make deps-hosts installs $2)"; }

[ -f "$BUNDLE/manifest.ttl" ] && [ -x "$RENDER" ] || fail "build first: make"

# Every preset file of the bundle, stereo, mono and sum.
preset_files() { ls "$BUNDLE"/presets/*.ttl; }

# The bundle's file of the preset with this URI.
preset_file() {
	for x in $(preset_files); do
		if [ "$(preset_info "$x" | cut -f1)" = "$1" ]; then echo "$x"; return 0; fi
	done
	return 1
}

# "symbol value" per control of one preset file, sorted by symbol.
preset_values() {
	sordi -i turtle -o ntriples "$1" | awk '
		$2 == "<http://lv2plug.in/ns/lv2core#symbol>" { s[$1] = $3 }
		$2 == "<http://lv2plug.in/ns/ext/presets#value>" { v[$1] = $3 }
		END {
			for (b in s) {
				sym = s[b]; val = v[b]
				gsub(/"/, "", sym); sub(/\^\^.*/, "", val); gsub(/"/, "", val)
				print sym, val
			}
		}' | sort
}

# "URI<tab>label<tab>plugin" of the preset in one file.
preset_info() {
	sordi -i turtle -o ntriples "$1" | awk '
		$2 == "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>" &&
		$3 == "<http://lv2plug.in/ns/ext/presets#Preset>" { p = $1 }
		$2 == "<http://lv2plug.in/ns/lv2core#appliesTo>" { plug[$1] = $3 }
		$2 == "<http://www.w3.org/2000/01/rdf-schema#label>" {
			l = $0; sub(/^[^ ]+ [^ ]+ "/, "", l); sub(/" \.$/, "", l); label[$1] = l
		}
		END { u = p; gsub(/[<>]/, "", u); q = plug[p]; gsub(/[<>]/, "", q); print u "\t" label[p] "\t" q }'
}

# Compare "symbol value" lines (file $2, from a host) with the preset
# (file $1); prints the differences, fails when there is one.
same_values() {
	awk 'NR == FNR { want[$1] = $2; next }
		{ got[$1] = $2 }
		END {
			bad = 0
			for (s in want) {
				d = got[s] - want[s]; if (d < 0) d = -d
				m = want[s] < 0 ? -want[s] : want[s]; if (m < 1) m = 1
				if (!(s in got) || d > 1e-5 * m) { print "    " s ": host " got[s] ", preset " want[s]; bad = 1 }
			}
			exit bad
		}' "$1" "$2"
}
