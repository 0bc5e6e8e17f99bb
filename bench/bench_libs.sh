#!/bin/sh
# mapscope libs against plain cat of every /proc/PID/smaps (the floor: the
# kernel's text that libs reads and parses) and against smem -m (per mapped
# file) when installed: whole processes taking turns in the same run
# (build/bench/alternate), each started through sh so they pay the same
# start-up. With fewer than 110 processes, sleepers are started so there are
# 100+. Then the peak RSS of libs with 400 more processes mapping the same
# libraries: it grows with distinct libraries, not with processes.
# Acceptance (issue 17): libs <= 1.5x the time of cat /proc/*/smaps.
name=libs
. "$(dirname "$0")/procs.sh"
at_least_procs 110

ours=$(script ours "exec build/mapscope libs")
text=$(script text "exec build/mapscope libs --format text")
cat=$(script cat "cat /proc/[0-9]*/smaps 2>/dev/null; true")
smem_m=$(script smem_m "smem -m")
echo "  ours:   $(cat "$dir/ours.sh"); $(cat "$dir/text.sh")"
echo "  cat:    $(cat "$dir/cat.sh")"
echo "  smem:   smem -m"

t=$dir/times
if [ "$have_smem" = yes ]; then
	echo "\$ $alt -n $rounds -- $ours -- $cat -- $text -- $smem_m"
	$alt -n "$rounds" -- $ours -- $cat -- $text -- $smem_m >"$t" || status=1
else
	echo "\$ $alt -n $rounds -- $ours -- $cat -- $text"
	$alt -n "$rounds" -- $ours -- $cat -- $text >"$t" || status=1
fi
echo "median ms, fastest ms, peak RSS KiB, command:"
cat "$t"
o=$(median "$ours" "$t")
c=$(ratio "$o" "$(median "$cat" "$t")")
echo "libs / cat /proc/*/smaps: ${c}x (median; target <= 1.5x): $(verdict "$c" 1.5)"
[ "$(verdict "$c" 1.5)" = met ] || status=1
echo "libs --format text / cat: $(ratio "$(median "$text" "$t")" "$(median "$cat" "$t")")x"
if [ "$have_smem" = yes ]; then
	echo "libs / smem -m: $(ratio "$o" "$(median "$smem_m" "$t")")x"
fi

# Memory: the same libraries mapped by 400 more processes.
before=$(peak "$ours" "$t")
start_sleepers 400
t2=$dir/times2
$alt -n 3 -- $ours -- $cat >"$t2" || status=1
echo "processes: $(count_procs); median ms, fastest ms, peak RSS KiB, command:"
cat "$t2"
after=$(peak "$ours" "$t2")
echo "libs peak RSS: ${before} KiB, then ${after} KiB with 400 more processes" \
	"($(ratio "$after" "$before")x)"
exit $status
