#!/bin/sh
# tguard-render's --version and its man page, held to the program:
#   sh host-test/tests/check-manpage.sh [RENDER [PAGE [VERSION]]]
# (from the source tree; defaults build/tguard-render, docs/tguard-render.1
# and the Makefile's VERSION). Each check counts once in greatest's
# "Pass: P, fail: F" line, which make check adds up; exit 1 on a failure.
set -u
cd "$(dirname "$0")/../.."
render=${1:-build/tguard-render}
page=${2:-docs/tguard-render.1}
version=${3:-$(sed -n 's/^VERSION = //p' Makefile)}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/tguard-manpage.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0
ok() { passed=$((passed + 1)); echo "ok: $*"; }
bad() { failed=$((failed + 1)); echo "FAIL: $*"; }

# --version: the Makefile's VERSION, one line on stdout, exit 0; --help names it.
"$render" --version > "$tmp/version" 2> "$tmp/version.err"
rc=$?
if [ $rc -eq 0 ] && [ "$(cat "$tmp/version")" = "tguard-render $version" ] && [ ! -s "$tmp/version.err" ]; then
	ok "--version prints \"tguard-render $version\""
else
	bad "--version: exit $rc, printed \"$(cat "$tmp/version" "$tmp/version.err")\", want \"tguard-render $version\""
fi

# No warnings from man, in the ASCII and the UTF-8 device, at two widths
# (line breaking is where groff warns on a page that reads well at one).
"$render" --help > "$tmp/help" 2>&1 || bad "--help exits non-zero"
for loc in C C.UTF-8; do
	warned=0
	for width in 80 60; do
		LC_ALL=$loc MANWIDTH=$width man --warnings -l "$page" > /dev/null 2> "$tmp/warn"
		rc=$?
		if [ $rc -ne 0 ] || [ -s "$tmp/warn" ]; then
			warned=1
			echo "  LC_ALL=$loc MANWIDTH=$width man --warnings -l $page: exit $rc"
			sed 's/^/    /' "$tmp/warn"
		fi
	done
	if [ $warned -eq 0 ]; then ok "man --warnings -l $page: no warnings (LC_ALL=$loc, 80 and 60 columns)"; else bad "man warns on $page (LC_ALL=$loc)"; fi
done

# The page as a reader sees it, for the comparisons below (ASCII: \- is -).
LC_ALL=C MANWIDTH=200 man -l "$page" 2> /dev/null | col -b > "$tmp/page"
[ -s "$tmp/page" ] || bad "man -l $page renders nothing"

# Every long option of --help in the page, and no other (but in the
# examples, which run other programs too: systemctl --user).
grep -oE -- '--[a-z][a-z-]*' "$tmp/help" | LC_ALL=C sort -u > "$tmp/help-opts"
sed '/^EXAMPLES/,/^SEE ALSO/d' "$tmp/page" | grep -oE -- '--[a-z][a-z-]*' | LC_ALL=C sort -u > "$tmp/page-opts"
missing=$(LC_ALL=C comm -23 "$tmp/help-opts" "$tmp/page-opts" | tr '\n' ' ')
extra=$(LC_ALL=C comm -13 "$tmp/help-opts" "$tmp/page-opts" | tr '\n' ' ')
if [ -z "$missing" ] && [ -z "$extra" ] && [ -s "$tmp/help-opts" ]; then
	ok "the page has the $(wc -l < "$tmp/help-opts") long options of --help and no other"
else
	bad "long options: missing from the page: ${missing:-none}; in the page, not in --help: ${extra:-none}"
fi

# Each short option as --help pairs it: "-p, --preset".
pairs=$(grep -oE -- '^  -[a-zA-Z], --[a-z-]+' "$tmp/help" | sed 's/^  //')
echo "$pairs" | while IFS= read -r p; do grep -qF -- "$p" "$tmp/page" || echo "$p"; done > "$tmp/missing-pairs"
if [ -n "$pairs" ] && [ ! -s "$tmp/missing-pairs" ]; then
	ok "the page pairs each short option with its long one as --help does ($(echo "$pairs" | wc -l))"
else
	bad "short options missing from the page: $(tr '\n' ' ' < "$tmp/missing-pairs")"
fi

# Each built-in signal of --help, with its description, under SIGNALS.
sed -n '/^signals/,$p' "$tmp/help" | sed -n 's/^  \([a-z0-9]*\) .*/\1/p' > "$tmp/signals"
sed -n '/^SIGNALS/,/^[A-Z]/p' "$tmp/page" | tr -s ' \t\n' ' ' > "$tmp/page-signals"
missing=""
while IFS= read -r s; do
	what=$(sed -n "s/^  $s  *[0-9]* s  //p" "$tmp/help")
	grep -qF "$s" "$tmp/page-signals" && grep -qF -- "$what" "$tmp/page-signals" || missing="$missing $s"
done < "$tmp/signals"
if [ -s "$tmp/signals" ] && [ -z "$missing" ]; then
	ok "SIGNALS lists the $(wc -l < "$tmp/signals") built-in signals of --help, as --help describes them"
else
	bad "signals missing from SIGNALS, or described otherwise:$missing"
fi

# Each exit code of the source, 0 and 1..9, under EXIT STATUS.
codes=$(sed -n 's/^[[:space:]]*EXIT_[A-Z]* = \([0-9]*\),.*/\1/p' host-test/tguard-render/tguard-render.c)
sed -n '/^EXIT STATUS/,/^[A-Z]/p' "$tmp/page" > "$tmp/page-exit"
missing=""
for c in 0 $codes; do
	grep -qE "^ +$c +[A-Z-]" "$tmp/page-exit" || missing="$missing $c"
done
if [ -n "$codes" ] && [ -z "$missing" ]; then
	ok "EXIT STATUS gives the codes 0 $(echo $codes) of tguard-render.c"
else
	bad "exit codes missing from EXIT STATUS:$missing"
fi

echo "Pass: $passed, fail: $failed, skip: 0."
[ $failed -eq 0 ]
