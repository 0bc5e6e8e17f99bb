#!/bin/sh
# mapscope maps --all against smem (per process, and -m per mapped file) and
# pmap -X over every process, and against plain cat of the very /proc files
# mapscope reads (smaps_rollup, smaps, comm of every process): whole
# processes taking turns in the same run (build/bench/alternate), each
# started through sh so they pay the same start-up.
# With fewer than 110 processes, sleepers are started so there are 100+.
# Acceptance (issue 6): maps --all <= 2x the time of cat of the same files,
# and far faster than smem.
set -u
cd "$(dirname "$0")/.."
status=0
dir=${BENCH_DIR:-/tmp}/mapscope-bench-maps.$$
mkdir -p "$dir"
rounds=${ROUNDS:-15}
alt=build/bench/alternate
sleepers=""
cleanup() {
	[ -n "$sleepers" ] && kill $sleepers 2>/dev/null
	rm -rf "$dir"
}
trap cleanup EXIT INT TERM

if ! command -v smem >/dev/null 2>&1; then
	apt-get install -y smem >/dev/null 2>&1 || echo "(smem missing and not installable)"
fi

count_procs() { ls /proc | grep -cE '^[0-9]+$'; }
n=$(count_procs)
while [ "$n" -lt 110 ]; do
	sleep 600 &
	sleepers="$sleepers $!"
	n=$((n + 1))
done
echo "processes: $(count_procs) (sleepers started: $(echo $sleepers | wc -w))"

# Every command is a one-line script, so the glob is expanded at run time.
script() { printf '%s\n' "$2" >"$dir/$1.sh"; echo "sh $dir/$1.sh"; }
ours=$(script ours "exec build/mapscope maps --all")
cat=$(script cat "cat /proc/[0-9]*/smaps_rollup /proc/[0-9]*/smaps /proc/[0-9]*/comm 2>/dev/null; true")
pmap=$(script pmap "pmap -X \$(ls /proc | grep -E '^[0-9]+\$') 2>/dev/null; true")
smem=$(script smem "smem")
smem_m=$(script smem_m "smem -m")
echo "  ours:   $(cat "$dir/ours.sh")"
echo "  cat:    $(cat "$dir/cat.sh")"
echo "  pmap:   $(cat "$dir/pmap.sh")"
echo "  smem:   smem; smem -m"

median() { awk -v c="$1" 'index($0, c) { print $1; exit }' "$2"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }'; }
verdict() { awk -v r="$1" -v t="$2" 'BEGIN { print (r <= t) ? "met" : "NOT met" }'; }

t=$dir/times
have_smem=$(command -v smem >/dev/null 2>&1 && echo yes || echo no)
if [ "$have_smem" = yes ]; then
	echo "\$ $alt -n $rounds -- $ours -- $cat -- $pmap -- $smem -- $smem_m"
	$alt -n "$rounds" -- $ours -- $cat -- $pmap -- $smem -- $smem_m >"$t" || status=1
else
	echo "\$ $alt -n $rounds -- $ours -- $cat -- $pmap"
	$alt -n "$rounds" -- $ours -- $cat -- $pmap >"$t" || status=1
fi
echo "median ms, fastest ms, peak RSS KiB, command:"
cat "$t"
o=$(median "$ours" "$t")
c=$(ratio "$o" "$(median "$cat" "$t")")
echo "maps --all / cat of the same files: ${c}x (median; target <= 2x): $(verdict "$c" 2)"
[ "$(verdict "$c" 2)" = met ] || status=1
echo "maps --all / pmap -X over all: $(ratio "$o" "$(median "$pmap" "$t")")x"
if [ "$have_smem" = yes ]; then
	echo "maps --all / smem: $(ratio "$o" "$(median "$smem" "$t")")x;" \
		"/ smem -m: $(ratio "$o" "$(median "$smem_m" "$t")")x"
fi
exit $status
