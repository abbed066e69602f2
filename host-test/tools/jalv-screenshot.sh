#!/bin/sh
# A screenshot of jalv.gtk3's generic interface for one tguard plugin, so
# that docs/hosts.md shows users what they will get. Everything is private
# and headless: an Xvfb display of its own, a JACK dummy server of its own
# name, the build's bundle alone on LV2_PATH. `make screenshot` runs it.
#
#   host-test/tools/jalv-screenshot.sh [URI] [OUT.png]
#   (default: urn:tguard:stereo docs/jalv-stereo.png)
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
URI=${1:-urn:tguard:stereo}
OUT=${2:-$ROOT/docs/jalv-stereo.png}
for t in Xvfb jalv.gtk3 jackd jack_wait xdotool xwd import; do
	command -v "$t" > /dev/null 2>&1 || {
		echo "error: $t not found (make screenshot installs xvfb jalv jackd2 xdotool x11-apps imagemagick)"
		exit 1
	}
done
[ -f "$ROOT/build/lv2/tguard.lv2/manifest.ttl" ] || { echo "error: build first: make"; exit 1; }

TMP=$(mktemp -d "${TMPDIR:-/tmp}/tguard-shot.XXXXXX")
PIDS=""
# End only what this script started, by process id, newest first.
cleanup() {
	for p in $PIDS; do kill "$p" 2> /dev/null || true; done
	for p in $PIDS; do wait "$p" 2> /dev/null || true; done
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
fail() {
	echo "error: $*"
	for f in xvfb jackd jalv; do [ -s "$TMP/$f.log" ] && sed "s/^/    $f: /" "$TMP/$f.log"; done
	exit 1
}
# Poll COMMAND every 0.1 s for up to SECONDS.
wait_for() { # SECONDS COMMAND...
	n=$(($1 * 10)); shift
	until "$@"; do
		n=$((n - 1)); [ $n -gt 0 ] || return 1
		sleep 0.1
	done
}

# Xvfb picks a free display and writes its number to fd 3. The screen is
# taller than the window, so that nothing is cut off.
Xvfb -displayfd 3 -screen 0 1400x1600x24 -nolisten tcp 3> "$TMP/display" > "$TMP/xvfb.log" 2>&1 &
PIDS="$!"
wait_for 10 test -s "$TMP/display" || fail "Xvfb did not start"
DISPLAY=:$(cat "$TMP/display")
export DISPLAY

# A JACK server of our own, without realtime (containers refuse it) and
# without asking D-Bus for the sound card.
export JACK_DEFAULT_SERVER="tguard-shot-$$" JACK_NO_AUDIO_RESERVATION=1 JACK_NO_START_SERVER=1
jackd --no-realtime -n "$JACK_DEFAULT_SERVER" -d dummy -r 48000 -p 1024 > "$TMP/jackd.log" 2>&1 &
PIDS="$! $PIDS"
jack_wait -w -t 10 > /dev/null 2>&1 || fail "jackd -d dummy did not start"

# No accessibility bus or dconf in a bare session: keep GTK from looking.
LV2_PATH="$ROOT/build/lv2" NO_AT_BRIDGE=1 GSETTINGS_BACKEND=memory GDK_BACKEND=x11 \
	jalv.gtk3 --generic-ui --jack-name=tguard "$URI" > "$TMP/jalv.log" 2>&1 < /dev/null &
JALV=$!
PIDS="$JALV $PIDS"
find_window() {
	WID=$(xdotool search --onlyvisible --pid "$JALV" 2> /dev/null | head -n 1)
	[ -n "$WID" ]
}
wait_for 15 find_window || fail "no jalv.gtk3 window after 15 s"

# Shoot once the window stops changing: the soft-start meter moves for a
# while after loading, and GTK draws in steps.
last="" same=0 n=0
while [ $same -lt 2 ]; do
	n=$((n + 1)); [ $n -le 60 ] || fail "the window kept changing for 12 s"
	kill -0 "$JALV" 2> /dev/null || fail "jalv.gtk3 exited"
	sleep 0.2
	sum=$(xwd -silent -id "$WID" 2> /dev/null | cksum) || continue
	if [ "$sum" = "$last" ]; then same=$((same + 1)); else same=0; last=$sum; fi
done
mkdir -p "$(dirname "$OUT")"
# -strip: no time stamps in the file, so an unchanged window gives the same bytes.
import -window "$WID" -strip "$OUT.tmp.png" || fail "import could not grab window $WID"
mv "$OUT.tmp.png" "$OUT"
echo "wrote $OUT ($(xdotool getwindowgeometry "$WID" | sed -n 's/^ *Geometry: //p') px, $URI in jalv.gtk3 $(dpkg-query -W -f '${Version}' jalv 2> /dev/null || echo ?))"
