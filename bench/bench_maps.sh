#!/bin/sh
# mapscope maps --all against smem (per process, and -m per mapped file) and
# pmap -X over every process, and against plain cat of the very /proc files
# mapscope reads (smaps_rollup, smaps, comm of every process): whole
# processes taking turns in the same run (build/bench/alternate), each
# started through sh so they pay the same start-up.
# With fewer than 110 processes, sleepers are started so there are 100+.
# Acceptance (issue 6): maps --all <= 2x the time of cat of the same files,
# and far faster than smem.
name=maps
. "$(dirname "$0")/procs.sh"
at_least_procs 110

ours=$(script ours "exec build/mapscope maps --all")
cat=$(script cat "cat /proc/[0-9]*/smaps_rollup /proc/[0-9]*/smaps /proc/[0-9]*/comm 2>/dev/null; true")
pmap=$(script pmap "pmap -X \$(ls /proc | grep -E '^[0-9]+\$') 2>/dev/null; true")
smem=$(script smem "smem")
smem_m=$(script smem_m "smem -m")
echo "  ours:   $(cat "$dir/ours.sh")"
echo "  cat:    $(cat "$dir/cat.sh")"
echo "  pmap:   $(cat "$dir/pmap.sh")"
echo "  smem:   smem; smem -m"

t=$dir/times
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
