#!/bin/sh
# The Debian package (make deb) on this system: dpkg -i, then lilv finds
# the three plugins and 24 presets in /usr/lib/lv2 with no LV2_PATH, the
# installed tguard-render renders through a preset and passes its own
# --check, lv2_validate passes the installed bundle; dpkg --purge leaves
# nothing behind. It installs system-wide, so it needs root or sudo
# without a password, and skips otherwise. TGUARD_DEB=FILE checks
# that .deb; otherwise build/tguard_VERSION_ARCH.deb, rebuilt (make deb,
# nocheck) when missing or older than the sources.
CHECK=deb
. "$(dirname "$0")/common.sh"
unset LV2_PATH
need dpkg-deb dpkg
need lv2ls lilv-utils
need lv2_validate lv2-dev
need sord_validate sordi
SUDO=""
if [ "$(id -u)" != 0 ]; then
	command -v sudo > /dev/null 2>&1 && sudo -n true 2> /dev/null ||
		skip "installs into /usr: needs root, or sudo without a password"
	SUDO=sudo
fi
# lilv without LV2_PATH, and without the user's ~/.lv2.
home=$TMP/home
mkdir -p "$home"
lilv() { env -u LV2_PATH HOME="$home" "$@"; }

# Never remove what this check did not install.
st=$(dpkg-query -W -f='${Status}' tguard 2> /dev/null || true)
case $st in "" | *not-installed) ;; *) skip "the tguard package is on this system already ($st): the check would remove it" ;; esac
found=$(lilv lv2ls | grep '^urn:tguard:' || true)
[ -z "$found" ] || skip "lilv finds tguard already ($(lilv lv2info urn:tguard:stereo | sed -n 's/^	Bundle: *//p')): the package's copy could not be told apart"

v=$(sed -n 's/^VERSION = //p' "$ROOT/Makefile")
arch=$(dpkg --print-architecture)
deb=${TGUARD_DEB:-$BUILD/tguard_${v}_$arch.deb}
if [ -z "${TGUARD_DEB:-}" ]; then
	newer=""
	[ -f "$deb" ] && newer=$(cd "$ROOT" && find Makefile README.md SAFETY.md docs debian plugin ttl presets \
		host-test/lib host-test/tguard-render -type f -newer "$deb" | head -n 1)
	if [ ! -f "$deb" ] || [ -n "$newer" ]; then
		say "building $(basename "$deb") (make deb, nocheck)${newer:+: $newer is newer}"
		DEB_BUILD_OPTIONS="nocheck ${DEB_BUILD_OPTIONS:-}" make --no-print-directory -C "$ROOT" deb > "$TMP/deb.log" 2>&1 ||
			{ tail -n 30 "$TMP/deb.log" | sed 's/^/    /'; fail "make deb failed"; }
	fi
fi
[ -f "$deb" ] || fail "no $deb"

# The package's paths, and which of them the system has already (/usr,
# /usr/lib, ...): after the purge those must remain, the others be gone.
dpkg-deb --fsys-tarfile "$deb" | tar -tf - | sed -e 's,^\./,/,' -e 's,/$,,' | grep . | LC_ALL=C sort > "$TMP/paths"
: > "$TMP/existed"
while read -r p; do
	if [ -e "$p" ]; then echo "$p" >> "$TMP/existed"; fi
done < "$TMP/paths"
ls -A /usr/lib/lv2 > "$TMP/lv2-before"

# From here on, whatever happens, the package is purged on exit.
INSTALLED=""
on_exit() {
	rc=$?
	if [ -n "$INSTALLED" ]; then
		$SUDO dpkg --purge tguard > "$TMP/purge.log" 2>&1 || echo "  deb: dpkg --purge tguard failed"
	fi
	(exit $rc)
	cleanup
}
trap on_exit EXIT
INSTALLED=1
$SUDO dpkg -i "$deb" > "$TMP/install.log" 2>&1 || { sed 's/^/    /' "$TMP/install.log"; fail "dpkg -i $deb failed"; }
nfiles=$(dpkg -L tguard | while read -r p; do [ -f "$p" ] && echo "$p"; done | wc -l)
say "ran: dpkg -i $(basename "$deb"): $nfiles files, $(dpkg-query -W -f='${Installed-Size}' tguard) KiB"
for f in /usr/lib/lv2/tguard.lv2/manifest.ttl /usr/lib/lv2/tguard.lv2/tguard.ttl /usr/lib/lv2/tguard.lv2/tguard.so \
	/usr/bin/tguard-render /usr/share/man/man1/tguard-render.1.gz /usr/share/doc/tguard/copyright; do
	[ -f "$f" ] || fail "the package did not install $f"
