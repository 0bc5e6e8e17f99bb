#!/bin/sh
# make demo: the story of mapscope in under a minute, on the sample library
# libtables (20,000 pointers that need relocating, so 160 pages of RELRO).
# Text goes to the terminal; every report is also saved as JSON in
# build/demo/.
set -eu
B=${B:-build}
LIB=$B/testlibs/libtables.so
OUT=$B/demo
mkdir -p "$OUT"

# Runs a tool twice, once for people (text) and once for scripts (JSON).
show() {
	name=$1
	shift
	echo
	echo "\$ $*"
	"$@" --format text
	"$@" --format json >"$OUT/$name.json"
}

step() {
	echo
	echo "== $*"
}

step "1. soload maps a library with mmap, relocates it and calls into it"
show call "$B/soload" call "$LIB" tables_count
show greet "$B/soload" call --ret str "$B/testlibs/libhello.so" hello_greet demo

step "2. What the loader will map: segments, relocations, RELRO"
show info "$B/soload" info "$LIB"

step "3. Four processes hold the library, loaded by glibc's dlopen, by soload," \
	"and by soload sharing its relocated pages (RELRO) through a cache file"
SOLOAD_SHARE_DIR=$(mktemp -d)
export SOLOAD_SHARE_DIR
show share "$B/mapscope" share -n 4 --loader all "$LIB"

step "4. One holder's view: its mappings of the library (the .relro cache file holds" \
	"the shared RELRO pages), who maps the file, and its page-cache residency"
in=$OUT/hold.stdin out=$OUT/hold.stdout
rm -f "$in" "$out" && mkfifo "$in" "$out"
"$B/soload" hold --share "$LIB" <"$in" >"$out" &
holder=$!
exec 3>"$in" 4<"$out"
# The holder prints one JSON line once the library is loaded; its stdin
# reaching end of file (closing fd 3) tells it to unload and exit.
read -r ready <&4 || { echo "soload hold failed" >&2; exit 1; }
echo "$ready" >"$OUT/hold.json"
show who "$B/mapscope" who "$LIB"
echo
echo "\$ $B/mapscope maps $holder --format text | grep -E 'Address|libtables|\.relro'"
"$B/mapscope" maps "$holder" --format text | grep -E 'Address|libtables|\.relro' || true
"$B/mapscope" maps "$holder" --format json >"$OUT/maps.json"
show file "$B/mapscope" file --ranges "$LIB"
exec 3>&- 4<&-
wait "$holder"
rm -f "$in" "$out"
rm -rf "$SOLOAD_SHARE_DIR"

step "5. What a cold load costs in page faults, against a warm one"
show faults-cold "$B/mapscope" faults --lib "$LIB" --call tables_count --loader soload \
	--cold "$LIB"
show faults-warm "$B/mapscope" faults --lib "$LIB" --call tables_count --loader soload

step "6. The I/O path: read() against mmap (writes go to a scratch copy, with the memory" \
	"they took), copying a file out with and without user-space copies, and waiting" \
	"on one pipe among many with select, poll and epoll (short forms: rows cut)"
data=$OUT/iobench.data
rm -f "$data"
# A file of our own: cold runs evict it from the page cache.
"$B/mapscope" iobench --size 16M "$data" --format json >"$OUT/iobench.json"
short() {
	pattern=$1
	shift
	echo
	echo "\$ $* --format text | grep -E '$pattern'"
	"$@" --format text | grep -E "$pattern" || true
}
short 'METHOD|^(read|mmap_shared|write_private|write_shared) .* warm|ANON' \
	"$B/mapscope" iobench "$data"
short 'METHOD|warm' "$B/mapscope" iobench "$data" --copy --to pipe,file
"$B/mapscope" iobench "$data" --copy --to pipe,file --format json >"$OUT/iobench-copy.json"
show iobench-multiplex "$B/mapscope" iobench --multiplex --fds 10,1000 --events 50
rm -f "$data"

echo
echo "JSON reports saved in $OUT/"
