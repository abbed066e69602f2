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

# One export per preset, each checked against the limits of its preset.
i=0
while [ "$i" -lt "$n" ]; do
	i=$((i + 1))
	rc=0
	ardour7-lua "$lua" "$TMP/session$i" "$TMP/expected" "$TMP/export" "$i" < /dev/null > "$TMP/log" 2>&1 || rc=$?
	if [ $rc -ne 0 ]; then
		# Ardour 7.3 can crash in its teardown after the export (see the
		# Lua script); the export counts only if it had finished.
		[ $rc -gt 128 ] && [ -f "$TMP/export/$i.done" ] || { show_log; fail "export $i failed (exit $rc, log above)"; }
		say "note: ardour7-lua died of signal $((rc - 128)) in its teardown after export $i had finished"
	fi
	label=$(cat "$TMP/export/$i.done")
	wav="$TMP/export/$i.wav"
	if ! out=$("$RENDER" -p "$label" --check "$wav" 2>&1); then
		echo "$out" | sed 's/^/    /'
		cp "$wav" "$BUILD/ardour-export-$i-failed.wav"
		fail "the export through Ardour with \"$label\" broke a limit (kept as build/ardour-export-$i-failed.wav)"
	fi
	frames=$(echo "$out" | sed -n 's/^frames: *\([0-9]*\).*/\1/p')
	[ "$frames" = 240000 ] || fail "export $i has $frames frames, not 5 s"
	echo "    export \"$label\": peak $(echo "$out" | sed -n 's/^peak current: *//p'), RMS $(echo "$out" | sed -n 's/^highest RMS current: *//p' | sed 's/, tau.*/)/')"
done
pass "$n presets: every control equals the Turtle, latency 72 reported, bypass drives enable; $n exports of 0 dBFS noise within the peak and RMS limits"
