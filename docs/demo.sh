#!/bin/sh
# make demo: the main job on an embedded default.
set -eu
B=build
echo "== mapscope file: page-cache residency of the sample libraries"
$B/mapscope file --format text $B/testlibs/*.so $B/libsoload.so
