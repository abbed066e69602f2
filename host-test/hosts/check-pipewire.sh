#!/bin/sh
# PipeWire filter-chain: a private, headless PipeWire (no audio hardware, a
# null sink) with a private WirePlumber that only suspends idle nodes (its
# suspend-node.lua; links are made here) loads the configs that
# `tguard-render --pipewire` writes for one preset of each variant. Each
# filter node must exist with every control at the preset's value (from
# pw-dump). Then noise is played through the stereo one into the null sink
# and recorded from its monitor; the recording must pass tguard-render
# --check against the preset's limits. Then the lifecycle: a loud sine is
# played through the stereo node 4 times with pauses, so that its input node
# goes idle (filter-chain deactivates and activates the plugin) or is
# suspended (filter-chain creates a new instance); its output, recorded
# without a break, must show a soft start at every start, and the coil's
# heat computed over it, pauses cooling, must stay under the limit. Last,
# fail closed: a second private PipeWire given the stereo config but no
# tguard (LV2_PATH on an empty dir) must exit non-zero instead of running
# without the filter.
CHECK=pipewire
. "$(dirname "$0")/common.sh"
need pipewire pipewire
for t in pw-dump pw-cli pw-link pw-play pw-record; do need "$t" pipewire-bin; done
# Without a session manager nothing suspends a node, and the lifecycle would
# go untested while the check passed: fail, not skip.
command -v wireplumber > /dev/null 2>&1 ||
	fail "wireplumber is not installed (make deps-hosts installs it): without it PipeWire never suspends the filter and its lifecycle goes untested"

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

# The lifecycle's recording. A node runs or idles with everything linked to
# it, so a recorder linked to the filter's sink would keep the filter running
# for ever. Instead the filter plays into a pipe sink that writes a FIFO, and
# a pipe source reads it into the recorder: two graphs that PipeWire runs and
# stops apart. The source reads nothing while the filter is stopped, which
# the recording keeps as silence. Float, so the samples are the plugin's.
pipe_args="pipe.filename = \"$TMP/fifo\" audio.format = F32 audio.rate = 48000 audio.channels = 2 audio.position = [ FL FR ]"
cat > "$TMP/conf/tguard-check.conf.d/pipe.conf" <<CONF
context.modules = [
    { name = libpipewire-module-pipe-tunnel
      args = { tunnel.mode = sink $pipe_args stream.props = { node.name = tguard-pipe-sink } } }
    { name = libpipewire-module-pipe-tunnel
      args = { tunnel.mode = source $pipe_args stream.props = { node.name = tguard-pipe-source } } }
]
CONF
# WirePlumber suspends an idle node after 5 s; 3 s for the stereo filter's
# input keeps the check short and still tells a short pause from a long one.
sed -i 's|^\( *\)media.class    = Audio/Sink$|&\n\1session.suspend-timeout-seconds = 3|' \
	"$TMP/conf/tguard-check.conf.d/urn_tguard_preset_earbud-16.conf"
grep -q 'session.suspend-timeout-seconds = 3' "$TMP/conf/tguard-check.conf.d/urn_tguard_preset_earbud-16.conf" ||
	fail "could not set the suspend timeout in the earbud-16 config"
# WirePlumber with its suspend-node.lua alone: no policy, so the links below
# stay the ones this check makes; no dbus.
mkdir -p "$TMP/wp"
cat > "$TMP/wp/wireplumber.conf" <<'CONF'
context.properties = { log.level = 2 wireplumber.script-engine = lua-scripting }
context.spa-libs = { support.* = support/libspa-support }
context.modules = [
    { name = libpipewire-module-protocol-native }
    { name = libpipewire-module-client-node }
    { name = libpipewire-module-metadata }
]
wireplumber.components = [
    { name = libwireplumber-module-lua-scripting, type = module }
    { name = suspend-node.lua, type = script/lua }
]
CONF

PIPEWIRE_CONFIG_DIR="$TMP/conf" pipewire -c tguard-check.conf > "$TMP/pipewire.log" 2>&1 &
PIDS="$!"
i=0
until pw-cli ls Node 2> /dev/null | grep -q 'tguard-piezo-disc-sum.output'; do
	i=$((i + 1))
	[ $i -lt 50 ] || { sed 's/^/    /' "$TMP/pipewire.log"; fail "the filter-chain nodes did not appear (log above)"; }
	sleep 0.2
done
# Info level: its suspend-node.lua logs each suspension.
WIREPLUMBER_CONFIG_DIR="$TMP/wp" WIREPLUMBER_DEBUG=3 wireplumber -c wireplumber.conf > "$TMP/wp.log" 2>&1 &
wp=$!
PIDS="$wp $PIDS"
i=0
until grep -q "enabling plugin 'script:suspend-node.lua'" "$TMP/wp.log" 2> /dev/null; do
	i=$((i + 1))
	kill -0 "$wp" 2> /dev/null && [ $i -lt 50 ] || { sed 's/^/    /' "$TMP/wp.log" | tail -n 20; fail "wireplumber did not start its suspend-node.lua (log above)"; }
	sleep 0.2
