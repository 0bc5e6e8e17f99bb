#!/bin/sh
# make sweep: every shared library in the system's library directories,
# loaded through libsoload and through dlopen, each in a child process,
# and compared (build/tests/sweep/libsweep). glibc's own libraries are
# left out: libsoload refuses them by design and leaves them to dlopen.
# Writes one JSON line per library to BUILD/sweep.jsonl and prints the
# refusals grouped by reason, the differences, and the summary.
set -u
cd "$(dirname "$0")/../.."
build=${1:-build}
dirs=${SWEEP_DIRS:-/usr/lib/x86_64-linux-gnu}
out=$build/sweep.jsonl
list=$(mktemp)
trap 'rm -f "$list"' EXIT INT TERM

# One path per file (symlinks resolved, duplicates dropped), ELF only.
for d in $dirs; do
	find "$d" -maxdepth 1 \( -name 'lib*.so' -o -name 'lib*.so.*' \) \( -type f -o -type l \)
done | while read -r f; do readlink -f "$f"; done | sort -u | while read -r f; do
	case ${f##*/} in
	libc.so* | libm.so* | libpthread.so* | libdl.so* | librt.so* | libresolv.so* | \
		ld-linux* | libc_malloc_debug.so* | libmemusage.so* | libpcprofile.so* | \
		libSegFault.so* | libthread_db.so* | libanl.so* | libnsl.so* | libnss_*.so* | \
		libutil.so* | libBrokenLocale.so*)
		continue ;;
	esac
	[ "$(head -c 4 "$f" | od -An -c | tr -d ' ')" = '177ELF' ] && echo "$f"
done >"$list"

echo "\$ $build/tests/sweep/libsweep <$(wc -l <"$list") libraries of $dirs> > $out"
xargs "$build/tests/sweep/libsweep" <"$list" >"$out"
status=$?
# Several xargs batches print several summaries: add them up.
awk '
/^\{"summary"/ {
	line = $0; gsub(/[{}"]/, "", line); sub(/^summary:/, "", line)
	n = split(line, kv, ",")
	for (i = 1; i <= n; i++) { split(kv[i], p, ":"); sum[p[1]] += p[2]; if (!(p[1] in at)) at[p[1]] = i; name[i] = p[1] }
	next
}
/"soload":"ok"/ && /"dlopen":"ok"/ && !/"differing_symbols":0,/ { print "differs: " $0 }
/"writable_and_executable":true/ { print "W+X: " $0 }
!/"soload":"ok"/ {
	r = $0; sub(/.*"soload":"/, "", r); sub(/","dlopen".*/, "", r)
	sub(/^[^:]*: /, "", r)
	reasons[r (/"dlopen":"ok"/ ? "" : " (dlopen refuses too)")]++
}
END {
	for (r in reasons) printf "%5d refused by soload: %s\n", reasons[r], r
	printf "~summary:"
	for (i = 1; i in name; i++) printf " %s %d", name[i], sum[name[i]]
	printf "\n"
}' "$out" | sort | sed 's/^~//'
exit $status
