#!/usr/bin/env bash
# tguard mutation testing: does some fast test fail when the code a
# protection guarantee rests on is broken on purpose?
#
#   bash host-test/mutants/run.sh [--check] [ID...]     (from the source tree)
#
# For each mutation in host-test/mutants/mutations.txt (its format is
# described at the top of that file): copy the tracked tree (git ls-files)
# into one scratch directory, apply the mutation there, build what the fast
# tests need (make -j2, without -Werror) and run them: build/test_dsp, build/test_truepeak,
# build/test_lifecycle (the heat through re-activations, through lilv),
# build/fuzz_replay_lv2 and build/fuzz_replay_chain (the saved fuzz inputs
# through the LV2 glue and through the chain),
# build/test_bundle, build/test_render and a short fuzz_chain run with its
# invariants. Then the file is restored and the next mutant is built
# incrementally on the same objects. No soak, no ASan or valgrind runs.
#
# Only the programs that run are built: `make tests` would also rebuild the
# ASan, valgrind, soak and libFuzzer-lv2 programs for every mutant, three to
# four times the build time here, for tests this harness does not run
# (MUTANTS_TARGETS=tests builds them anyway).
#
# A mutant is killed when the build fails, or a test exits nonzero or
# reports "fail: N" with N > 0, or a test times out. One line per mutant:
#   killed ID: DESC (what killed it)
#   SURVIVED ID: DESC
# and last "mutants: K killed of N". Exit 0 only when every mutant is
# killed and the unmutated tree passes.
#
# The unmutated copy is built and tested first, as the baseline. When it
# already fails somewhere, that is reported, and a mutant is then judged
# only by what the baseline does not do (a test case failing that passed
# there, a test crashing or exiting nonzero that did not); the run still
# exits nonzero.
#
#   --check   only verify that every mutation applies (its snippet occurs
#             exactly once in its file), then exit
#   ID...     run only these mutants
#
# Environment: MUTANTS_LIST (the list file), MUTANTS_JOBS (make -j, 2),
# MUTANTS_TARGETS (what make builds; default the programs below),
# MUTANTS_FUZZ_SECONDS (5; 0 skips the fuzz run), MUTANTS_TIMEOUT (seconds
# per test program, 300), MUTANTS_KEEP=1 keeps the scratch directory.
# Logs: build/mutants/ID.log and build/mutants/baseline.log.
set -euo pipefail

top=$(git rev-parse --show-toplevel 2>/dev/null) || {
	echo "mutants: needs a git checkout (the tracked files are what is copied)" >&2
	exit 2
}
cd "$top"
list=${MUTANTS_LIST:-host-test/mutants/mutations.txt}
jobs=${MUTANTS_JOBS:-2}
fuzz_secs=${MUTANTS_FUZZ_SECONDS:-5}
limit=${MUTANTS_TIMEOUT:-300}
logdir=$top/build/mutants

die() {
	echo "mutants: $*" >&2
	exit 2
}

# ---- the list ----

ids=() files=() finds=() repls=() descs=()

parse_list() {
	local n=0 line key val
	local id="" file="" find="" repl="" desc="" have=""
	local -A seen=()
	flush() {
		[ -z "$have" ] && return 0
		local k
		for k in id file find replace desc; do
			case " $have " in
			*" $k "*) ;;
			*) die "$list:$n: entry '${id:-?}' has no '$k:' line" ;;
			esac
		done
		[[ $id =~ ^[A-Za-z0-9._-]+$ ]] || die "$list:$n: bad id '$id'"
		[ -z "${seen[$id]:-}" ] || die "$list:$n: id '$id' used twice"
		[ -n "$find" ] || die "$list:$n: '$id' has an empty find:"
		[ "$find" != "$repl" ] || die "$list:$n: '$id' replaces its snippet by itself"
		seen[$id]=1
		ids+=("$id") files+=("$file") finds+=("$find") repls+=("$repl") descs+=("$desc")
		id="" file="" find="" repl="" desc="" have=""
	}
	while IFS= read -r line || [ -n "$line" ]; do
		n=$((n + 1))
		line=${line%$'\r'}
		case $line in
		'#'*) continue ;;
		'') flush; continue ;;
		esac
		[[ $line =~ ^([a-z]+):(.*)$ ]] || die "$list:$n: not 'key: value': $line"
		key=${BASH_REMATCH[1]}
		val=${BASH_REMATCH[2]}
		val=${val# }
		case " $have " in
		*" $key "*) die "$list:$n: '$key:' given twice in one entry" ;;
		esac
		case $key in
		id) id=$val ;;
		file) file=$val ;;
		find) find=$val ;;
		replace) repl=$val ;;
		desc) desc=$val ;;
		*) die "$list:$n: unknown key '$key:'" ;;
		esac
		have="$have $key"
	done < "$list"
	flush
}

