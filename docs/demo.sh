#!/bin/sh
# make demo: the main job on an embedded default.
set -eu
B=build
echo "== mapscope file: page-cache residency of the sample libraries"
$B/mapscope file --format text $B/testlibs/*.so $B/libsoload.so

echo
echo "== soload: a sample library loaded by libsoload (not the system's dlopen), called"
$B/soload call --format text --ret str $B/testlibs/libhello.so hello_greet demo
echo
echo "== soload hold + mapscope maps: libtables as libsoload mapped it, and its residency"
tmp=$(mktemp -d)
mkfifo "$tmp/stdin"
$B/soload hold --format text $B/testlibs/libtables.so <"$tmp/stdin" >"$tmp/hold" &
exec 3>"$tmp/stdin" # the holder keeps the library until this closes
while [ ! -s "$tmp/hold" ]; do sleep 0.05; done
cat "$tmp/hold"
pid=$(sed -n 's/^pid \([0-9]*\).*/\1/p' "$tmp/hold")
$B/mapscope maps --format text "$pid" | grep -E 'libtables|^[^ 0-9]' || true
exec 3>&-
wait
rm -rf "$tmp"
