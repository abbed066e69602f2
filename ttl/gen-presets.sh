#!/bin/sh
# Derive the factory presets of all three plugins from one source each, and
# print their manifest entries.
#
#   gen-presets.sh SRC_DIR BUNDLE_DIR >> manifest.ttl
#
# A source (presets/SLUG.ttl) is the stereo preset, one port value a line.
# The mono plugin has no mono or route controls and the sum plugin no route,
# so their copies drop those lines: hosts then see no unknown ports.
set -eu
src=$1
bundle=$2
mkdir -p "$bundle/presets"
echo '@prefix pset: <http://lv2plug.in/ns/ext/presets#> .'
for f in "$src"/*.ttl; do
	slug=$(basename "$f" .ttl)
	label=$(sed -n 's/^	rdfs:label "\(.*\)" ;$/\1/p' "$f")
	[ -n "$label" ] || { echo "error: $f has no rdfs:label line" >&2; exit 1; }
	for v in stereo mono sum; do
		case $v in
		stereo) out=$slug.ttl; uri="urn:tguard:preset:$slug"; drop='^#none#$' ;;
		mono) out=$slug-mono.ttl; uri="urn:tguard:preset:$slug:mono"; drop='lv2:symbol "\(mono\|route\|wiring\)"' ;;
		sum) out=$slug-sum.ttl; uri="urn:tguard:preset:$slug:sum"; drop='lv2:symbol "\(route\|wiring\)"' ;;
		esac
		# A dropped last port leaves the one before it to end the statement.
		sed -e "/$drop/d" \
		    -e "s|<urn:tguard:preset:$slug>|<$uri>|" \
		    -e "s|<urn:tguard:stereo>|<urn:tguard:$v>|" "$f" |
			sed -e '$ s/ ] ;$/ ] ./' > "$bundle/presets/$out"
		printf '\n<%s>\n\ta pset:Preset ;\n\tlv2:appliesTo <urn:tguard:%s> ;\n\trdfs:label "%s" ;\n\trdfs:seeAlso <presets/%s> .\n' \
			"$uri" "$v" "$label" "$out"
	done
done
