#!/bin/sh
# PipeWire filter-chain: a private, headless PipeWire (no audio hardware, a
# null sink, no session manager) loads the configs that
# `tguard-render --pipewire` writes for one preset of each variant. Each
# filter node must exist with every control at the preset's value (from
# pw-dump). Then noise is played through the stereo one into the null sink
# and recorded from its monitor; the recording must pass tguard-render
# --check against the preset's limits. Last, fail closed: a second private
# PipeWire given the stereo config but no tguard (LV2_PATH on an empty dir)
# must exit non-zero instead of running without the filter.
CHECK=pipewire
. "$(dirname "$0")/common.sh"
need pipewire pipewire
for t in pw-dump pw-cli pw-link pw-play pw-record; do need "$t" pipewire-bin; done

# Private everything: runtime dir, socket name, config dir.
export XDG_RUNTIME_DIR="$TMP/run" PIPEWIRE_RUNTIME_DIR="$TMP/run" PIPEWIRE_REMOTE="tguard-check"
mkdir -p "$TMP/run" "$TMP/conf/tguard-check.conf.d"
chmod 700 "$TMP/run"
cat > "$TMP/conf/tguard-check.conf" <<'CONF'
context.properties = {
    core.daemon  = true
    core.name    = tguard-check
    support.dbus = false
}
context.spa-libs = {
    audio.convert.* = audioconvert/libspa-audioconvert
    support.*       = support/libspa-support
}
context.modules = [
    { name = libpipewire-module-protocol-native }
    { name = libpipewire-module-metadata }
    { name = libpipewire-module-spa-node-factory }
    { name = libpipewire-module-client-node }
    { name = libpipewire-module-access }
    { name = libpipewire-module-adapter }
    { name = libpipewire-module-link-factory }
]
context.objects = [
    { factory = spa-node-factory
        args = { factory.name = support.node.driver node.name = Dummy-Driver priority.driver = 20000 } }
    { factory = adapter
        args = { factory.name = support.null-audio-sink node.name = tguard-null-sink
                 media.class = Audio/Sink audio.position = [ FL FR ] } }
]
CONF
presets="urn:tguard:preset:earbud-16 urn:tguard:preset:dynamic-mic:mono urn:tguard:preset:piezo-disc:sum"
# The stereo one names its output with --target, as a user would.
for p in $presets; do
	target=; [ "$p" = urn:tguard:preset:earbud-16 ] && target="--target tguard-null-sink"
	"$RENDER" --pipewire "$p" $target > "$TMP/conf/tguard-check.conf.d/$(echo "$p" | tr ':' '_').conf" ||
		fail "tguard-render --pipewire $p $target failed"
done

PIPEWIRE_CONFIG_DIR="$TMP/conf" pipewire -c tguard-check.conf > "$TMP/pipewire.log" 2>&1 &
PIDS="$!"
i=0
until pw-cli ls Node 2> /dev/null | grep -q 'tguard-piezo-disc-sum.output'; do
	i=$((i + 1))
	[ $i -lt 50 ] || { sed 's/^/    /' "$TMP/pipewire.log"; fail "the filter-chain nodes did not appear (log above)"; }
	sleep 0.2
done
say "ran: pipewire $(pipewire --version | sed -n 's/^Linked with libpipewire //p') headless (null sink, no session manager), $(echo "$presets" | wc -w) filter-chain configs from tguard-render --pipewire"
if grep -E '\[E\]' "$TMP/pipewire.log" > /dev/null; then
	sed 's/^/    /' "$TMP/pipewire.log"; fail "pipewire logged errors"
fi

