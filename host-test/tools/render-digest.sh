#!/bin/sh
# Render every built-in signal through every preset of the three plugins
# (and their defaults), at 44.1 and 48 kHz, block 512 and random blocks,
# and print the SHA-256 of each output's samples (the header holds a time
# stamp): a refactor that changes no behaviour leaves every line as it was.
#   sh host-test/tools/render-digest.sh [BUILD] > digest.txt   (from the source tree)
set -eu
build=${1:-build}
render=$build/tguard-render
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
# The samples: what follows the first "data" chunk id and its size.
samples_sha() {
  at=$(grep -obUa data "$1" | head -n 1 | cut -d: -f1)
  tail -c +$((at + 9)) "$1" | sha256sum | cut -c1-16
}
for plugin in urn:tguard:stereo urn:tguard:mono urn:tguard:sum; do
  for preset in default $("$render" -u $plugin --list-presets | cut -f2); do
    if [ "$preset" = default ]; then set --; else set -- -p "$preset"; fi
    for sig in sine1k sine100 sweep pink square50 burst nanburst dc antiphase calib:2; do
      for rate in 44100 48000; do
        for block in 512 random; do
          out=$tmp/o.wav
          "$render" -u "$plugin" "$@" -r $rate -b $block --signal $sig "$out" >/dev/null
          echo "$(samples_sha "$out") $plugin $preset $sig $rate $block"
        done
      done
    done
  done
done
