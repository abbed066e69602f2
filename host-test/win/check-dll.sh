#!/bin/sh
# The Windows plugin binary exports lv2_descriptor alone, and imports only
# DLLs every Windows has (libgcc and libssp are linked in): a DLL from
# mingw's runtime (libgcc_s_seh-1, libssp-0, libwinpthread-1) would be
# missing on a user's machine and the host would not load the plugin.
#
#   check-dll.sh OBJDUMP DLL [-v]    -v: list the imported functions too
set -eu
objdump=$1
dll=$2
verbose=
[ "${3:-}" = -v ] && verbose=1
dump=$("$objdump" -p "$dll") || { echo "FAIL: $objdump -p $dll"; exit 1; }
exports=$(echo "$dump" | awk '/^\[Ordinal\/Name Pointer\] Table/ { t = 1; next } t && NF == 0 { t = 0 } t { print $NF }')
if [ "$exports" != lv2_descriptor ]; then
	echo "FAIL: $dll exports:" $exports "(lv2_descriptor alone expected)"
	exit 1
fi
bad=""
imports=""
for d in $(echo "$dump" | sed -n 's/^[[:space:]]*DLL Name: //p'); do
	n=$(echo "$dump" | awk -v d="$d" -v v="$verbose" '/DLL Name: / { on = ($3 == d); next } on && /^\t[0-9a-f]+\t *[0-9]+ +[A-Za-z_]/ { c++; if (v) print "    " d ": " $NF > "/dev/stderr" } on && NF == 0 && c { on = 0 } END { print c + 0 }')
	imports="$imports $d($n)"
	# Windows' own: the kernel, the C runtime (msvcrt, or the UCRT's
	# api-ms-win-crt-* with another toolchain) and advapi32 (libssp's
	# random canary).
	case $(echo "$d" | tr 'A-Z' 'a-z') in
	kernel32.dll | msvcrt.dll | advapi32.dll | ucrtbase.dll | api-ms-win-crt-*.dll) ;;
	*) bad="$bad $d" ;;
	esac
done
[ -z "$bad" ] || { echo "FAIL: $dll imports DLLs Windows does not have:$bad"; exit 1; }
echo "dll: $dll exports lv2_descriptor alone; imports (functions):$imports"