# "node symbol value" for every tguard control in the Props of each node.
pw-dump > "$TMP/dump.json"
awk '
	/"node.name": / { node = $2; gsub(/[",]/, "", node) }
	/"params": \[/ { inp = 1; key = ""; next }
	inp && /\]/ { inp = 0 }
	inp {
		v = $0; gsub(/[ ,"]/, "", v)
		if (key == "") key = v; else { if (key ~ /^tguard:/) { sub(/^tguard:/, "", key); print node, key, v } key = "" }
	}' "$TMP/dump.json" > "$TMP/controls"
for p in $presets; do
	slug=${p#urn:tguard:preset:}
	slug=$(echo "$slug" | tr ':' '-')
	f=$(preset_file "$p")
	preset_values "$f" > "$TMP/want"
	awk -v n="tguard-$slug.input" '$1 == n { print $2, $3 }' "$TMP/controls" | sort > "$TMP/got"
	[ -s "$TMP/got" ] || fail "no node tguard-$slug.input with tguard controls in pw-dump"
	same_values "$TMP/want" "$TMP/got" || fail "PipeWire's controls of $p differ from the preset"
	grep -q "\"node.name\": \"tguard-$slug.output\"" "$TMP/dump.json" || fail "no node tguard-$slug.output"
	[ "$p" != urn:tguard:preset:earbud-16 ] || grep -q '"target.object": "tguard-null-sink"' "$TMP/dump.json" ||
		fail "tguard-$slug.output lacks target.object tguard-null-sink (--target)"
	say "node tguard-$slug: $(wc -l < "$TMP/got") controls equal <$p>"
done

# Audio through the stereo filter. Without a session manager nobody
# configures ports or links: set each node's ports to DSP mode, then link
# from the recorder back to the player.
port_config() { # NODE DIRECTION CHANNELS POSITION [monitor]
	pw-cli set-param "$1" PortConfig "{ direction: $2, mode: dsp, monitor: ${5:-false},
		format: { mediaType: audio, mediaSubtype: raw, format: F32P, rate: 48000,
		channels: $3, position: [ $4 ] } }" > /dev/null
}
wait_node() {
	i=0
	until pw-cli ls Node 2> /dev/null | grep -q "node.name = \"$1\""; do
		i=$((i + 1)); [ $i -lt 50 ] || fail "node $1 did not appear"; sleep 0.1
	done
}
"$RENDER" -c i_peak_ma=10000 -c i_rms_ma=10000 -c hpf_order=0 -c lpf_order=0 -c ramp_s=0.1 \
	-c mono=0 --signal pink:4 "$TMP/hot.wav" > /dev/null
pw-record -P '{ node.name = tguard-rec }' --rate 48000 --channels 2 --format f32 "$TMP/rec.wav" \
	> "$TMP/rec.log" 2>&1 &
rec=$!
PIDS="$rec $PIDS"
wait_node tguard-rec
port_config tguard-null-sink Input 2 "FL, FR" true
port_config tguard-earbud-16.input Input 2 "FL, FR"
port_config tguard-earbud-16.output Output 2 "FL, FR"
port_config tguard-rec Input 2 "FL, FR"
for ch in FL FR; do
	pw-link tguard-null-sink:monitor_$ch tguard-rec:input_$ch
	pw-link tguard-earbud-16.output:output_$ch tguard-null-sink:playback_$ch
done
pw-play -P '{ node.name = tguard-play }' "$TMP/hot.wav" > "$TMP/play.log" 2>&1 &
play=$!
PIDS="$play $PIDS"
wait_node tguard-play
port_config tguard-play Output 2 "FL, FR"
for ch in FL FR; do pw-link tguard-play:output_$ch tguard-earbud-16.input:playback_$ch; done
i=0
while kill -0 "$play" 2> /dev/null; do
	i=$((i + 1)); [ $i -lt 150 ] || fail "pw-play did not finish in 15 s"; sleep 0.1
done
sleep 0.3
kill -INT "$rec"
wait "$rec" || true
out=$("$RENDER" -p urn:tguard:preset:earbud-16 --check "$TMP/rec.wav" 2>&1) ||
	{ echo "$out" | sed 's/^/    /'; fail "the recording through PipeWire breaks the preset's limits"; }
secs=$(echo "$out" | sed -n 's/^frames: *[0-9]* (\([0-9.]*\) s.*/\1/p')
peak=$(echo "$out" | sed -n 's/^output peak: *\([-0-9.]*\).*/\1/p')
awk -v s="$secs" -v p="$peak" 'BEGIN { exit !(s >= 3.5 && p > -30) }' ||
	{ echo "$out" | sed 's/^/    /'; fail "the recording is short or silent (${secs} s, $peak dBFS)"; }
say "4 s of hot pink noise through tguard-earbud-16, recorded from the null sink: ${secs} s, $(echo "$out" | sed -n 's/^peak current: *//p'), RMS $(echo "$out" | sed -n 's/^highest RMS current: *//p' | sed 's/, tau.*/)/')"

# Fail closed: the configs carry no `flags = [ nofail ]` on purpose. When
# tguard cannot be found (package removed, LV2_PATH wrong) the filter-chain
# module fails, and PipeWire must not start at all rather than come up with
# the card exposed unprotected. A second private daemon (own runtime dir,
# socket and config) loads the stereo config with LV2_PATH on an empty
# directory; it must exit non-zero within 5 s and name the failure.
mkdir -p "$TMP/run2" "$TMP/conf2/tguard-failclosed.conf.d" "$TMP/empty-lv2"
chmod 700 "$TMP/run2"
sed 's/core.name    = tguard-check/core.name    = tguard-failclosed/' "$TMP/conf/tguard-check.conf" \
	> "$TMP/conf2/tguard-failclosed.conf"
cp "$TMP/conf/tguard-check.conf.d/urn_tguard_preset_earbud-16.conf" "$TMP/conf2/tguard-failclosed.conf.d/"
fc_env() { env XDG_RUNTIME_DIR="$TMP/run2" PIPEWIRE_RUNTIME_DIR="$TMP/run2" PIPEWIRE_REMOTE=tguard-failclosed "$@"; }
# A plain command (env execs pipewire), so that $! is the daemon itself.
env XDG_RUNTIME_DIR="$TMP/run2" PIPEWIRE_RUNTIME_DIR="$TMP/run2" PIPEWIRE_REMOTE=tguard-failclosed \
	LV2_PATH="$TMP/empty-lv2" PIPEWIRE_CONFIG_DIR="$TMP/conf2" pipewire -c tguard-failclosed.conf \
	> "$TMP/failclosed.log" 2>&1 &
fc=$!
PIDS="$fc $PIDS"
i=0
while kill -0 "$fc" 2> /dev/null; do
	i=$((i + 1))
	if [ $i -ge 50 ]; then
		fc_env pw-cli ls Node 2> /dev/null | grep 'node.name' | sed 's/^ */    /' || true
		fail "pipewire without tguard still runs after 5 s (nodes above): it must fail closed, is the config nofail?"
	fi
	sleep 0.1
done
fc_rc=0; wait "$fc" || fc_rc=$?
PIDS=${PIDS#"$fc "}
[ "$fc_rc" -ne 0 ] || { sed 's/^/    /' "$TMP/failclosed.log"; fail "pipewire without tguard exited 0"; }
if ! grep -q "can't load plugin urn:tguard:stereo" "$TMP/failclosed.log" ||
	! grep -q 'could not load mandatory module "libpipewire-module-filter-chain"' "$TMP/failclosed.log"; then
	sed 's/^/    /' "$TMP/failclosed.log"
	fail "pipewire without tguard exited $fc_rc but its log does not name the filter-chain failure"
fi
if fc_env pw-cli ls Node 2> /dev/null | grep -q 'node.name = "tguard-.*\.input"'; then
	fail "a tguard input node exists on the pipewire that was to fail"
fi
say "fail closed: LV2_PATH on an empty dir, pipewire exited $fc_rc after ~$((i / 10)).$((i % 10)) s, no tguard node; log: $(grep -o 'could not load mandatory module.*' "$TMP/failclosed.log")"
pass "3 filter-chain nodes with every preset control; audio through PipeWire within the limits; without tguard PipeWire does not start"
