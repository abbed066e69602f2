#!/bin/sh
# The Windows build under wine: make win-hosts dist-win cross-compiles the
# bundle and zips it (its DLL checked: lv2_descriptor alone exported, only
# Windows' own DLLs imported), and builds the test host
# (host-test/win/winhost.c), whose Linux twin runs the Linux build on the
# same cases. Wine runs the DLL as it ships, from the zip's tree. Under wine64, headless, in a
# private prefix: every plugin, preset, rate and block size within the
# invariants; then both runs' outputs compared sample by sample.
#
# The tolerance, 1e-6 (-120 dBFS, 17 float steps at full scale): the two
# builds run the same code on the same CPU, so the same SIMD paths (the
# dispatch reads the CPU, not the system); what differs is the C library,
# which the DSP asks only for coefficients (tan, exp, log10), in double,
# then rounds to float. A last-bit difference there moves an output by a
# float step or two: the Linux build with FMA contraction off in the
# filters (build/contract-off), a rounding change at every filter step,
# moves 108 of the 162 cases by at most 5.96e-8, one float step. Measured
# under wine: bit-identical. Safety does not rest on the tolerance: the
# invariants are checked on each system's own output.
CHECK=wine
. "$(dirname "$0")/common.sh"
TOLERANCE=1e-6
need x86_64-w64-mingw32-gcc gcc-mingw-w64-x86-64
# Debian's wine64 keeps the loader out of PATH (the wine package adds the
# wrapper); either will do.
WINE=${WINE:-}
[ -n "$WINE" ] || WINE=$(command -v wine64 2>/dev/null || true)
[ -n "$WINE" ] || { [ -x /usr/lib/wine/wine64 ] && WINE=/usr/lib/wine/wine64; } || true
[ -n "$WINE" ] || skip "wine64 is not installed (make deps-hosts installs wine64)"
WINESERVER=$(dirname "$WINE")/wineserver
[ -x "$WINESERVER" ] || WINESERVER=$(command -v wineserver 2>/dev/null || echo wineserver)

start=$(date +%s)
make --no-print-directory -C "$ROOT" win-hosts dist-win > "$TMP/make.log" 2>&1 ||
	{ tail -n 30 "$TMP/make.log" | sed 's/^/    /'; fail "make win-hosts dist-win failed"; }
# What ships: the zip's tree, its DLL stripped of the debug information.
v=$(sed -n 's/^VERSION = //p' "$ROOT/Makefile")
zip=$BUILD/win/tguard-$v-win64.zip
[ -f "$zip" ] || fail "make dist-win wrote no $zip"
zip -sf "$zip" | sed -n 's/^  //p' > "$TMP/zip.list"
for f in INSTALL.txt tguard.lv2/manifest.ttl tguard.lv2/tguard.ttl tguard.lv2/tguard.dll; do
	grep -qx "tguard-$v-win64/$f" "$TMP/zip.list" || fail "$f is not in $zip"
