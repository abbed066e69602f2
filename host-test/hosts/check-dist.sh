#!/bin/sh
# make dist: the versioned tarball holds the sources, references, presets,
# docs and these checks, and its own make check passes when unpacked
# outside any git checkout.
CHECK=dist
. "$(dirname "$0")/common.sh"
command -v git > /dev/null 2>&1 && git -C "$ROOT" rev-parse --git-dir > /dev/null 2>&1 ||
	skip "not a git checkout: make dist lists the tree with git"
v=$(sed -n 's/^VERSION = //p' "$ROOT/Makefile")
make --no-print-directory -C "$ROOT" dist > "$TMP/make.log" 2>&1 || { cat "$TMP/make.log"; fail "make dist failed"; }
tarball=$BUILD/tguard-$v.tar.gz
[ -f "$tarball" ] || fail "no $tarball"
tar -tzf "$tarball" > "$TMP/list"
for f in Makefile README.md LICENSE ttl/manifest.ttl.in ttl/tguard.ttl.in plugin/lv2/ports.def plugin/lv2/ttlgen.c plugin/dsp/chain.c \
	host-test/tguard-render/tguard-render.c docs/tguard-render.1 host-test/hosts/hosts.mk host-test/hosts/run.sh .ci/run; do
	grep -qx "tguard-$v/$f" "$TMP/list" || fail "$f is not in the tarball"
done
for f in $(cd "$ROOT" && ls docs/*.md); do
	grep -qx "tguard-$v/$f" "$TMP/list" || fail "$f is not in the tarball"
done
for d in presets host-test/references docs/presets; do
	want=$(cd "$ROOT" && find "$d" -type f | wc -l)
	got=$(grep -c "^tguard-$v/$d/." "$TMP/list")
	[ "$got" = "$want" ] || fail "$d: $got of $want files in the tarball"
done
if grep -E "^tguard-$v/build/" "$TMP/list" > /dev/null; then fail "the tarball holds build/"; fi
say "ran: make dist: $tarball, $(wc -l < "$TMP/list") files, $(du -k "$tarball" | cut -f1) KiB"

tar -xzf "$tarball" -C "$TMP"
start=$(date +%s)
make --no-print-directory -C "$TMP/tguard-$v" check > "$TMP/check.log" 2>&1
rc=$?
line=$(tail -n 1 "$TMP/check.log")
if [ $rc -ne 0 ] || ! echo "$line" | grep -Eq '^[0-9]+ passed, 0 failed$'; then
	tail -n 30 "$TMP/check.log" | sed 's/^/    /'
	fail "make check in the unpacked tarball: exit $rc, last line \"$line\""
fi
say "ran: make check in the unpacked tguard-$v/ ($(( $(date +%s) - start )) s): $line"
pass "tguard-$v.tar.gz is complete and passes its own make check"
