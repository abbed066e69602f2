#!/bin/sh
# jalv (console, Debian's jalv) on a private JACK dummy server: each plugin
# variant loads, takes every one of its factory presets from jalv's own
# preset command, shows each preset's values, processes for a few
# seconds, registers the right JACK ports, and exits cleanly with no error
# or warning.
CHECK=jalv
. "$(dirname "$0")/common.sh"
need jalv jalv
need jackd jackd2
need jack_lsp jackd2

# A private server: its own name, no device reservation over D-Bus.
export JACK_DEFAULT_SERVER="tguard-check-$$" JACK_NO_AUDIO_RESERVATION=1
jackd --no-realtime -n "$JACK_DEFAULT_SERVER" -d dummy -r 48000 -p 1024 > "$TMP/jackd.log" 2>&1 &
PIDS="$!"
jack_wait -w -t 10 > /dev/null 2>&1 || { cat "$TMP/jackd.log"; fail "jackd -d dummy did not start"; }
say "ran: jackd $(jackd --version 2>/dev/null | sed -n 's/^jackdmp version \([^ ]*\).*/\1/p') -d dummy as \"$JACK_DEFAULT_SERVER\", jalv $(dpkg-query -W -f '${Version}' jalv 2>/dev/null)"

total=0
for variant in stereo mono sum; do
	case $variant in
	stereo) files=$(preset_files | grep -v -e '-mono\.ttl$' -e '-sum\.ttl$'); ports="2 2" ;;
	mono) files=$(preset_files | grep -e '-mono\.ttl$'); ports="1 1" ;;
	sum) files=$(preset_files | grep -e '-sum\.ttl$'); ports="2 1" ;;
	esac
	# jalv 1.6.6 applies "preset URI" only after "presets" has loaded the
	# preset list, as a user would see it first.
	{
		echo presets
		sleep 0.3
		for f in $files; do
			echo "preset $(preset_info "$f" | cut -f1)"
			sleep 0.2
		done
		sleep 2
		jack_lsp -t "tg-$variant" > "$TMP/ports-$variant" 2>&1
		echo monitors
		sleep 0.2
	} | timeout 60 jalv -x -n "tg-$variant" "urn:tguard:$variant" > "$TMP/out-$variant" 2>&1
	rc=$?
	out=$TMP/out-$variant
	[ $rc -eq 0 ] || { sed 's/^/    /' "$out" | tail -n 20; fail "jalv $variant exited with $rc"; }
	if grep -i -n -E 'error|warning|fail|unknown|unsupported' "$out" > "$TMP/bad"; then
		sed 's/^/    /' "$TMP/bad"
		fail "jalv $variant printed errors or warnings"
	fi
	# Split the output at jalv's "> " prompts: block k answers command k
	# (1: the preset list, 2..: one preset each, last: the meters). jalv's
	# "Exiting..." at the end of its input comes from another thread and can
	# land inside a line it is still printing ("i_peak_ma Exiting...\n=
	# 500"): take it out, newline and all, first.
	perl -0pe 's/Exiting\.\.\.\n//g' "$out" |
		awk -v dir="$TMP" -v v="$variant" 'BEGIN { RS = "> " } NR > 1 { f = dir "/" v "-block" (NR - 1); printf "%s", $0 > f; close(f) }'
	k=1
	for f in $files; do
		k=$((k + 1))
		uri=$(preset_info "$f" | cut -f1)
		grep -q "^$uri " "$TMP/$variant-block1" || fail "jalv $variant does not list $uri"
		preset_values "$f" > "$TMP/want"
		sed -n 's/^\([a-z_]*\) = \([-0-9.e]*\)$/\1 \2/p' "$TMP/$variant-block$k" | sort > "$TMP/got"
		same_values "$TMP/want" "$TMP/got" || fail "jalv $variant: <$uri> values differ"
		total=$((total + 1))
	done
	k=$((k + 1))
	ramp=$(sed -n 's/^ramp = //p' "$TMP/$variant-block$k")
	latency=$(sed -n 's/^latency = //p' "$TMP/$variant-block$k")
	awk -v r="$ramp" 'BEGIN { exit !(r > 0.3) }' || fail "jalv $variant: soft start at \"$ramp\": the plugin did not run"
	[ "${latency%%.*}" = 96 ] || fail "jalv $variant: latency \"$latency\""
	n_in=$(awk '/^tg-/ { p = $0; next } /audio/ && p ~ /:in/ { n++ } END { print n + 0 }' "$TMP/ports-$variant")
	n_out=$(awk '/^tg-/ { p = $0; next } /audio/ && p ~ /:out/ { n++ } END { print n + 0 }' "$TMP/ports-$variant")
	[ "$n_in $n_out" = "$ports" ] || { cat "$TMP/ports-$variant"; fail "jalv $variant: JACK audio ports in/out $n_in $n_out, expected $ports"; }
	say "urn:tguard:$variant: $(echo "$files" | wc -l) presets equal the Turtle; JACK ports $n_in in, $n_out out; after 2 s ramp $ramp, latency $latency; clean exit"
done
pass "$total presets on 3 variants through jalv's preset command; processed on jackd -d dummy; no errors or warnings"
