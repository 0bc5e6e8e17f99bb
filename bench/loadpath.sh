#!/bin/sh
# loadpath.sh [LIB SYMBOL]: keeps loader/loadpath.h's marks honest. Runs one
# first load in a fresh process under callgrind (build/bench/firstload child
# soload LIB SYMBOL; liblzma by default, a library that needs nothing but
# glibc) and prints the libsoload functions it runs that are not marked
# LOAD_PATH, then those marked that it does not run. Not a benchmark: make
# bench does not run it.
set -u
cd "$(dirname "$0")/.."
lib=${1:-/usr/lib/x86_64-linux-gnu/liblzma.so.5}
sym=${2:-lzma_version_string}
exe=build/bench/firstload
command -v valgrind >/dev/null || { echo "valgrind not installed" >&2; exit 1; }
tmp=$(mktemp -d /tmp/loadpath.XXXXXX) || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
valgrind --tool=callgrind --callgrind-out-file="$tmp/cg" --toggle-collect=sl_open \
	--toggle-collect=sl_sym "$exe" child soload "$lib" "$sym" \
	>/dev/null 2>&1 || { echo "the load failed under valgrind" >&2; exit 1; }
# Functions of libsoload's own objects (defined in build/loader/*.o).
objs=$(for c in loader/*.c; do echo "build/${c%.c}.o"; done)
nm --defined-only $objs | awk 'NF == 3 && $2 ~ /[tT]/ { print $3 }' |
	sed 's/\..*//' | sort -u >"$tmp/ours"
# Functions sl_open and sl_sym ran, by name, from the executable.
callgrind_annotate --threshold=100 --inclusive=no "$tmp/cg" 2>/dev/null |
	grep -F "/$exe]" | sed 's/ \[.*//; s/.*://; s/\..*//' | sort -u >"$tmp/ran"
# Functions the objects put in the marked section.
objdump -t $objs | awk '$4 == ".text.hot.load_path" && $3 == "F" { print $NF }' |
	sed 's/\..*//' | sort -u >"$tmp/marked"
comm -12 "$tmp/ran" "$tmp/ours" | comm -23 - "$tmp/marked" | sed 's/^/runs, not marked: /'
comm -23 "$tmp/marked" "$tmp/ran" | sed 's/^/marked, does not run: /'
echo "$(comm -12 "$tmp/ran" "$tmp/ours" | wc -l) functions run, $(wc -l <"$tmp/marked") marked"
