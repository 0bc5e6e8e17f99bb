# Sourced by the benchmarks that scan every process (bench_maps.sh,
# bench_libs.sh): a scratch directory removed on exit, smem installed when it
# can be, sleepers started so there are enough processes to scan, commands
# written as one-line scripts, and the arithmetic on alternate's
# table of times. The caller sets `name` first.
set -u
cd "$(dirname "$0")/.."
status=0
dir=${BENCH_DIR:-/tmp}/mapscope-bench-$name.$$
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
have_smem=$(command -v smem >/dev/null 2>&1 && echo yes || echo no)

count_procs() { ls /proc | grep -cE '^[0-9]+$'; }
start_sleepers() {
	i=0
	while [ "$i" -lt "$1" ]; do
		sleep 600 &
		sleepers="$sleepers $!"
		i=$((i + 1))
	done
}
# At least $1 processes, sleepers making up the difference.
at_least_procs() {
	n=$(count_procs)
	[ "$n" -lt "$1" ] && start_sleepers $(($1 - n))
	echo "processes: $(count_procs) (sleepers started: $(echo $sleepers | wc -w))"
}

# Every command is a one-line script, so a glob is expanded at run time.
script() { printf '%s\n' "$2" >"$dir/$1.sh"; echo "sh $dir/$1.sh"; }

. bench/figures.sh
