#!/bin/sh
# lilv's lv2apply (which knows no presets and runs one frame at a time)
# renders hot pink noise through every variant with every preset's
# controls set by -c; each result must pass tguard-render --check against
# that preset's limits. The unprocessed input must fail the same check.
# One more render sets a binding v_peak, which must hold.
CHECK=lv2apply
. "$(dirname "$0")/common.sh"
need lv2apply lilv-utils

# The input: built-in pink noise at +12 dBFS RMS through tguard with every
# limit and filter open, so only full scale (the final clamp) bounds it.
open="-c i_peak_ma=10000 -c i_rms_ma=10000 -c hpf_order=0 -c lpf_order=0 -c ramp_s=0.1"
# shellcheck disable=SC2086
"$RENDER" $open -c mono=0 --signal pink:4 "$TMP/hot2.wav" > /dev/null
# shellcheck disable=SC2086
"$RENDER" $open -u urn:tguard:mono --signal pink:4 "$TMP/hot1.wav" > /dev/null
if "$RENDER" -p urn:tguard:preset:earbud-16 --check "$TMP/hot2.wav" > /dev/null 2>&1; then
	fail "tguard-render --check passes the unprocessed input"
fi
say "ran: lv2apply (lilv-utils $(dpkg-query -W -f '${Version}' lilv-utils 2>/dev/null)); the unprocessed input fails --check, as it must"

n=0
worst=""
for f in $(preset_files); do
	info=$(preset_info "$f")
	uri=$(echo "$info" | cut -f1)
	plugin=$(echo "$info" | cut -f3)
	in=$TMP/hot2.wav
	[ "$plugin" = urn:tguard:mono ] && in=$TMP/hot1.wav
	set --
	while read -r sym val; do set -- "$@" -c "$sym" "$val"; done <<VALUES
$(preset_values "$f")
VALUES
	rm -f "$TMP/out.wav"
	lv2apply -i "$in" -o "$TMP/out.wav" "$@" "$plugin" > "$TMP/log" 2>&1 ||
		{ sed 's/^/    /' "$TMP/log"; fail "lv2apply failed on $plugin with <$uri>"; }
	if grep -i -E 'error|warning' "$TMP/log" > /dev/null; then
		sed 's/^/    /' "$TMP/log"; fail "lv2apply warned on $plugin with <$uri>"
	fi
	out=$("$RENDER" -u "$plugin" -p "$uri" --check "$TMP/out.wav" 2>&1) ||
		{ echo "$out" | sed 's/^/    /'; fail "lv2apply's render through $plugin with <$uri> breaks a limit"; }
	peak=$(echo "$out" | sed -n 's/^output peak: *\([-0-9.]*\).*/\1/p')
	awk -v p="$peak" 'BEGIN { exit !(p > -60) }' || fail "<$uri>: the output is silent ($peak dBFS)"
	echo "    $uri: $(echo "$out" | sed -n 's/^peak current: *//p'), RMS $(echo "$out" | sed -n 's/^highest RMS current: *//p' | sed 's/, tau.*/)/')"
	n=$((n + 1))
done
# The voltage limit through a real host: the earbud preset at v_peak 0.5 V
# (ceiling 0.5 / 2.83 = 0.177, under its current ceiling, 0.72 V) keeps
# 0.5 V, and reaches over 0.4 V, so the check means something.
f=$(preset_file urn:tguard:preset:earbud-16)
set --
while read -r sym val; do
	[ "$sym" = v_peak ] && val=0.5
	set -- "$@" -c "$sym" "$val"
done <<VALUES
$(preset_values "$f")
VALUES
rm -f "$TMP/out.wav"
lv2apply -i "$TMP/hot2.wav" -o "$TMP/out.wav" "$@" urn:tguard:stereo > "$TMP/log" 2>&1 ||
	{ sed 's/^/    /' "$TMP/log"; fail "lv2apply failed with v_peak 0.5"; }
out=$("$RENDER" -p urn:tguard:preset:earbud-16 -c v_peak=0.5 --check "$TMP/out.wav" 2>&1) ||
	{ echo "$out" | sed 's/^/    /'; fail "lv2apply's render with v_peak 0.5 V breaks it"; }
if "$RENDER" -p urn:tguard:preset:earbud-16 -c v_peak=0.4 --check "$TMP/out.wav" > /dev/null 2>&1; then
	fail "the render with v_peak 0.5 V stays under 0.4 V: too quiet to show the limit"
fi
echo "    v_peak 0.5 V: $(echo "$out" | sed -n 's/^peak voltage: *//p')"
pass "$n renders (every preset of the 3 variants, controls by -c) within the peak and RMS limits; v_peak 0.5 V holds"
