#!/bin/sh
# Run host checks by name (default: all) and print one summary line.
# A check is host-test/hosts/check-NAME.sh; it exits 0 (passed), 77
# (skipped, with the reason) or anything else (failed).
dir=$(dirname "$0")
[ $# -gt 0 ] || set -- ardour jalv lv2apply pipewire install dist wine
passed=0 failed=0 skipped=0 summary=""
for name in "$@"; do
	echo "== $name"
	start=$(date +%s)
	sh "$dir/check-$name.sh"
	rc=$?
	secs=$(( $(date +%s) - start ))
	case $rc in
	0) passed=$((passed + 1)); summary="$summary $name:passed(${secs}s)" ;;
	77) skipped=$((skipped + 1)); summary="$summary $name:SKIPPED" ;;
	*) failed=$((failed + 1)); summary="$summary $name:FAILED(exit $rc)" ;;
	esac
done
echo "hosts:$summary"
echo "hosts: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
