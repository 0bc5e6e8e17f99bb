#!/bin/sh
# Memory of N processes holding libssl.so.3 (and its libcrypto) under glibc's
# dlopen, soload, and soload with RELRO sharing, in one run: `mapscope share
# --loader all` starts N holders per loader, one loader after the other, and
# reads each holder's own /proc/PID/smaps. Memory figures are not timing, so
# the busy machine does not skew them; the order of loaders does not matter
# because each loader's holders are gone before the next start.
#
# Acceptance (issue 4), at N=8: private dirty bytes of the libssl+libcrypto
# mappings under soload-share <= 0.25x dlopen's; text PSS no worse than
# dlopen's. PSS divides each page among all processes mapping it, so other
# programs that map libssl or libcrypto during the run (other users' tests
# on a shared machine) move text PSS by a few percent either way; text RSS,
# printed beside it, does not depend on them.
set -u
cd "$(dirname "$0")/.."
lib=${SHARE_LIB:-libssl.so.3}
status=0

# The tables of `mapscope share --format text --bytes`: a row per figure,
# a column per loader (dlopen, soload, soload-share).
ratio() { # ratio ROW FILE: the soload-share column of "ROW / dlopen", or "?"
	awk -v a="$1" '$1 == a && $2 == "/" && $3 == "dlopen" { sub("x", "", $NF); v = $NF }
		END { print v == "" ? "?" : v }' "$2"
}

bytes() { # bytes ROW COLUMN FILE: a row's bytes in column 1 dlopen, 2 soload, 3 soload-share
	awk -v a="$1" -v col="$2" '$1 == a && $2 != "/" { v = $(1 + col) } END { print v == "" ? "?" : v }' "$3"
}

median() { # the median of the numbers on standard input
	sort -g | awk '{ v[NR] = $1 } END { print NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

rounds=${SHARE_ROUNDS:-5}
out=$(mktemp)
samples=$(mktemp)
trap 'rm -f "$out" "$samples"' EXIT INT TERM
for n in 8 16; do
	cmd="build/mapscope share -n $n --loader all --format text --bytes $lib"
	# Several rounds, each running the loaders one after the other; the
	# table of the first is shown. Text PSS moves with whatever else maps
	# the library during a round, so the verdict compares medians.
	: >"$samples"
	round=1
	while [ "$round" -le "$rounds" ]; do
		[ "$round" = 1 ] && echo "\$ $cmd"
		if ! $cmd >"$out"; then
			cat "$out"
			status=1
			round=$((round + 1))
			continue
		fi
		[ "$round" = 1 ] && cat "$out"
		echo "$(ratio PRIVATE_DIRTY "$out") $(bytes TEXT_PSS 1 "$out") $(bytes TEXT_PSS 3 "$out")" >>"$samples"
		round=$((round + 1))
	done
	[ -s "$samples" ] || continue
	# a table that does not parse gives no figure, and no verdict
	if grep -q '?' "$samples"; then
		echo "N=$n: the share table did not parse: NOT measured"
		status=1
		continue
	fi
	dirty=$(awk '{ print $1 }' "$samples" | median)
	pss_dlopen=$(awk '{ print $2 }' "$samples" | median)
	pss_share=$(awk '{ print $3 }' "$samples" | median)
	awk -v n="$n" -v r="$(wc -l <"$samples")" -v d="$dirty" -v a="$pss_dlopen" -v b="$pss_share" 'BEGIN {
		t = a > 0 ? b / a : 0
		printf "N=%d, median of %d rounds: soload-share/dlopen private dirty %.2fx (target <= 0.25x), ", n, r, d
		printf "text PSS %.1f KiB against %.1f KiB = %.2fx (target <= 1.00x): %s\n", b / 1024, a / 1024, t,
			(d <= 0.25 && b <= a) ? "met" : "NOT met"
	}'
	echo
done
exit $status
