#!/bin/sh
# Ardour 7 (Debian's ardour, ardour7-lua, "None (Dummy)" backend): every
# stereo factory preset loaded by label must give Ardour the preset's
# control values; Ardour must see the latency and drive enable from its
# bypass; a headless export through each preset must keep the preset's
# current limits (checked with tguard-render --check).
CHECK=ardour
. "$(dirname "$0")/common.sh"
need ardour7-lua ardour
need lv2info lilv-utils

# Ardour keeps its configuration under XDG_CONFIG_HOME: a private one, with
# a float WAV export preset (Ardour's "BWAV 32float Export" format).
export HOME="$TMP/home" XDG_CONFIG_HOME="$TMP/config"
mkdir -p "$HOME" "$XDG_CONFIG_HOME/ardour7/export"
cat > "$XDG_CONFIG_HOME/ardour7/export/tguard-float.preset" <<'XML'
<?xml version="1.0" encoding="UTF-8"?>
<ExportPreset id="6c5e3f0e-2b1a-4c2e-9f4d-7a8b9c0d1e2f" name="tguard float WAV">
  <ExportFormat id="20b4ab09-6452-4cb3-bd66-b921cdbd2942"/>
  <ExportFilename>
    <Folder relative="1" path="export"/>
    <Field name="label" enabled="0"/>
    <Field name="session" enabled="0"/>
    <Field name="snapshot" enabled="0"/>
    <Field name="timespan" enabled="1"/>
    <Field name="revision" enabled="0"/>
    <Field name="time" enabled="0" value="T_None"/>
    <Field name="date" enabled="0" value="D_None"/>
  </ExportFilename>
</ExportPreset>
XML

# The expected values, by port index, from the stereo presets' Turtle.
LV2_PATH="$LV2_PATH" lv2info urn:tguard:stereo | awk '
	$1 == "Port" { i = $2; sub(/:/, "", i) }
	$1 == "Symbol:" { print $2, i }' > "$TMP/index"
for f in $(preset_files | grep -v -e '-mono\.ttl$' -e '-sum\.ttl$'); do
	printf 'P\t%s\n' "$(preset_info "$f" | awk -F'\t' '{ print $2 "\t" $1 }')"
	preset_values "$f" | while read -r sym val; do
		printf 'C\t%s\t%s\t%s\n' "$(awk -v s="$sym" '$1 == s { print $2 }' "$TMP/index")" "$sym" "$val"
	done
done > "$TMP/expected"
n=$(grep -c '^P' "$TMP/expected")
say "ran: $(ardour7-lua --version 2>/dev/null | head -n 1 | tr -d '\n'), $n presets, LV2_PATH=$LV2_PATH"

lua=$(dirname "$0")/ardour-presets.lua
show_log() { grep -v -e '^$' -e 'MP3' "$TMP/log" | sed 's/^/    /' | tail -n 30; }
ardour7-lua "$lua" "$TMP/session" "$TMP/expected" < /dev/null > "$TMP/log" 2>&1 ||
	{ show_log; fail "the Ardour session script failed (log above)"; }
grep -E '^(ok|FAIL|presets verified|latency|bypass)' "$TMP/log" | sed 's/^/    /'
verified=$(sed -n 's/^presets verified: \([0-9]*\) of.*/\1/p' "$TMP/log")
[ "$verified" = "$n" ] || fail "$verified of $n presets verified"

