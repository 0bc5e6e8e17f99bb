#!/bin/sh
# make bench: runs every bench/bench_*.sh in name order. Each script measures
# one of our tools side by side with its peer in the same run and prints
# ratios; a script whose peer is missing says so and goes on.
set -u
cd "$(dirname "$0")/.."
status=0
for script in bench/bench_*.sh; do
	[ -e "$script" ] || continue
	echo "== $script"
	sh "$script" || status=1
done
exit $status