done
n=$(grep -c "^tguard-$v-win64/tguard.lv2/presets/.*\.ttl$" "$TMP/zip.list")
want=$(( 3 * $(ls "$ROOT"/presets/*.ttl | wc -l) ))
[ "$n" = "$want" ] || fail "$n of $want presets in $zip"
say "make dist-win: $zip, $(wc -l < "$TMP/zip.list") files, $(du -k "$zip" | cut -f1) KiB"
dll=$BUILD/win/dist/tguard-$v-win64/tguard.lv2/tguard.dll
sh "$ROOT/host-test/win/check-dll.sh" x86_64-w64-mingw32-objdump "$dll" -v > "$TMP/dll.log" 2>&1 ||
	{ cat "$TMP/dll.log"; fail "the DLL's exports or imports"; }
say "built in $(( $(date +%s) - start )) s: $(tail -n 1 "$TMP/dll.log" | sed 's/^dll: [^ ]* //')"
grep -q '<tguard\.dll>' "$(dirname "$dll")/manifest.ttl" || fail "the Windows manifest does not name tguard.dll"
# The URIs the test host instantiates (ports.h) are the ones the Turtle declares.
for u in stereo mono sum; do
	grep -q "^<urn:tguard:$u>" "$(dirname "$dll")/manifest.ttl" || fail "the manifest does not declare urn:tguard:$u"
done

# A prefix of our own, kept under build/ (made once, about 10 s); no
# display: wine runs a console program without one. No Mono or Gecko:
# wineboot would offer to download them, which cannot work here and is not
# needed by a plain C program.
export WINEPREFIX="$BUILD/win/wineprefix" WINEDEBUG=-all WINEARCH=win64 WINEDLLOVERRIDES="mscoree,mshtml="
unset DISPLAY WAYLAND_DISPLAY
# This prefix's server alone, which wine leaves running for a few seconds.
stop_wineserver() { "$WINESERVER" -k 2>/dev/null || true; }
trap 'rc=$?; stop_wineserver; (exit $rc); cleanup' EXIT
if [ ! -f "$WINEPREFIX/system.reg" ]; then
	t=$(date +%s)
	"$WINE" wineboot --init > "$TMP/wineboot.log" 2>&1 || { cat "$TMP/wineboot.log"; fail "wineboot could not make a prefix"; }
	say "made the wine prefix $WINEPREFIX in $(( $(date +%s) - t )) s"
fi
say "ran: $("$WINE" --version 2>/dev/null || echo wine) ($WINE), headless"

# Wine reaches the Unix tree as drive Z:.
winpath() { printf 'Z:%s' "$1" | tr / '\\'; }
mkdir -p "$TMP/linux" "$TMP/win"
t=$(date +%s)
"$BUILD/winhost" run "$BUNDLE/tguard.so" "$TMP/linux" > "$TMP/linux.log" 2>&1 ||
	{ grep -v '^$' "$TMP/linux.log" | tail -n 20 | sed 's/^/    /'; fail "the Linux build broke an invariant"; }
linux_s=$(( $(date +%s) - t ))
t=$(date +%s)
"$WINE" "$BUILD/win/winhost.exe" run "$(winpath "$dll")" "$(winpath "$TMP/win")" > "$TMP/win.log" 2>&1
rc=$?
wine_s=$(( $(date +%s) - t ))
tr -d '\r' < "$TMP/win.log" > "$TMP/win.txt"
if [ $rc -ne 0 ] || ! grep -Eq '^[0-9]+ passed, 0 failed$' "$TMP/win.txt"; then
	tail -n 20 "$TMP/win.txt" | sed 's/^/    /'
	fail "under wine: exit $rc"
fi
say "Linux: $(sed -n 's/^winhost: \([0-9]\)/\1/p' "$TMP/linux.log") (wall ${linux_s} s)"
say "wine:  $(sed -n 's/^winhost: \([0-9]\)/\1/p' "$TMP/win.txt") (wall ${wine_s} s, wine's start-up included)"
say "$(sed -n 's/^winhost: seconds/Linux seconds/p' "$TMP/linux.log"); $(sed -n 's/^winhost: seconds/wine/p' "$TMP/win.txt")"
"$BUILD/winhost" compare "$TMP/linux" "$TMP/win" "$TOLERANCE" > "$TMP/compare.log" 2>&1 ||
	{ grep -E '^FAIL' "$TMP/compare.log" | head -n 20 | sed 's/^/    /'; tail -n 2 "$TMP/compare.log" | sed 's/^/    /'; fail "the Windows and Linux outputs differ"; }
# The run's figures, for the record: build/win/wine-compare.txt.
cp "$TMP/compare.log" "$BUILD/win/wine-compare.txt"
say "$(sed -n 's/^compare: //p' "$TMP/compare.log")"
pass "$(sed -n 's/^\([0-9]*\) passed.*/\1/p' "$TMP/win.txt") cases under wine within the invariants, the same as Linux's within $TOLERANCE"
