#!/bin/sh
# make install into a temporary root with PREFIX=/usr, then build and run a
# program against the installed copy through its pkg-config file alone.
# Usage: sh tests/install_check.sh [BUILD_DIR]   (from the repository root)
set -eu
B=${1:-build}
root=$(mktemp -d /tmp/mapscope-install-XXXXXX)
trap 'rm -rf "$root"' EXIT

# A nested make must not join the jobserver of the make running the tests.
env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL \
	make -s --no-print-directory install B="$B" DESTDIR="$root" PREFIX=/usr >/dev/null

for f in bin/mapscope bin/soload lib/libsoload.so lib/libsoload.a lib/libsoload-preload.so \
	include/soload.h \
	lib/pkgconfig/soload.pc share/man/man1/mapscope.1 share/man/man1/soload.1 \
	share/man/man3/libsoload.3 share/bash-completion/completions/mapscope \
	share/bash-completion/completions/soload; do
	[ -f "$root/usr/$f" ] || { echo "not installed: /usr/$f" >&2; exit 1; }
done
grep -qx 'prefix=/usr' "$root/usr/lib/pkgconfig/soload.pc" ||
	{ echo "soload.pc does not name prefix=/usr:" >&2; cat "$root/usr/lib/pkgconfig/soload.pc" >&2; exit 1; }

export PKG_CONFIG_PATH="$root/usr/lib/pkgconfig" PKG_CONFIG_SYSROOT_DIR="$root"
export PKG_CONFIG_LIBDIR="$root/usr/lib/pkgconfig"
cat > "$root/prog.c" <<'PROG'
#include <soload.h>
#include <stdio.h>

/* Loads the library named on the command line and calls hello_add(2, 3). */
int main(int argc, char **argv)
{
	sl_lib *lib = argc > 1 ? sl_open(argv[1], 0) : NULL;
	int (*add)(int, int);

	if (!lib) {
		fprintf(stderr, "%s\n", sl_error());
		return 1;
	}
	add = (int (*)(int, int))sl_sym(lib, "hello_add");
	if (!add) {
		fprintf(stderr, "%s\n", sl_error());
		return 1;
	}
	printf("%d\n", add(2, 3));
	return sl_close(lib) == 0 ? 0 : 1;
}
PROG
# shellcheck disable=SC2046 # pkg-config's output is a list of words
cc -o "$root/prog" "$root/prog.c" $(pkg-config --cflags --libs soload)
out=$(LD_LIBRARY_PATH="$root/usr/lib" "$root/prog" "$B/testlibs/libhello.so")
[ "$out" = 5 ] || { echo "the program built against the install printed: $out" >&2; exit 1; }
# The program must have used the installed library, not the build tree's.
LD_LIBRARY_PATH="$root/usr/lib" ldd "$root/prog" | grep -q "$root/usr/lib/libsoload.so" ||
	{ echo "prog did not link the installed libsoload.so" >&2; exit 1; }
"$root/usr/bin/mapscope" --help >/dev/null
# The installed soload run finds the installed preload (../lib from bin).
"$root/usr/bin/soload" run --report "$root/run.json" -- true
grep -q "\"preload\":\"$root/usr/lib/libsoload-preload.so\"" "$root/run.json" ||
	{ echo "soload run did not use the installed preload:" >&2; cat "$root/run.json" >&2; exit 1; }
echo "install ok"
