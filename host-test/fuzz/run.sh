#!/bin/sh
# Run tguard's libFuzzer targets side by side for a bounded time, and report
# in greatest's format so that make check counts each target as a test.
#
#   sh host-test/fuzz/run.sh SECONDS TARGET...    (from the source tree)
#
# TARGET is chain, lv2 or diff (build/fuzz/fuzz_TARGET). Each target starts from
# the committed seeds (host-test/fuzz/corpus_TARGET) and the saved crash
# inputs (host-test/fuzz/regressions), and keeps what it learns in
# build/fuzz/corpus_TARGET. A crash or a broken invariant stops the target;
# its input is saved as build/fuzz/artifacts/TARGET-crash-*. To keep it as
# a regression test, copy it to host-test/fuzz/regressions/TARGET-NAME.
set -u
secs=$1
shift
dir=build/fuzz
mkdir -p "$dir/artifacts"
pass=0 fail=0 skip=0 total=0
for t in "$@"; do
	bin="$dir/fuzz_$t"
	if [ ! -x "$bin" ]; then
		continue
	fi
	mkdir -p "$dir/corpus_$t"
	"$bin" -max_total_time="$secs" -print_final_stats=1 -timeout=20 -rss_limit_mb=2048 \
		-max_len=4096 -artifact_prefix="$dir/artifacts/$t-" \
		"$dir/corpus_$t" "host-test/fuzz/corpus_$t" host-test/fuzz/regressions \
		>"$dir/$t.log" 2>&1 &
	eval "pid_$t=$!"
done
for t in "$@"; do
	eval "pid=\${pid_$t:-}"
	if [ -z "$pid" ]; then
		echo "fuzz_$t: skipped, not built (needs clang with libFuzzer: make deps)"
		skip=$((skip + 1))
		continue
	fi
	wait "$pid"
	rc=$?
	log="$dir/$t.log"
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	if [ -z "$runs" ]; then
		# Stopped early: the last status line has the count.
		runs=$(grep -o '^#[0-9]*' "$log" | tail -n 1 | tr -d '#')
	fi
	runs=${runs:-0}
	total=$((total + runs))
	if [ "$rc" -eq 0 ]; then
		pass=$((pass + 1))
		echo "fuzz_$t: $runs executions in $secs s, 0 violations (log: $log)"
	else
		fail=$((fail + 1))
		echo "fuzz_$t: FAILED with exit $rc after $runs executions (log: $log)"
		grep -E 'invariant violated|ERROR: |runtime error|Test unit written' "$log" | head -n 10
	fi
done
echo "fuzzing: $total executions in total"
echo "Pass: $pass, fail: $fail, skip: $skip."
[ "$fail" -eq 0 ]