done
say "ran: pipewire $(pipewire --version | sed -n 's/^Linked with libpipewire //p') headless (null sink), wireplumber $(wireplumber --version | sed -n 's/^Linked with libwireplumber //p') with suspend-node.lua alone, $(echo "$presets" | wc -w) filter-chain configs from tguard-render --pipewire"
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

# The lifecycle. PipeWire's filter-chain deactivates and activates the
# plugin when its input node goes idle (nothing plays into it), and
# WirePlumber suspends a node idle for its timeout, after which filter-chain
# creates a new instance (PipeWire 0.3.65: the format is cleared, so the
# graph is torn down and built again). A short pause takes the first path,
# where the heat must be carried over and cooled by the pause; a long one
# the second, where the new instance starts warm. The filter now plays into
# the pipe sink, linked passive as WirePlumber links a node.passive output,
# so that its graph stops when the player does.
for ch in FL FR; do pw-link -d tguard-earbud-16.output:output_$ch tguard-null-sink:playback_$ch; done
"$RENDER" -c i_peak_ma=10000 -c i_rms_ma=10000 -c v_peak=100 -c hpf_order=0 -c lpf_order=0 -c ramp_s=0.1 \
	-c mono=0 --signal sine1k:5 "$TMP/sine.wav" > /dev/null
pw-record -P '{ node.name = tguard-rec-life }' --rate 48000 --channels 2 --format f32 "$TMP/life.wav" \
	> "$TMP/rec-life.log" 2>&1 &
rec=$!
PIDS="$rec $PIDS"
wait_node tguard-rec-life
port_config tguard-pipe-sink Input 2 "FL, FR"
port_config tguard-pipe-source Output 2 "FL, FR"
port_config tguard-rec-life Input 2 "FL, FR"
for ch in FL FR; do
	pw-link tguard-pipe-source:capture_$ch tguard-rec-life:input_$ch
	pw-link -P tguard-earbud-16.output:output_$ch tguard-pipe-sink:playback_$ch
done
fin=$(pw-cli ls Node | awk '/^[ \t]*id [0-9]+,/ { id = $2 + 0 } /node.name = "tguard-earbud-16.input"/ { print id }')
[ -n "$fin" ] || fail "no id for tguard-earbud-16.input"
state() { pw-cli info "$fin" 2> /dev/null | sed -n 's/^.*state: "\([a-z]*\)".*/\1/p'; }
suspensions() { grep -c "WpNode:$fin:.*suspending" "$TMP/wp.log" || true; }
# Start from a suspended node, so that the first play gets a new instance
# (warm), as the outside model below starts.
base=$(suspensions)
i=0
until [ "$(state)" = suspended ]; do
	i=$((i + 1)); [ $i -lt 100 ] || fail "tguard-earbud-16.input was not suspended 10 s after the noise (state $(state))"; sleep 0.1
