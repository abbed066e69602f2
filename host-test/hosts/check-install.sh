#!/bin/sh
# The installation conventions: make install honours PREFIX, LV2DIR,
# BINDIR, MANDIR and DESTDIR, and installs the man page beside the program; make uninstall removes exactly what install put
# there; make install-user puts the bundle in ~/.lv2, where lv2ls finds
# the three plugins without LV2_PATH; the version lives only in the
# Makefile and reaches lv2:minorVersion and lv2:microVersion.
CHECK=install
. "$(dirname "$0")/common.sh"
need lv2ls lilv-utils
m() { make --no-print-directory -C "$ROOT" "$@" > "$TMP/make.log" 2>&1 || { sed 's/^/    /' "$TMP/make.log"; fail "make $* failed"; }; }
tree() { (cd "$1" && find . | LC_ALL=C sort); }

# The bundle as built: what every install must hold.
(cd "$BUNDLE" && find . -type f | LC_ALL=C sort) > "$TMP/bundle-files"
nfiles=$(wc -l < "$TMP/bundle-files")

# DESTDIR and PREFIX, into a stage that already holds someone else's files.
stage=$TMP/stage
mkdir -p "$stage/usr/lib/lv2/other.lv2" "$stage/usr/bin" "$stage/usr/share/man/man1"
echo '# another bundle' > "$stage/usr/lib/lv2/other.lv2/manifest.ttl"
echo other > "$stage/usr/bin/other"
echo '.TH OTHER 1' > "$stage/usr/share/man/man1/other.1"
tree "$stage" > "$TMP/before"
m install DESTDIR="$stage" PREFIX=/usr
(cd "$stage/usr/lib/lv2/tguard.lv2" && find . -type f | LC_ALL=C sort) > "$TMP/installed"
cmp -s "$TMP/bundle-files" "$TMP/installed" || { diff "$TMP/bundle-files" "$TMP/installed"; fail "DESTDIR install differs from the bundle"; }
[ -x "$stage/usr/bin/tguard-render" ] || fail "no $stage/usr/bin/tguard-render"
[ -x "$stage/usr/lib/lv2/tguard.lv2/tguard.so" ] || fail "tguard.so is not executable"
# The man page, as written, where man finds it by name.
page=$stage/usr/share/man/man1/tguard-render.1
cmp -s "$ROOT/docs/tguard-render.1" "$page" || fail "no $page, or it differs from docs/tguard-render.1"
[ "$(stat -c %a "$page")" = 644 ] || fail "$page is mode $(stat -c %a "$page"), not 644"
if command -v man > /dev/null 2>&1; then
	MANPATH="$stage/usr/share/man" man -w tguard-render | grep -qx "$page" ||
		fail "man -w tguard-render does not find $page"
fi
# The installed bundle works from there alone.
LV2_PATH="$stage/usr/lib/lv2" lv2ls | grep -c '^urn:tguard:' > "$TMP/n"
[ "$(cat "$TMP/n")" = 3 ] || fail "lv2ls finds $(cat "$TMP/n") tguard plugins in the DESTDIR tree"
m uninstall DESTDIR="$stage" PREFIX=/usr
tree "$stage" > "$TMP/after"
cmp -s "$TMP/before" "$TMP/after" || { diff "$TMP/before" "$TMP/after"; fail "uninstall did not restore the tree"; }
say "ran: make install DESTDIR PREFIX=/usr: $nfiles bundle files + bin/tguard-render + share/man/man1/tguard-render.1; make uninstall restored the tree exactly"

# LV2DIR, BINDIR and MANDIR on their own.
m install DESTDIR="$TMP/s2" LV2DIR=/opt/lv2 BINDIR=/opt/bin MANDIR=/opt/man
[ -f "$TMP/s2/opt/lv2/tguard.lv2/manifest.ttl" ] && [ -x "$TMP/s2/opt/bin/tguard-render" ] &&
	[ -f "$TMP/s2/opt/man/man1/tguard-render.1" ] ||
	fail "LV2DIR, BINDIR or MANDIR not honoured"
