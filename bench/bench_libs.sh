#!/bin/sh
# mapscope libs against plain cat of every /proc/PID/smaps (the floor: the
# kernel's text that libs reads and parses) and against smem -m (per mapped
# file) when installed: whole processes taking turns in the same run
# (build/bench/alternate), each started through sh so they pay the same
# start-up. With fewer than 110 processes, sleepers are started so there are
# 100+. Then the peak RSS of libs with 400 more processes mapping the same
# libraries: it grows with distinct libraries, not with processes.
# Acceptance (issue 17): libs <= 1.5x the time of cat /proc/*/smaps.
set -u
cd "$(dirname "$0")/.."
status=0
dir=${BENCH_DIR:-/tmp}/mapscope-bench-libs.$$
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
start_sleepers() {
	i=0
	while [ "$i" -lt "$1" ]; do
		sleep 600 &
		sleepers="$sleepers $!"
		i=$((i + 1))
	done
}
n=$(count_procs)
[ "$n" -lt 110 ] && start_sleepers $((110 - n))
echo "processes: $(count_procs) (sleepers started: $(echo $sleepers | wc -w))"

# Every command is a one-line script, so the glob is expanded at run time.
script() { printf '%s\n' "$2" >"$dir/$1.sh"; echo "sh $dir/$1.sh"; }
ours=$(script ours "exec build/mapscope libs")
text=$(script text "exec build/mapscope libs --format text")
cat=$(script cat "cat /proc/[0-9]*/smaps 2>/dev/null; true")
smem_m=$(script smem_m "smem -m")
echo "  ours:   $(cat "$dir/ours.sh"); $(cat "$dir/text.sh")"
echo "  cat:    $(cat "$dir/cat.sh")"
echo "  smem:   smem -m"

median() { awk -v c="$1" 'index($0, c) { print $1; exit }' "$2"; }
peak() { awk -v c="$1" 'index($0, c) { print $3; exit }' "$2"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }'; }
verdict() { awk -v r="$1" -v t="$2" 'BEGIN { print (r <= t) ? "met" : "NOT met" }'; }

t=$dir/times
have_smem=$(command -v smem >/dev/null 2>&1 && echo yes || echo no)
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
