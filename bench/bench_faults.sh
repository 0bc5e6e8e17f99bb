#!/bin/sh
# mapscope faults against perf (linux-perf) on the same workloads, alternating
# in one run: does `mapscope faults` count what `perf stat` counts, and what
# does sampling every fault cost next to `perf record -e page-faults -d`?
#
# Workloads: a cold 64 MiB file read every 16th page through mmap (issue 7's
# acceptance case), and a shell loop of 200 `ls` (many short processes).
# Counts must agree to within the faults of exec (perf stat starts counting
# at its own exec of the command, as we do). Times are wall clock on a busy
# shared machine: read the ratios, not the absolute figures. perf record's
# time is mostly its own start-up and writing perf.data (about 1 s here);
# it then still needs `perf report` to say which file took the faults.
set -u
cd "$(dirname "$0")/.."
M=build/mapscope
T=build/tests/helpers/touchpages
ROUNDS=${ROUNDS:-5}
make -s "$T" >/dev/null || exit 1
if ! command -v perf >/dev/null 2>&1; then
	[ "$(id -u)" -eq 0 ] && apt-get install -y -qq linux-perf >/dev/null 2>&1
fi
if ! command -v perf >/dev/null 2>&1; then
	echo "perf not installed (apt-get install linux-perf): skipping"
	exit 0
fi
dir=$(mktemp -d /tmp/mapscope-bench-faults-XXXXXX)
trap 'rm -rf "$dir"' EXIT
data=$dir/data
head -c $((64 << 20)) /dev/urandom >"$data" && sync

now() { date +%s%N; }
evict() { $M file --evict "$data" >/dev/null; }
ms() { echo "$1 $2" | awk '{ printf "%.1f", ($2 - $1) / 1e6 }'; }

run_workload() { # NAME COMMAND...
	name=$1
	shift
	echo "== $name: $*"
	: >"$dir/times"
	for r in $(seq "$ROUNDS"); do
		evict; t0=$(now); "$@" >/dev/null 2>&1; t1=$(now)
		evict; perf record -q -e page-faults -d -o "$dir/perf.data" -- "$@" >/dev/null 2>&1
		t2=$(now)
		evict; t3=$(now); $M faults -- "$@" >"$dir/ours.json" 2>/dev/null; t4=$(now)
		evict; perf stat -x, -e minor-faults,major-faults -- "$@" 2>"$dir/stat" >/dev/null
		pmin=$(awk -F, '$3 == "minor-faults" { print $1 }' "$dir/stat")
		pmaj=$(awk -F, '$3 == "major-faults" { print $1 }' "$dir/stat")
		totals='s/.*"wall_ns":[0-9]*,"minor":\([0-9]*\),"major":\([0-9]*\).*/\1 \2/'
		omin=$(sed "$totals" "$dir/ours.json" | cut -d' ' -f1)
		omaj=$(sed "$totals" "$dir/ours.json" | cut -d' ' -f2)
		echo "round $r: plain $(ms "$t0" "$t1") ms, perf record $(ms "$t1" "$t2") ms," \
			"mapscope faults $(ms "$t3" "$t4") ms; minor/major: perf stat $pmin/$pmaj," \
			"mapscope $omin/$omaj"
		echo "$t0 $t1 $t2 $t3 $t4 $pmin $omin $pmaj $omaj" >>"$dir/times"
	done
	awk '{ plain += $2 - $1; rec += $3 - $2; ours += $5 - $4; pm += $6; om += $7;
		pj += $8; oj += $9 }
	END { printf "%s: mapscope faults / perf record time %.2fx, / plain %.2fx;" \
		" counts mapscope / perf stat: minor %.3f, major %s\n", name, ours / rec,
		ours / plain, om / pm, pj ? sprintf("%.3f", oj / pj) : "0/0" }' \
		name="$name" "$dir/times"
}

run_workload "cold 64 MiB, every 16th page" "$T" "$data" 16
run_workload "200 x ls" sh -c 'for i in $(seq 200); do ls / >/dev/null; done'