done
# Pauses after plays 1 to 3: idle, suspended, idle.
k=0; states=suspended
for pause in 0.5 5 0.5 -; do
	k=$((k + 1))
	pw-play -P "{ node.name = tguard-play$k }" "$TMP/sine.wav" > "$TMP/play$k.log" 2>&1 &
	play=$!
	PIDS="$play $PIDS"
	wait_node tguard-play$k
	port_config tguard-play$k Output 2 "FL, FR"
	for ch in FL FR; do pw-link tguard-play$k:output_$ch tguard-earbud-16.input:playback_$ch; done
	i=0
	while kill -0 "$play" 2> /dev/null; do
		i=$((i + 1)); [ $i -lt 150 ] || fail "pw-play did not finish in 15 s"; sleep 0.1
	done
	PIDS=${PIDS#"$play "}
	[ "$pause" != - ] || break
	before=$(suspensions)
	i=0
	until [ "$(state)" = idle ]; do
		i=$((i + 1)); [ $i -lt 40 ] || fail "tguard-earbud-16.input did not go idle after play $k (state $(state))"; sleep 0.05
	done
	sleep "$pause"
	st=$(state)
	want=idle; [ "$pause" = 0.5 ] || want=suspended
	[ "$st" = "$want" ] && [ $(($(suspensions) - before)) -eq $([ $want = idle ] && echo 0 || echo 1) ] ||
		fail "after play $k and a ${pause} s pause tguard-earbud-16.input is $st with $(($(suspensions) - before)) suspensions, not $want (timing?)"
	states="$states $st"
done
# Counted now: the node is suspended again while the recording is analysed.
nsusp=$(($(suspensions) - base))
sleep 1
kill -INT "$rec"
wait "$rec" || true
PIDS=${PIDS#"$rec "}
# Analyse the recording: from the "data" chunk, one frame a line.
off=$(grep -obUa data "$TMP/life.wav" | head -n 1 | cut -d: -f1)
[ -n "$off" ] || fail "no data chunk in the lifecycle recording"
pv() { awk -v s="$1" '$1 == s { print $2 }' "$TMP/earbud-values"; }
preset_values "$(preset_file urn:tguard:preset:earbud-16)" > "$TMP/earbud-values"
# Starts: the first non-zero sample after 0.2 s or more of zeros. Each
# start's first 20 ms against its level 3.5-4.5 s in (after the ramp_s
# soft start). The heat: the plugin's two-stage model over the whole
# recording, pauses included, starting warm as a new instance does (each
# stage steady at 0.9 x i_rms_ma); i is the louder channel's current.
od -An -v -j $((off + 8)) -tf4 -w8 "$TMP/life.wav" | awk -v rate=48000 \
	-v vfs="$(pv vfs)" -v z="$(pv z_ohm)" -v lim="$(pv i_rms_ma)" -v tau="$(pv tau_s)" \
	-v taum="$(pv tau_magnet_s)" -v k="$(pv magnet_share)" -v ramp="$(pv ramp_s)" '
	BEGIN {
		amps = vfs / z; lim /= 1e3
		ac = 1 - exp(-1 / (tau * rate)); am = 1 - exp(-1 / (taum * rate))
		if (k < 0) k = 0; if (k > 0.9) k = 0.9
		w = (0.9 * lim) ^ 2; em = k * w; ec = w; gap = 0.2 * rate
	}
	{
		a = $1 < 0 ? -$1 : $1; b = $2 < 0 ? -$2 : $2; m = a > b ? a : b
		i2 = (m * amps) ^ 2
		em += am * (k * i2 - em); ec += ac * (em + (1 - k) * i2 - ec)
		if (ec > ecmax) { ecmax = ec; tmax = NR }
		if (m != 0) { if (z >= gap) { n++; t0[n] = NR; p[n] = z } z = 0 } else z++
		if (n) {
			d = NR - t0[n]; e = ($1 * $1 + $2 * $2) / 2
			if (d < 0.02 * rate) s1[n] += e
			else if (d >= ramp * rate + 0.5 * rate && d < ramp * rate + 1.5 * rate) s2[n] += e
		}
	}
	function db(s, len) { s /= len * rate; return s > 1e-30 ? 10 * log(s) / log(10) : -300 }
	END {
		for (j = 1; j <= n; j++)
			printf "start %d %.2f %.2f %.1f %.1f\n", j, t0[j] / rate, p[j] / rate, db(s1[j], 0.02), db(s2[j], 1)
		printf "heat %.4f %.2f %.2f\n", sqrt(ecmax) / lim, tmax / rate, NR / rate
	}' > "$TMP/life.txt"

n=$(grep -c '^start' "$TMP/life.txt" || true)
[ "$n" -eq 4 ] || { sed 's/^/    /' "$TMP/life.txt"; fail "the lifecycle recording shows $n starts after silence, not 4"; }
set -- $states
while read -r what j t p first steady; do
	[ "$what" = start ] || continue
	# A start at the steady level would be at 0 dB; the sine's own 0.1 s
	# fade-in gives about -10 dB.
	awk -v f="$first" -v s="$steady" 'BEGIN { exit !(s > -40 && f <= s - 40) }' ||
		fail "no soft start at start $j ($t s): first 20 ms $first dBFS, steady $steady dBFS"
	say "  start $j at $t s, after $p s of silence, node $1 before it: first 20 ms $first dBFS, steady $steady dBFS ($(awk -v f="$first" -v s="$steady" 'BEGIN { printf "%.1f", f - s }') dB)"
	shift
done < "$TMP/life.txt"
read -r what heat tmax secs <<HEAT
$(grep '^heat' "$TMP/life.txt")
HEAT
awk -v h="$heat" 'BEGIN { exit !(h <= 1.02) }' ||
	fail "the coil's heat over the lifecycle recording reaches $heat x i_rms_ma (at $tmax s), over 1.02"
out=$("$RENDER" -p urn:tguard:preset:earbud-16 --check "$TMP/life.wav" 2>&1) ||
	{ echo "$out" | sed 's/^/    /'; fail "the lifecycle recording breaks the preset's limits"; }
say "lifecycle: ${secs} s recorded without a break, 4 plays of a loud 1 kHz sine (5 s), pauses: idle, suspended, idle; $nsusp suspensions of tguard-earbud-16.input by WirePlumber (one before the first play); heat from a warm start, pauses cooling: highest $heat x i_rms_ma (at $tmax s); --check (cold start): $(echo "$out" | sed -n 's/^highest RMS current: *//p' | sed 's/, tau.*/)/'), peak $(echo "$out" | sed -n 's/^peak current: *//p')"

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
pass "3 filter-chain nodes with every preset control; audio through PipeWire within the limits; a soft start at every start and the heat under the limit across idle and suspended pauses; without tguard PipeWire does not start"