# Ardour 7.3 corrupts its own copy of the master outputs in some exports
# (here 17 of 231 through tguard, 1 of 60 with no plugin at all, 1 of 40
# with x42-dpl instead): one channel gets a foreign 32-bit word (often ASCII
# bytes: 4.7e30 is "<Nor", 1.04e21 "enab"; once -16327.19 added to the
# signal; once "e=\"false" over two words) at one fixed position every 2048
# frames (the size of the delay ring of PortExportChannel), from frame 2048
# to the end. Recording tguard's own output in such runs found it clean and
# equal to the file everywhere else. ardour_garbage WAV FRAMES prints where the pattern is
# and writes WAV.fixed, a copy with those samples set to 0; it fails unless
# every sample over full scale (which tguard's clamp never lets out) is
# part of that pattern: one channel, one to four adjacent slots of a
# power-of-two period of at least 1024 frames, every lap from the second to
# the end, each slot with the same top 16 bits in every lap.
ardour_garbage() {
	size=$(wc -c < "$1")
	off=$((size - $2 * 8))
	[ "$off" -gt 8 ] || return 1
	[ "$(dd if="$1" bs=1 skip=$((off - 8)) count=4 2>/dev/null)" = data ] || return 1
	od -An -v -j "$off" -tx4 -w4 "$1" | awk -v frames="$2" -v off="$off" -v pos="$1.pos" '
		BEGIN { hex = "0123456789abcdef" }
		{
			h = $1
			d = index(hex, substr(h, 1, 1)) - 1
			if (d >= 8) d -= 8 # |x| > 1 or not finite: the bits without the sign over 0x3f800000
			if (substr(hex, d + 1, 1) substr(h, 2) > "3f800000") {
				n++; F[n] = int((NR - 1) / 2); C[n] = (NR - 1) % 2; H[n] = substr(h, 1, 4)
				print off + 4 * (NR - 1) > pos
			}
		}
		END {
			if (n < 2) exit 1
			for (j = 2; j <= n; j++) if (C[j] != C[1]) exit 1
			# The period: from the first word to the first after a gap of
			# 1024 frames or more; the words before it are one lap.
			for (k = 2; k <= n && F[k] - F[k - 1] < 1024; k++);
			if (k > n) exit 1
			step = F[k] - F[1]; k--
			p = step; while (p > 1 && p % 2 == 0) p /= 2
			if (p != 1 || step < 1024 || k > 4 || F[k] - F[1] != k - 1 || n % k) exit 1
			# Every lap: the same adjacent slots, each with its own top bits.
			for (j = 1; j <= n; j++) {
				s = (j - 1) % k + 1
				if (F[j] != F[s] + int((j - 1) / k) * step || H[j] != H[s]) exit 1
			}
			if (F[1] < step || F[n - k + 1] + step < frames) exit 1
			printf "%d samples of channel %d, %d adjacent every %d frames from frame %d to the end, the first 0x%s\n", n, C[1] + 1, k, step, F[1], H[1]
		}' || return 1
	cp "$1" "$1.fixed"
	while read -r at; do
		printf '\000\000\000\000' | dd of="$1.fixed" bs=1 seek="$at" count=4 conv=notrunc 2>/dev/null
	done < "$1.pos"
}

# One export per preset, each checked against the limits of its preset.
# Only Ardour's two known faults earn another try (at most 3 in all): its
# delay-line garbage above, once the rest of the file passes the check, and
# an abort by glibc's heap checks before the export finished. A pass always
# needs one export that passes the check in full; anything else fails.
i=0
while [ "$i" -lt "$n" ]; do
	i=$((i + 1))
	label=$(grep '^P' "$TMP/expected" | sed -n "${i}p" | cut -f2)
	wav="$TMP/export/$i.wav"
	try=0
	while :; do
		try=$((try + 1))
		rm -rf "$TMP/session$i" "$wav" "$wav".* "$TMP/export/$i.done"
		rc=0
		ardour7-lua "$lua" "$TMP/session$i" "$TMP/expected" "$TMP/export" "$i" < /dev/null > "$TMP/log" 2>&1 || rc=$?
		if [ $rc -ne 0 ] && [ ! -f "$TMP/export/$i.done" ]; then
			if [ $rc -eq 134 ] && [ $try -lt 3 ] &&
				grep -q -E '^(free\(\)|double free|munmap_chunk\(\)|corrupted|malloc)' "$TMP/log"; then
				say "note: export $i, try $try: Ardour aborted in its heap checks ($(grep -E '^(free\(\)|double free|munmap_chunk\(\)|corrupted|malloc)' "$TMP/log" | head -n 1)); exporting again"
				continue
			fi
			show_log
			fail "export $i failed (exit $rc, log above)"
		fi
		if [ $rc -ne 0 ]; then
			# Ardour 7.3 can crash in its teardown after the export (see the
			# Lua script); the export counts only if it had finished. The
			# label comes from EXPECTED: the crash can cut the mark short.
			[ $rc -gt 128 ] || { show_log; fail "export $i failed (exit $rc, log above)"; }
			say "note: ardour7-lua died of signal $((rc - 128)) in its teardown after export $i had finished"
		fi
		out=$("$RENDER" -p "$label" --check "$wav" 2>&1) && break
		frames=$(echo "$out" | sed -n 's/^frames: *\([0-9]*\).*/\1/p')
		if [ $try -lt 3 ] && [ -n "$frames" ] && where=$(ardour_garbage "$wav" "$frames") &&
			"$RENDER" -p "$label" --check "$wav.fixed" > /dev/null 2>&1; then
			say "note: export $i, try $try: Ardour's export garbage ($where); the rest of the file passes; exporting again"
			continue
		fi
		echo "$out" | sed 's/^/    /'
		cp "$wav" "$BUILD/ardour-export-$i-failed.wav"
		fail "the export through Ardour with \"$label\" broke a limit (kept as build/ardour-export-$i-failed.wav)"
	done
	frames=$(echo "$out" | sed -n 's/^frames: *\([0-9]*\).*/\1/p')
	[ "$frames" = 240000 ] || fail "export $i has $frames frames, not 5 s"
	echo "    export \"$label\": peak $(echo "$out" | sed -n 's/^peak current: *//p'), RMS $(echo "$out" | sed -n 's/^highest RMS current: *//p' | sed 's/, tau.*/)/')"
done
pass "$n presets: every control equals the Turtle, latency 96 reported, bypass drives enable; $n exports of 0 dBFS noise within the peak and RMS limits"
