#!/bin/sh
# The documentation holds together: the README stays short, gives the two
# commands and a presets table that agrees with presets/, every page of
# docs/ is linked from the README and ARCHITECTURE.md, and every relative
# link of README.md, ARCHITECTURE.md, SAFETY.md and docs/*.md resolves: the
# file exists and so does the #anchor (GitHub's: the heading lowercased,
# spaces to hyphens, punctuation dropped; non-ASCII characters are taken
# as punctuation, which holds for the headings' dashes and ellipses).
#   sh host-test/tests/check-docs.sh      (from the source tree)
# Each check counts once in greatest's "Pass: P, fail: F" line, which make
# check adds up; exit 1 on a failure.
set -u
cd "$(dirname "$0")/../.."
README_MAX=250
passed=0 failed=0
ok() { passed=$((passed + 1)); echo "ok: $*"; }
bad() { failed=$((failed + 1)); echo "FAIL: $*"; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/tguard-docs.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

n=$(wc -l < README.md)
if [ "$n" -le $README_MAX ]; then
	ok "README.md has $n lines (at most $README_MAX; the rest is in docs/)"
else
	bad "README.md has $n lines, over $README_MAX: move the detail to a page of docs/"
fi

# The two commands, as a fresh Debian machine runs them (.ci/run).
missing=""
for cmd in 'make demo     # installs missing Debian packages, builds, shows a preset limiting loud noise' \
	'make check    # builds with warnings as errors and runs every test'; do
	grep -qxF "$cmd" README.md || missing="$missing \"$(echo "$cmd" | sed 's/ *#.*//')\""
done
if [ -z "$missing" ]; then ok "README.md gives make demo and make check"; else bad "README.md lacks$missing"; fi

# The GitHub anchors of a page's headings, outside fenced code.
anchors() {
	LC_ALL=C awk '
		/^```/ { fence = !fence; next }
		fence || !/^#+ / { next }
		{
			h = $0; sub(/^#+ +/, "", h); h = tolower(h)
			gsub(/[^a-z0-9 _-]/, "", h); gsub(/ /, "-", h)
			a = h; if (h in seen) a = h "-" seen[h]; seen[h]++
			print a
		}' "$1"
}

# The relative link targets of a page, outside fenced code.
links() {
	awk '
		/^```/ { fence = !fence; next }
		fence { next }
		{
			s = $0
			while (match(s, /\]\([^) ]+\)/)) {
				print substr(s, RSTART + 2, RLENGTH - 3)
				s = substr(s, RSTART + RLENGTH)
			}
		}' "$1" | grep -vE '^(https?|mailto):'
}

for page in README.md ARCHITECTURE.md SAFETY.md docs/*.md; do
	dir=$(dirname "$page")
	count=0 broken=""
	for link in $(links "$page"); do
		count=$((count + 1))
		path=${link%%#*}
		anchor=""
		case $link in *"#"*) anchor=${link#*#} ;; esac
		if [ -z "$path" ]; then target=$page; else target=$dir/$path; fi
		if [ ! -e "$target" ]; then
			broken="$broken $link"
		elif [ -n "$anchor" ] && ! anchors "$target" | grep -qxF "$anchor"; then
			broken="$broken $link"
		fi
	done
	if [ -z "$broken" ]; then
		ok "$page: its $count relative links resolve"
	else
		bad "$page: broken links (no such file or #anchor):$broken"
	fi
done

# Every page of docs/ is reachable from the README and from ARCHITECTURE.md.
for page in README.md ARCHITECTURE.md; do
	links "$page" | sed 's/#.*//' | sort -u > "$tmp/linked"
	missing=""
	for doc in docs/*.md; do
		grep -qxF "$doc" "$tmp/linked" || missing="$missing $doc"
	done
	if [ -z "$missing" ]; then ok "$page links every page of docs/"; else bad "$page does not link$missing"; fi
done

# The README's presets table against presets/: each stereo preset is a row
# with its bank, impedance, vfs, current limits and voltage limit.
rows=0 wrong=""
for src in presets/*.ttl; do
	line=$(awk -F '"' '
		/a pset:Bank/ { bank = $2 }
		/^\trdfs:label/ { label = $2 }
		/lv2:symbol/ { v[$2] = $0; sub(/.*pset:value /, "", v[$2]); sub(/ .*/, "", v[$2]) }
		END {
			printf "| %s | %s | %g Ω | %g V | %g / %g mA | %g V", label, bank, v["z_ohm"], v["vfs"],
				v["i_peak_ma"], v["i_rms_ma"], v["v_peak"]
		}' "$src")
	label=$(echo "$line" | cut -d '|' -f 2 | sed 's/^ //; s/ $//')
	row=$(grep -F "| $label |" README.md | head -n 1)
	# The table may add a note after a figure: "200 Ω (at resonance)".
	figures=$(echo "$row" | cut -d '|' -f 4-8 | sed -E 's/ \([^)|]*\) \|/ |/g' | cut -d '|' -f 1-4 | sed 's/ *$//')
	got="$(echo "$row" | cut -d '|' -f 1-3)|$figures"
	rows=$((rows + 1))
	[ "$got" = "$line" ] || wrong="$wrong
    want $line
    got  $got"
done
if [ -z "$wrong" ]; then
	ok "README.md's presets table agrees with the $rows presets of presets/"
else
	bad "README.md's presets table differs from presets/:$wrong"
fi

echo "Pass: $passed, fail: $failed, skip: 0."
[ $failed -eq 0 ]
