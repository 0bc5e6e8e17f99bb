#!/bin/sh
# glibc_tests.sh [BUILD_DIR]: glibc's own dlopen tests, from Debian's
# glibc-source package, run plain and under `soload run` (make glibc-tests).
#
# The tests listed in tests/glibc/glibc_selection.txt and the pieces of
# glibc's support/ library they use are taken out of the source tarball into
# BUILD_DIR/glibc-tests/src (nothing of glibc's is kept in this repository),
# built into BUILD_DIR/glibc-tests/obj/elf as elf/Makefile builds them, and
# run from there with LD_LIBRARY_PATH naming that directory, as glibc's
# harness runs them with --library-path. Each test runs plain first: one that
# fails under glibc says nothing about libsoload and is not counted. Then it
# runs as `soload run --report -- ./TEST`, and must end as it did plain; the
# report says how many libraries libsoload mapped for it. A table and a pass
# count are printed; the exit status is 1 when a test fails under soload run
# that the selection does not mark known=, 0 otherwise (also when the
# tarball is missing: the tests are skipped with a message).
set -u
B=${1:-build}
case $B in /*) ;; *) B=$PWD/$B ;; esac
HERE=$(cd "$(dirname "$0")" && pwd)
SEL=$HERE/glibc_selection.txt
SHIM=$HERE/glibc_shim.h
TARBALL=${GLIBC_TARBALL:-/usr/src/glibc/glibc-2.36.tar.xz}
TOP=glibc-2.36
W=$B/glibc-tests
SRC=$W/src/$TOP
OBJ=$W/obj
LOG=$W/log
SOLOAD=$B/soload
CC=${CC:-cc}
CXX=${CXX:-c++}
# glibc's files include <config.h>, which its configure writes: ours is the
# shim. The tests include <support/...> from the source tree.
CFLAGS="-O2 -g -w -D_GNU_SOURCE -include $SHIM -I$W/include -I$SRC -I$SRC/sysdeps/generic"
# glibc links its tests with the linker's defaults; this machine's gcc adds
# --as-needed (and -Bsymbolic for shared objects), which would drop the
# DT_NEEDED entries elf/Makefile asks for and change symbol binding.
LINKDEF="-Wl,--no-as-needed -Wl,-Bno-symbolic"

if [ ! -r "$TARBALL" ]; then
	echo "glibc-tests: skipped: $TARBALL not found (apt-get install glibc-source)"
	exit 0
fi
if [ ! -x "$SOLOAD" ]; then
	echo "glibc-tests: $SOLOAD not built (make all)" >&2
	exit 1
fi

# The parts of support/ (libsupport) that the selected tests reach; the
# directory is extracted whole for its headers and included .c files.
SUPPORT="support_test_main check support_record_failure support_paths xdlfcn
	support_test_verify_impl support_test_compare_string support_quote_blob xmemstream
	temp_file xmalloc xasprintf oom_error write_message xfopen xfclose
	support_set_small_thread_stack_size xpthread_attr_setstacksize"

# Entries of the selection: "kind name fields..." without comments.
entries() {
	sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$SEL"
}

extract() {
	rm -rf "$W/src" && mkdir -p "$W/src" || return 1
	set -f
	# shellcheck disable=SC2046
	set -- $(entries | awk -v t="$TOP" '{ print t "/elf/" $2 ".c*" }') \
		"$TOP/elf/ifuncmod1.c" "$TOP/elf/tst-dlopen-nodelete-reloc-mod13.h" \
		"$TOP/elf/tst-dlopen-nodelete-reloc.h" \
		"$TOP/sysdeps/generic/ifunc-sel.h" "$TOP/dlfcn/dlfcn.h" "$TOP/support/*"
	set +f
	tar -C "$W/src" --wildcards -xJf "$TARBALL" "$@" && touch "$W/src/extracted"
}

# fields FIELD ENTRY...: the values of FIELD= (comma lists split), one a line.
field() {
	f=$1
	shift
	for a in "$@"; do
		case $a in "$f="*) echo "${a#"$f"=}" ;; esac
	done
}

# src NAME: its source in elf/, C or C++.
src() {
	if [ -f "$SRC/elf/$1.cc" ]; then echo "$SRC/elf/$1.cc"; else echo "$SRC/elf/$1.c"; fi
}
compiler() {
	case $1 in *.cc) echo "$CXX" ;; *) echo "$CC" ;; esac
}

# needs_args ENTRY...: -l:dep.so for every needs= module, in order.
needs_args() {
	field needs "$@" | tr ',' '\n' | sed -e '/^$/d' -e 's/.*/-l:&.so/'
}
ld_args() {
	field ld "$@" | sed "s|@OBJ@|$OBJ/elf|g"
}
cf_args() {
	field cf "$@" | sed "s|@OBJ@|$OBJ/elf|g"
}

build_support() {
	mkdir -p "$OBJ/support" || return 1
	objs=
	for s in $SUPPORT; do
		# support/ files include their neighbours as <xstdio.h>.
		$CC $CFLAGS -fPIC -I"$SRC/support" -c -o "$OBJ/support/$s.o" \
			"$SRC/support/$s.c" \
			-DSRCDIR_PATH="\"$SRC\"" -DOBJDIR_PATH="\"$OBJ\"" \
			-DOBJDIR_ELF_LDSO_PATH="\"/lib64/ld-linux-x86-64.so.2\"" \
			-DINSTDIR_PATH='"/usr"' -DLIBDIR_PATH='"/usr/lib"' \
			-DBINDIR_PATH='"/usr/bin"' -DSBINDIR_PATH='"/usr/sbin"' \
			-DSLIBDIR_PATH='"/lib/x86_64-linux-gnu"' \
			-DROOTSBINDIR_PATH='"/sbin"' \
			-DCOMPLOCALEDIR_PATH='"/usr/lib/locale"' || return 1
		objs="$objs $OBJ/support/$s.o"
	done
	rm -f "$OBJ/libsupport.a"
	# shellcheck disable=SC2086
	ar rcs "$OBJ/libsupport.a" $objs
}

