#!/bin/sh
# mapscope iobench's read() figures against dd reading the same file with the
# same 128 KiB blocks, cold (evicted first) and warm, alternating in one run:
# a check that iobench measures reading, not itself. dd's figure includes
# its own start-up (a few ms); iobench also sums every 64-bit word it reads
# (dd never looks at the data), which shows when the file is warm. Cold,
# the disk dominates and the ratio should be near 1.
set -u
cd "$(dirname "$0")/.."
M=build/mapscope
ROUNDS=${ROUNDS:-5}
dir=$(mktemp -d /tmp/mapscope-bench-iobench-XXXXXX)
trap 'rm -rf "$dir"' EXIT
data=$dir/data
$M iobench --size 64M "$data" >/dev/null || exit 1 # creates the file

now() { date +%s%N; }
field() { # field METHOD PATTERN CACHE KEY < iobench JSON
	python3 -c 'import json, sys
d = json.load(sys.stdin)
for r in d["results"]:
    if (r["method"], r["pattern"], r["cache"]) == tuple(sys.argv[1:4]):
        print(r[sys.argv[4]])' "$@"
}

echo "== read() of a 64 MiB file, 128 KiB blocks: dd vs mapscope iobench"
: >"$dir/rows"
for r in $(seq "$ROUNDS"); do
	$M file --evict "$data" >/dev/null
	t0=$(now); dd if="$data" of=/dev/null bs=128K 2>/dev/null; t1=$(now)
	t2=$(now); dd if="$data" of=/dev/null bs=128K 2>/dev/null; t3=$(now)
	$M iobench "$data" >"$dir/out.json"
	cold=$(field read seq cold ns <"$dir/out.json")
	warm=$(field read seq warm ns <"$dir/out.json")
	echo "$r $((t1 - t0)) $cold $((t3 - t2)) $warm" >>"$dir/rows"
	echo "round $r: cold dd $(((t1 - t0) / 1000)) us, iobench $((cold / 1000)) us;" \
		"warm dd $(((t3 - t2) / 1000)) us, iobench $((warm / 1000)) us"
done
awk '{ dc += $2; ic += $3; dw += $4; iw += $5 }
END { printf "iobench/dd time: cold %.2fx, warm %.2fx (%d rounds)\n", ic / dc, iw / dw, NR }' \
	"$dir/rows"
echo "measured by: $0 (dd if=FILE of=/dev/null bs=128K; mapscope iobench FILE)"
