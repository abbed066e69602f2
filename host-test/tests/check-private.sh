#!/bin/sh
# Each DSP module's struct fields are its own (see each header): no other
# file in plugin/ reads or writes them; they use the owner's functions.
# For each such struct, find what the other plugin files declare of its
# type (members, variables, parameters) and any .field or ->field on those
# names. The value types that are an interface (TgBiquadCoefs, TgParams,
# TgLimiterParams, TgStats, ...) are not listed.
#   sh host-test/tests/check-private.sh [FILE...]   (from the source tree)
# With no FILE, every plugin/*/*.c and .h. Exit 1 on a reach-in.
set -eu
cd "$(dirname "$0")/../.."
[ $# -gt 0 ] || set -- plugin/*/*.c plugin/*/*.h
status=0
for pair in ramp:TgRamp ramp:TgGlide mono:TgMono truepeak:TgTruePeak limiter:TgLimiter \
            filter:TgBiquadState filter:TgSection filter:TgButterworth filter:TgDcBlock \
            filter:TgFilterBlock filter:TgFilter; do
	owner=${pair%%:*} type=${pair#*:}
	for src in "$@"; do
		case $src in */$owner.c | */$owner.h) continue ;; esac
		names=$(grep -oE "(^|[^A-Za-z0-9_])$type[[:space:]]*[*]?[[:space:]]*(const[[:space:]]+)?[*]?[[:space:]]*[A-Za-z_][A-Za-z0-9_]*" "$src" |
			sed -E 's/.*[^A-Za-z0-9_]([A-Za-z_][A-Za-z0-9_]*)$/\1/' | sort -u)
		for name in $names; do
			[ "$name" = "$type" ] && continue
			# Comments out (line numbers kept): "filter.h" is no field.
			if sed -E 's|/\*.*\*/||g; s|/\*.*$||; s|^[[:space:]]*\*.*$||' "$src" |
				grep -nE "(^|[^A-Za-z0-9_])$name(\[[^]]*\])*(\.|->)[A-Za-z_]" | sed "s|^|$src: $type $name: |" | grep .; then
				status=1
			fi
		done
	done
done
if [ $status -ne 0 ]; then
	echo "check-private: the lines above reach into another module's struct: use (or add) a function of the owner" >&2
else
	echo "check-private: no plugin file reaches into another module's struct"
fi
exit $status