# build_entry KIND NAME FIELDS...
build_entry() {
	kind=$1
	name=$2
	shift 2
	s=$(src "$name")
	zdefs=-Wl,-z,defs
	sup=
	for a in "$@"; do
		case $a in
		nozdefs) zdefs= ;;
		support) sup=$OBJ/libsupport.a ;;
		esac
	done
	# shellcheck disable=SC2046
	if [ "$kind" = mod ]; then
		(cd "$SRC/elf" && $(compiler "$s") $CFLAGS $(cf_args "$@") -fPIC -shared \
			-o "$OBJ/elf/$name.so" "$s" $sup $LINKDEF $zdefs -L"$OBJ/elf" \
			$(ld_args "$@") $(needs_args "$@"))
	else
		(cd "$SRC/elf" && $(compiler "$s") $CFLAGS $(cf_args "$@") \
			-o "$OBJ/elf/$name" "$s" $LINKDEF -L"$OBJ/elf" $(ld_args "$@") \
			$(needs_args "$@") "$OBJ/libsupport.a")
	fi
}

build() {
	echo "glibc-tests: building $(entries | grep -c '^test') tests from $TARBALL"
	rm -f "$W/built"
	mkdir -p "$OBJ/elf" "$W/include" || return 1
	if newer "$W/src/extracted"; then :; else extract || return 1; fi
	echo "#include \"$SHIM\"" >"$W/include/config.h" || return 1
	if newer "$OBJ/libsupport.a"; then :; else build_support || return 1; fi
	entries | while read -r kind name rest; do
		out=$OBJ/elf/$name
		[ "$kind" = mod ] && out=$out.so
		newer "$out" && continue
		# shellcheck disable=SC2086
		build_entry "$kind" "$name" $rest || {
			echo "glibc-tests: cannot build $name" >&2
			exit 1
		}
	done || return 1
	touch "$W/built"
}

# newer FILE: FILE exists and is newer than the tarball, the selection, the
# shim and this script (what a file built here depends on).
newer() {
	[ -e "$1" ] || return 1
	for f in "$TARBALL" "$SEL" "$SHIM" "$0"; do
		[ "$f" -nt "$1" ] && return 1
	done
	return 0
}

# Built once; what is older than its inputs is built again.
newer "$W/built" || build || exit 1

# run NAME MODE FIELDS...: runs the test plain or through soload run, its
# output in $LOG/NAME.MODE, and prints its exit status.
run() {
	name=$1
	mode=$2
	shift 2
	set -f
	# shellcheck disable=SC2046
	set -- $(field env "$@")
	set +f
	if [ "$mode" = plain ]; then
		pre=
	else
		pre="$SOLOAD run --report $LOG/$name.json --"
	fi
	# shellcheck disable=SC2086
	(cd "$OBJ/elf" && env LD_LIBRARY_PATH="$OBJ/elf" "$@" \
		timeout 60 $pre "./$name" >"$LOG/$name.$mode" 2>&1)
	echo $?
}

# soload_libs NAME: how many libraries libsoload mapped in the run.
soload_libs() {
	grep -o '"loaded_by": *"soload"' "$LOG/$name.json" 2>/dev/null | wc -l
}

rm -rf "$LOG" && mkdir -p "$LOG" || exit 1
start=$(date +%s)
total=0 pass=0 known=0 fail=0 excluded=0 served=0
printf '%-28s %-6s %-7s %-6s %s\n' TEST PLAIN SOLOAD LIBS RESULT
tests=$(entries | awk '$1 == "test"')
while read -r kind name rest; do
	# shellcheck disable=SC2086
	set -- $rest
	total=$((total + 1))
	want=$(field exit "$@")
	want=${want:-0}
	why_known=$(field known "$@")
	why_plain=$(field plain "$@")
	p=$(run "$name" plain "$@")
	if [ "$p" != "$want" ]; then
		excluded=$((excluded + 1))
		res="excluded: fails under plain glibc (${why_plain:-no reason given in the selection})"
		[ -n "$why_plain" ] || fail=$((fail + 1))
		printf '%-28s %-6s %-7s %-6s %s\n' "$name" "$p" - - "$res"
		continue
	fi
	s=$(run "$name" soload "$@")
	libs=$(soload_libs "$name")
	[ "$libs" -eq 0 ] || served=$((served + 1))
	if [ "$s" = "$want" ]; then
		pass=$((pass + 1))
		res=pass
		[ -z "$why_known" ] || res="pass (marked known: $why_known)"
	elif [ -n "$why_known" ]; then
		known=$((known + 1))
		res="known: $why_known"
	else
		fail=$((fail + 1))
		res="FAIL (see $LOG/$name.soload)"
	fi
	printf '%-28s %-6s %-7s %-6s %s\n' "$name" "$p" "$s" "$libs" "$res"
done <<EOF
$tests
EOF
end=$(date +%s)
echo "glibc-tests: $((total - excluded)) of $total pass plain; $pass pass under soload run," \
	"$known known failures (docs/loader.md), $fail unexpected; libsoload mapped" \
	"libraries in $served of them (LIBS; 0: every dlopen went to glibc); $((end - start)) s"
[ "$fail" -eq 0 ]