m uninstall DESTDIR="$TMP/s2" LV2DIR=/opt/lv2 BINDIR=/opt/bin MANDIR=/opt/man
[ -z "$(find "$TMP/s2" -type f)" ] || fail "uninstall with LV2DIR left files"
say "ran: make install/uninstall LV2DIR=/opt/lv2 BINDIR=/opt/bin MANDIR=/opt/man"

# Per user: ~/.lv2 in a private HOME, found without LV2_PATH.
home=$TMP/home
mkdir -p "$home"
pre=$(env -u LV2_PATH HOME="$home" lv2ls | grep -c '^urn:tguard:' || true)
m install-user HOME="$home"
(cd "$home/.lv2/tguard.lv2" && find . -type f | LC_ALL=C sort) > "$TMP/installed"
cmp -s "$TMP/bundle-files" "$TMP/installed" || fail "install-user differs from the bundle"
env -u LV2_PATH HOME="$home" lv2ls > "$TMP/lv2ls"
for p in stereo mono sum; do
	grep -qx "urn:tguard:$p" "$TMP/lv2ls" || fail "lv2ls without LV2_PATH does not list urn:tguard:$p"
done
if [ "$pre" != 0 ]; then
	say "note: tguard is also installed system-wide here, so lv2ls found it before install-user too"
fi
# Where lilv loaded it from: the per-user copy.
env -u LV2_PATH HOME="$home" lv2info urn:tguard:stereo | grep -q "Bundle: *file://$home/.lv2/tguard.lv2/" ||
	{ [ "$pre" != 0 ] || fail "lv2info does not show the bundle in ~/.lv2"; }
m uninstall-user HOME="$home"
[ ! -e "$home/.lv2/tguard.lv2" ] || fail "uninstall-user left $home/.lv2/tguard.lv2"
say "ran: make install-user with HOME=$home: lv2ls (no LV2_PATH) lists the 3 plugins; uninstall-user removed them"

# One version, in the Makefile, reaching the manifest.
v=$(sed -n 's/^VERSION = //p' "$ROOT/Makefile")
others=$(cd "$ROOT" && grep -rlF "$v" --exclude-dir=build --exclude-dir=.git --exclude-dir=references . |
	grep -v '^./Makefile$' | grep -v '^./debian/changelog$' | tr '\n' ' ' || true)
[ -z "$others" ] || say "note: $v also appears in: $others"
# The package's version, the one copy make deb also holds to the Makefile.
deb_v=$(sed -n '1s/^tguard (\([^)]*\)).*/\1/p' "$ROOT/debian/changelog")
[ "$deb_v" = "$v" ] || fail "debian/changelog is at $deb_v, the Makefile at $v"
minor=$(echo "$v" | cut -d. -f2)
micro=$(echo "$v" | cut -d. -f3)
got=$(sordi -i turtle -o ntriples "$BUNDLE/manifest.ttl" | awk '
	$2 ~ /minorVersion>$/ { mi[$1] = $3 } $2 ~ /microVersion>$/ { mc[$1] = $3 }
	END { for (p in mi) { a = mi[p]; b = mc[p]; gsub(/"|\^\^.*/, "", a); gsub(/"|\^\^.*/, "", b); print p, a, b } }' | sort)
[ "$(echo "$got" | grep -c " $minor $micro$")" = 3 ] || { echo "$got"; fail "manifest versions are not $minor.$micro"; }
# A different version reaches a fresh manifest.
m "$TMP/vb/tguard.lv2/manifest.ttl" BUILD="$TMP/vb" VERSION=2.7.3
[ "$(grep -c 'lv2:minorVersion 7 ;' "$TMP/vb/tguard.lv2/manifest.ttl")" = 3 ] &&
	[ "$(grep -c 'lv2:microVersion 3 ;' "$TMP/vb/tguard.lv2/manifest.ttl")" = 3 ] ||
	fail "VERSION=2.7.3 does not reach the manifest"
say "ran: VERSION $v (Makefile, and debian/changelog alike) is lv2:minorVersion $minor, lv2:microVersion $micro on all 3 plugins; VERSION=2.7.3 gives 7 and 3"
pass "DESTDIR/PREFIX/LV2DIR/BINDIR/MANDIR install, man page, exact uninstall, install-user found by lv2ls without LV2_PATH, one version"
