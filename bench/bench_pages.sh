#!/bin/sh
# The pages a first load in a fresh process faults outside the libraries it
# loads, libsoload against glibc (issue 16, target 4: no more than glibc's,
# beyond the library's own). For each library: `mapscope faults` over
# `build/bench/firstload child soload|dlopen LIB SYMBOL` (the whole
# process, exec and start-up included, the same both ways), pages faulted
# per mapping; those of the library and of the dependencies it brings are
# the load's own, the rest (anonymous memory, the stack, libc, ld.so, the
# program) outside. The median of PAGES_RUNS runs (5) each way.
set -u
cd "$(dirname "$0")/.."
L=/usr/lib/x86_64-linux-gnu
runs=${PAGES_RUNS:-5}
exe=build/bench/firstload
libs=${PAGES_LIBS:-"liblzma.so.5:lzma_version_string libsqlite3.so.0:sqlite3_libversion
libcrypto.so.3:OpenSSL_version_num libssl.so.3:OPENSSL_init_ssl libxml2.so.2:xmlCheckVersion
libcurl.so.4:curl_version libQt5Core.so.5:qVersion libgtk-3.so.0:gtk_get_major_version
libLLVM-15.so.1:LLVMContextCreate"}

# The files a binary brings, resolved: itself and what ldd lists.
closure() {
	{
		echo "$1"
		ldd "$1" | awk '/=>/ { print $3 }'
	} | xargs -r readlink -f | sort -u
}

median() {
	sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

# Each mapping's pages, "PAGES PATH", from the JSON (the text table shows
# the 20 largest only).
pages_by_mapping() {
	build/mapscope faults --format json -- "$exe" child "$1" "$2" "$3" 2>/dev/null |
		grep -o '"path":"[^"]*","minor":[0-9]*,"major":[0-9]*,"pages":[0-9]*' |
		sed 's/^"path":"\([^"]*\)".*"pages":\([0-9]*\)$/\2 \1/'
}

# One run: "outside anonymous own" pages for side (soload or dlopen).
one_run() {
	pages_by_mapping "$1" "$2" "$3" |
		while read -r pages mapping; do
			real=$(readlink -f "$mapping" 2>/dev/null || echo "$mapping")
			if grep -qxF "$real" "$tree"; then
				echo "own $pages"
			else
				echo "outside $pages $mapping"
			fi
		done |
		awk '$1 == "own" { own += $2 } $1 == "outside" { out += $2 }
		     $3 == "[" || $3 == "[heap]" { anon += $2 }
		     END { print out + 0, anon + 0, own + 0 }'
}

tmp=$(mktemp -d /tmp/bench_pages.XXXXXX) || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
tree=$tmp/tree
closure "$exe" >"$tmp/base"
measured=0
within=0
over=
echo "\$ build/mapscope faults --format json -- $exe child soload|dlopen LIB SYMBOL" \
	"(median of $runs runs each)"
echo "| library | outside: glibc | libsoload | anonymous: glibc | libsoload | its own: glibc | libsoload |"
echo "|---|---|---|---|---|---|---|"
for pair in $libs; do
	lib=${pair%%:*}
	sym=${pair#*:}
	if [ ! -e "$L/$lib" ]; then
		echo "| $lib | not installed, skipped | | | | | |"
		continue
	fi
	closure "$L/$lib" | grep -vxF -f "$tmp/base" >"$tree"
	for side in dlopen soload; do
		: >"$tmp/$side"
		for _ in $(seq "$runs"); do
			one_run "$side" "$lib" "$sym" >>"$tmp/$side"
		done
	done
	row="| $lib"
	for col in 1 2 3; do
		for side in dlopen soload; do
			row="$row | $(cut -d' ' -f$col "$tmp/$side" | median)"
		done
	done
	echo "$row |"
	anon_glibc=$(cut -d' ' -f2 "$tmp/dlopen" | median)
	anon_ours=$(cut -d' ' -f2 "$tmp/soload" | median)
	measured=$((measured + 1))
	if [ "$anon_ours" -le "$anon_glibc" ]; then
		within=$((within + 1))
	else
		over="$over $lib ($anon_ours/$anon_glibc)"
	fi
done
# The anonymous pages are the steady column: the file pages outside (libc,
# ld.so, the stack, the program) move by one or two from run to run on both
# sides, as the first page each 64 KiB fault-around window faults changes.
echo
echo "anonymous pages at or below glibc's: $within of $measured libraries${over:+; above:$over}"
