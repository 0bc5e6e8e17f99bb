#!/bin/sh
# The first load of a library in a fresh process, as a program feels it
# (issue 16): one sl_open + sl_sym against one dlopen(RTLD_NOW) + dlsym, each
# in a process of its own, text in the page cache, alternating, median of
# FIRSTLOAD_ROUNDS (61: with 11, a busy machine moved one library's ratio
# by 0.2 from one run to the next, libgtk-3 0.73x and 0.94x; with 21, ten
# runs in one hour gave a median of 0.74x-0.81x and a highest of
# 0.86x-1.09x, each high one a different library's outlier; with 61, five
# runs 0.75x-0.79x and 0.86x-0.92x: bench/README.md). Then the warm share
# cache: SL_SHARE with the cache already written, against plain dlopen, on
# the large C++ libraries.
# Targets: median ratio <= 0.8x and no library above 1.0x (goal 0.5x); warm
# share <= 0.8x. Then lazy binding: sl_open(SL_LAZY) against
# dlopen(RTLD_LAZY), on libraries linked without -z now (most of Debian's
# are linked with it, and both loaders bind those at load). Libraries
# missing on the machine are skipped.
set -u
cd "$(dirname "$0")/.."
L=/usr/lib/x86_64-linux-gnu
rounds=${FIRSTLOAD_ROUNDS:-61}
status=0
share_dir=$(mktemp -d /tmp/bench_firstload.XXXXXX) || exit 1
trap 'rm -rf "$share_dir"' EXIT INT TERM

libs="$L/liblzma.so.5:lzma_version_string $L/libsqlite3.so.0:sqlite3_libversion
$L/libcrypto.so.3:OpenSSL_version_num $L/libssl.so.3:OPENSSL_init_ssl
$L/libxml2.so.2:xmlCheckVersion $L/libcurl.so.4:curl_version $L/libQt5Core.so.5:qVersion
$L/libgtk-3.so.0:gtk_get_major_version $L/libLLVM-15.so.1:LLVMContextCreate"
echo "\$ build/bench/firstload -n $rounds <the libraries below>"
# shellcheck disable=SC2086
build/bench/firstload -n "$rounds" $libs || status=1

echo
echo "\$ SOLOAD_SHARE_DIR=<empty dir> build/bench/firstload -n $rounds -s libLLVM-15 libQt5Core"
SOLOAD_SHARE_DIR=$share_dir build/bench/firstload -n "$rounds" -s \
	"$L/libLLVM-15.so.1:LLVMContextCreate" "$L/libQt5Core.so.5:qVersion" || status=1

lazy="$L/libQt5Core.so.5:qVersion $L/libLLVM-15.so.1:LLVMContextCreate
$L/libpython3.11.so.1.0:Py_GetVersion $L/libgstreamer-1.0.so.0:gst_version
$L/libmpfr.so.6:mpfr_get_version $L/libstdc++.so.6:_ZNSt8ios_base4InitC1Ev"
echo
echo "\$ build/bench/firstload -n $rounds -l <the libraries below>"
# shellcheck disable=SC2086
build/bench/firstload -n "$rounds" -l $lazy || status=1
exit $status
