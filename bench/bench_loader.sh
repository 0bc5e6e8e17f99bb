#!/bin/sh
# libsoload against glibc's dynamic linker, alternating in one process:
# a full open + sym + close of libz, libbz2, liblzma and libsqlite3, and
# symbol lookups in a library with 10,000 exported functions.
# Target (issue 16): soload at most 0.8x glibc's time on libbz2, liblzma
# and libsqlite3; goal 0.5x. libz is there for the record (libelf already
# holds one in this process, so the target leaves it out).
set -u
cd "$(dirname "$0")/.."
LIBDIR=/usr/lib/x86_64-linux-gnu
ROUNDS=${ROUNDS:-150}
ITERS=${ITERS:-10}

if [ ! -e $LIBDIR/libsqlite3.so.0 ] && [ "$(id -u)" -eq 0 ]; then
	echo "installing libsqlite3-0" >&2
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libsqlite3-0 >/dev/null
fi

# Copies under another path: the benchmark process itself already maps
# libz (libelf needs it), and glibc would only raise that copy's count.
tmp=$(mktemp -d /tmp/bench_loader.XXXXXX) || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM

status=0
for pair in libz.so.1:zlibVersion libbz2.so.1.0:BZ2_bzlibVersion liblzma.so.5:lzma_version_string \
	libsqlite3.so.0:sqlite3_libversion; do
	lib=${pair%%:*}
	sym=${pair#*:}
	if [ ! -e "$LIBDIR/$lib" ]; then
		echo "$lib: not installed, skipped"
		continue
	fi
	cp "$LIBDIR/$lib" "$tmp/$lib"
	cmd="build/bench/loadbench open $ROUNDS $ITERS $tmp/$lib $sym"
	echo "\$ $cmd"
	$cmd || status=1
done
cmd="build/bench/loadbench sym 31 build/testlibs/libsyms10k.so 10000"
echo "\$ $cmd"
$cmd || status=1
exit $status