done
# The documentation (debian/rules): README.md, SAFETY.md and docs/ as in
# the source tree, uncompressed, so that every relative link of the README
# and of the docs pages that stays inside docs/ resolves where it is installed.
doc=/usr/share/doc/tguard
for f in README.md SAFETY.md $(cd "$ROOT" && ls docs/*.md); do
	[ -f "$doc/$f" ] || fail "the package did not install $doc/$f"
done
nlinks=0 broken=""
for page in "$doc/README.md" "$doc"/docs/*.md; do
	for l in $(grep -oE '\]\([^)#: ]+(#[^)]*)?\)' "$page" | sed -e 's/^](//' -e 's/)$//' -e 's/#.*//' | sort -u); do
		t=$(dirname "$page")/$l
		case $t in "$doc"/*/../../*) continue ;; esac # out of the doc tree: the source's files
		case $(cd "$(dirname "$t")" 2> /dev/null && pwd)/ in "$doc"/*) ;; *) continue ;; esac
		nlinks=$((nlinks + 1))
		[ -e "$t" ] || broken="$broken ${page#$doc/}:$l"
	done
done
[ -z "$broken" ] || fail "links that do not resolve in $doc:$broken"
say "ran: $doc: README.md, SAFETY.md and $(ls "$doc"/docs/*.md | wc -l) docs pages; $nlinks links inside the tree resolve"
# The installed man page, as man finds it (no MANPATH), and --version.
if command -v man > /dev/null 2>&1; then
	MANWIDTH=80 man --warnings -E UTF-8 tguard-render > "$TMP/man.txt" 2> "$TMP/man.err" ||
		{ cat "$TMP/man.err"; fail "man tguard-render failed"; }
	[ ! -s "$TMP/man.err" ] || { sed 's/^/    /' "$TMP/man.err"; fail "man --warnings tguard-render warns"; }
	grep -q 'tguard-render' "$TMP/man.txt" || fail "man tguard-render shows no tguard-render"
fi
v=$(/usr/bin/tguard-render --version) || fail "/usr/bin/tguard-render --version failed"
case $v in *"$(dpkg-query -W -f='${Version}' tguard)"*) ;; *) fail "--version says \"$v\", the package $(dpkg-query -W -f='${Version}' tguard)" ;; esac
say "ran: $(if [ -s "$TMP/man.txt" ]; then echo "man --warnings tguard-render: $(wc -l < "$TMP/man.txt") lines, no warnings; "; fi)tguard-render --version: $v"
[ -x /usr/bin/tguard-render ] || fail "/usr/bin/tguard-render is not executable"

# lilv, with no LV2_PATH: the plugins from /usr/lib/lv2, and their presets
# against the labels of the build's preset files for each plugin.
lilv lv2ls | grep '^urn:tguard:' | LC_ALL=C sort > "$TMP/lv2ls"
printf 'urn:tguard:mono\nurn:tguard:stereo\nurn:tguard:sum\n' | cmp -s - "$TMP/lv2ls" ||
	{ sed 's/^/    lv2ls: /' "$TMP/lv2ls"; fail "lv2ls without LV2_PATH does not list exactly the 3 tguard plugins"; }
for x in $(preset_files); do preset_info "$x"; done > "$TMP/presets"
npresets=0
for p in stereo mono sum; do
	lilv lv2info "urn:tguard:$p" > "$TMP/info-$p"
	grep -q '^	Bundle: *file:///usr/lib/lv2/tguard.lv2/$' "$TMP/info-$p" ||
		fail "lv2info urn:tguard:$p: the bundle is not /usr/lib/lv2/tguard.lv2/"
	awk '/^\tPresets:/ { on = 1; next } on && /^[ \t]*$/ { exit } on { sub(/^[ \t]+/, ""); print }' "$TMP/info-$p" |
		LC_ALL=C sort > "$TMP/got-$p"
	awk -F '\t' -v p="urn:tguard:$p" '$3 == p { print $2 }' "$TMP/presets" | LC_ALL=C sort > "$TMP/want-$p"
	cmp -s "$TMP/want-$p" "$TMP/got-$p" || { diff "$TMP/want-$p" "$TMP/got-$p" | sed 's/^/    /'; fail "lv2info urn:tguard:$p: the presets differ from the bundle's"; }
	npresets=$((npresets + $(wc -l < "$TMP/got-$p")))
done
[ "$npresets" = 24 ] || fail "lv2info lists $npresets presets, not 24"
say "ran: lv2ls and lv2info with no LV2_PATH: the 3 plugins in /usr/lib/lv2/tguard.lv2/, $npresets presets (8 each, the bundle's labels)"

# The installed tguard-render (no bundle beside it: lilv's standard paths)
# through a preset, checked by itself and held to the build's figures.
preset="Dynamic microphone as speaker"
lilv /usr/bin/tguard-render -p "$preset" --signal pink:4 --report=json "$TMP/pink.wav" > "$TMP/inst.json" 2> "$TMP/inst.err" ||
	{ cat "$TMP/inst.err"; fail "/usr/bin/tguard-render -p \"$preset\" failed"; }
lilv /usr/bin/tguard-render -p "$preset" --check "$TMP/pink.wav" > "$TMP/check.txt" 2>&1 ||
	{ sed 's/^/    /' "$TMP/check.txt"; fail "/usr/bin/tguard-render --check fails its own render"; }
"$RENDER" -p "$preset" --signal pink:4 --report=json "$TMP/pink-build.wav" > "$TMP/build.json" 2> /dev/null ||
	fail "build/tguard-render -p \"$preset\" failed"
fig() { tr ',{}' '\n\n\n' < "$1" | sed -n "s/^ *\"$2\": *//p"; }
for k in peak_ma rms_ma gr_db; do
	a=$(fig "$TMP/inst.json" $k) b=$(fig "$TMP/build.json" $k)
	awk -v a="$a" -v b="$b" 'BEGIN { d = a - b; if (d < 0) d = -d; m = b < 0 ? -b : b; exit !(a != "" && d <= 1e-3 * m + 1e-4) }' ||
		fail "$k: installed $a, build $b"
done
say "ran: /usr/bin/tguard-render -p \"$preset\" --signal pink:4: peak $(fig "$TMP/inst.json" peak_ma) of $(fig "$TMP/inst.json" peak_limit_ma) mA," \
	"RMS $(fig "$TMP/inst.json" rms_ma) of $(fig "$TMP/inst.json" rms_limit_ma) mA, gain reduction $(fig "$TMP/inst.json" gr_db) dB" \
	"(build: $(fig "$TMP/build.json" peak_ma), $(fig "$TMP/build.json" rms_ma), $(fig "$TMP/build.json" gr_db)); --check: $(sed -n 's/^result: *//p' "$TMP/check.txt")"

(cd /usr/lib/lv2/tguard.lv2 && lv2_validate manifest.ttl tguard.ttl presets/*.ttl) > "$TMP/validate.txt" 2>&1 || true
grep -q '^Found 0 errors' "$TMP/validate.txt" || { sed 's/^/    /' "$TMP/validate.txt"; fail "lv2_validate on /usr/lib/lv2/tguard.lv2"; }
say "ran: lv2_validate /usr/lib/lv2/tguard.lv2: $(grep '^Found' "$TMP/validate.txt")"

# Purge, and look for what is left.
$SUDO dpkg --purge tguard > "$TMP/purge.log" 2>&1 || { sed 's/^/    /' "$TMP/purge.log"; fail "dpkg --purge tguard failed"; }
INSTALLED=""
st=$(dpkg-query -W -f='${Status}' tguard 2> /dev/null || true)
case $st in "" | *not-installed) ;; *) fail "after dpkg --purge, tguard is \"$st\"" ;; esac
left=""
while read -r p; do
	if grep -qxF "$p" "$TMP/existed"; then
		[ -e "$p" ] || left="$left (gone: $p)"
	elif [ -e "$p" ] || [ -L "$p" ]; then
		left="$left $p"
	fi
done < "$TMP/paths"
for f in /var/lib/dpkg/info/tguard.*; do [ ! -e "$f" ] || left="$left $f"; done
ls -A /usr/lib/lv2 | cmp -s "$TMP/lv2-before" - || left="$left (/usr/lib/lv2 differs)"
[ -z "$left" ] || fail "left behind:$left"
[ -z "$(lilv lv2ls | grep '^urn:tguard:' || true)" ] || fail "lv2ls still finds tguard after the purge"
say "ran: dpkg --purge tguard: none of its $(wc -l < "$TMP/paths") paths left (the $(wc -l < "$TMP/existed") shared directories kept), no dpkg records, lv2ls finds no tguard"
pass "$(basename "$deb") installs, is found by lilv in /usr/lib/lv2 with its 24 presets, renders, validates, and purges clean"