# Fails (status 1, with a message) unless $2 occurs exactly once in file $1.
check_once() {
	local f=$1 find=$2 content rest
	[ -f "$f" ] || { echo "file $f not found"; return 1; }
	content=$(cat -- "$f"; printf x)
	case $content in
	*"$find"*) ;;
	*) echo "snippet not found in $f: $find"; return 1 ;;
	esac
	rest=${content#*"$find"}
	case $rest in
	*"$find"*) echo "snippet occurs more than once in $f: $find"; return 1 ;;
	esac
	return 0
}

# Replace the one occurrence of $2 in file $1 by $3 (literal strings).
apply_once() {
	local f=$1 find=$2 repl=$3 content pre post
	check_once "$f" "$find" >&2 || return 1
	content=$(cat -- "$f"; printf x)
	content=${content%x}
	pre=${content%%"$find"*}
	post=${content#*"$find"}
	printf '%s' "$pre$repl$post" > "$f"
}

[ -f "$list" ] || die "no list $list"
parse_list
[ "${#ids[@]}" -gt 0 ] || die "$list holds no mutation"

check_only=0
want=()
for a in "$@"; do
	case $a in
	--check) check_only=1 ;;
	-*) die "unknown option $a" ;;
	*) want+=("$a") ;;
	esac
done

# The mutants to run, by index; every named one must exist.
sel=()
if [ "${#want[@]}" -eq 0 ]; then
	for i in "${!ids[@]}"; do sel+=("$i"); done
else
	for w in "${want[@]}"; do
		found=""
		for i in "${!ids[@]}"; do
			if [ "${ids[$i]}" = "$w" ]; then found=$i; fi
		done
		[ -n "$found" ] || die "no mutation '$w' in $list"
		sel+=("$found")
	done
fi

# Every selected snippet must apply before anything is built.
bad=0
for i in "${sel[@]}"; do
	if ! msg=$(check_once "${files[$i]}" "${finds[$i]}"); then
		echo "mutation ${ids[$i]}: $msg" >&2
		bad=$((bad + 1))
	fi
done
if [ "$bad" -gt 0 ]; then
	die "$bad of ${#sel[@]} mutations do not apply to the current tree (see $list)"
fi
if [ "$check_only" -eq 1 ]; then
	echo "mutants: all ${#sel[@]} mutations apply (each snippet occurs once)"
	exit 0
fi

# ---- the scratch copy ----

scratch=$(mktemp -d "${TMPDIR:-/tmp}/tguard-mutants.XXXXXX")
cleanup() {
	if [ "${MUTANTS_KEEP:-0}" = 1 ]; then
		echo "mutants: scratch copy kept in $scratch" >&2
	else
		rm -rf "$scratch"
	fi
}
trap cleanup EXIT
tree=$scratch/tree
mkdir -p "$tree" "$logdir"
git ls-files -z | while IFS= read -r -d '' f; do
	if [ -f "$f" ]; then printf '%s\0' "$f"; fi
done | tar --null -T - -cf - | tar -xf - -C "$tree"

# ---- building and testing in the scratch copy ----

TESTS=(test_dsp test_bundle test_render test_truepeak test_lifecycle fuzz_replay_lv2 fuzz_replay_chain)
targets="bundle build/tguard-render build/test_dsp build/test_bundle build/test_render build/test_truepeak build/test_lifecycle build/fuzz_replay_lv2 build/fuzz_replay_chain"
if [ "$fuzz_secs" -gt 0 ]; then
	TESTS+=(fuzz_chain)
	targets="$targets build/fuzz/fuzz_chain"
fi
targets=${MUTANTS_TARGETS:-$targets}

# Run test $1 in the scratch tree; its output goes to $2. Sets t_rc, t_fail
# (the "fail: N" figure, or -1 without a report) and t_cases (the names of
# the failed cases, one per line).
run_test() {
	local t=$1 out=$2 line
	set +e
	case $t in
	fuzz_chain)
		# From the committed seeds each time: no mutant inherits what
		# the fuzzer learnt on another.
		rm -rf "$tree/build/fuzz/corpus_chain" "$tree/build/fuzz/artifacts"
		(cd "$tree" && timeout "$limit" sh host-test/fuzz/run.sh "$fuzz_secs" chain) > "$out" 2>&1 ;;
	*)
		# Through sh, whose notice of a crash goes to the log, not the
		# terminal; it exits with 128 + the signal.
		(cd "$tree" && sh -c 'timeout "$1" "$2"; exit $?' sh "$limit" "build/$t") > "$out" 2>&1 ;;
	esac
	t_rc=$?
	set -e
	line=$(grep -E '^Pass: [0-9]+, fail: [0-9]+' "$out" | tail -n 1 || true)
	if [ -n "$line" ]; then
		t_fail=$(echo "$line" | sed -E 's/^Pass: [0-9]+, fail: ([0-9]+).*/\1/')
	else
		t_fail=-1
	fi
	t_cases=$(sed -n -E 's/^FAIL ([^:]+):.*/\1/p' "$out" | sort -u)
}

