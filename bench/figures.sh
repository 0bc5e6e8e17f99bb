# Sourced by the benchmarks: arithmetic on build/bench/alternate's table of
# times (a line per command: median ms, fastest ms, peak RSS KiB, command).
median() { awk -v c="$1" 'index($0, c) { print $1; exit }' "$2"; }
peak() { awk -v c="$1" 'index($0, c) { print $3; exit }' "$2"; }
# A ratio of two figures, or "?" when either is missing (a run that failed).
ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN { if (a + 0 > 0 && b + 0 > 0) printf "%.3f", a / b; else print "?" }'
}
verdict() {
	awk -v r="$1" -v t="$2" 'BEGIN { print r == "?" ? "NOT measured" : (r <= t) ? "met" : "NOT met" }'
}