build_tree() {
	# shellcheck disable=SC2086 # targets is a list of words
	(cd "$tree" && make -j"$jobs" $targets) > "$1" 2>&1
}

declare -A base_rc base_fail base_cases

baseline_log=$logdir/baseline.log
echo "mutants: ${#sel[@]} mutations from $list; scratch copy in $scratch"
echo "mutants: building the unmutated copy (log: ${baseline_log#"$top"/})"
if ! build_tree "$baseline_log"; then
	tail -n 20 "$baseline_log" >&2
	die "the unmutated tree does not build: nothing can be judged"
fi
baseline_ok=1
for t in "${TESTS[@]}"; do
	run_test "$t" "$scratch/out"
	{ echo "== $t (exit $t_rc)"; cat "$scratch/out"; } >> "$baseline_log"
	base_rc[$t]=$t_rc
	base_fail[$t]=$t_fail
	base_cases[$t]=$t_cases
	if [ "$t_rc" -ne 0 ] || [ "$t_fail" -ne 0 ]; then
		baseline_ok=0
		echo "mutants: WARNING: the unmutated tree already fails $t (exit $t_rc, fail: $t_fail)${t_cases:+:} $(echo "$t_cases" | paste -sd ' ' -)"
	fi
done
if [ "$baseline_ok" -eq 0 ]; then
	echo "mutants: WARNING: mutants are judged only by failures the baseline does not have"
fi

# Why test $1 kills the mutant (empty when it does not), from its t_* figures
# against the baseline's.
kill_reason() {
	local t=$1 new="" c n_new=0
	if [ "$t_rc" -eq 124 ]; then
		echo "$t timed out after ${limit} s"
		return
	fi
	while IFS= read -r c; do
		[ -z "$c" ] && continue
		if ! grep -qxF -- "$c" <<< "${base_cases[$t]}"; then
			n_new=$((n_new + 1))
			if [ "$n_new" -le 3 ]; then
				new="$new${new:+, }$c"
			fi
		fi
	done <<< "$t_cases"
	if [ "$n_new" -gt 3 ]; then
		new="$new and $((n_new - 3)) more"
	fi
	if [ -n "$new" ]; then
		echo "$t: FAIL $new"
	elif [ "$t_fail" -gt "${base_fail[$t]}" ]; then
		if [ "$t" = fuzz_chain ]; then
			c=$(grep -h -m 1 -E 'invariant violated|ERROR: |runtime error' "$tree/build/fuzz/chain.log" 2>/dev/null || true)
			echo "$t${c:+: $c}"
		else
			echo "$t: fail: $t_fail"
		fi
	elif [ "$t_rc" -gt 128 ] && [ "${base_rc[$t]}" -le 128 ]; then
		echo "$t: killed by signal $((t_rc - 128))"
	elif [ "$t_fail" -lt 0 ] && [ "${base_fail[$t]}" -ge 0 ]; then
		echo "$t: no report, exit $t_rc"
	elif [ "$t_rc" -ne 0 ] && [ "${base_rc[$t]}" -eq 0 ]; then
		echo "$t: exit $t_rc"
	fi
}

# ---- the mutants ----

killed=0 total=0
for i in "${sel[@]}"; do
	id=${ids[$i]} file=${files[$i]} desc=${descs[$i]}
	log=$logdir/$id.log
	total=$((total + 1))
	t0=$SECONDS
	cp -- "$tree/$file" "$scratch/orig"
	apply_once "$tree/$file" "${finds[$i]}" "${repls[$i]}" || die "mutation $id does not apply"
	{
		echo "mutant $id: $desc"
		echo "in $file: '${finds[$i]}' -> '${repls[$i]}'"
		echo
	} > "$log"
	reasons=""
	if ! build_tree "$scratch/build.log"; then
		reasons="build failed"
		cat "$scratch/build.log" >> "$log"
	else
		cat "$scratch/build.log" >> "$log"
		for t in "${TESTS[@]}"; do
			run_test "$t" "$scratch/out"
			{ echo "== $t (exit $t_rc)"; cat "$scratch/out"; } >> "$log"
			r=$(kill_reason "$t")
			if [ -n "$r" ]; then
				reasons="$reasons${reasons:+; }$r"
			fi
		done
	fi
	# Restore with a fresh time stamp, so the next build recompiles it.
	cat -- "$scratch/orig" > "$tree/$file"
	touch -- "$tree/$file"
	echo "== $((SECONDS - t0)) s for this mutant" >> "$log"
	if [ -n "$reasons" ]; then
		killed=$((killed + 1))
		echo "killed $id: $desc ($reasons)"
	else
		echo "SURVIVED $id: $desc"
	fi
done

if [ "$baseline_ok" -eq 0 ]; then
	echo "mutants: WARNING: the unmutated tree fails some fast tests (see ${baseline_log#"$top"/})"
fi
echo "mutants: $killed killed of $total"
[ "$killed" -eq "$total" ] && [ "$baseline_ok" -eq 1 ]
