#!/bin/sh
# mapscope iobench's read() figures against dd reading the same file with the
# same 128 KiB blocks, cold (evicted first) and warm, alternating in one run:
# a check that iobench measures reading, not itself; then, as ratios within
# each run, the copy methods against read()+write() and select/poll/epoll's
# cost per event at 10,000 descriptors against 10. dd's figure includes
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

# Copying out: each zero-copy method's warm time against read()+write()'s in
# the same run, to a pipe and to a file, as ratios over the rounds.
echo
echo "== copying 64 MiB out, warm: time of each method / time of read_write, same run"
for r in $(seq "$ROUNDS"); do
	$M iobench "$data" --copy --to pipe,file
done | python3 -c 'import json, sys
rows = {}
for line in sys.stdin:
    d = json.loads(line)
    base = {}
    for c in d["copies"]:
        if c["cache"] == "warm" and c["method"] == "read_write":
            base[c["to"]] = c["ns"]
    for c in d["copies"]:
        if c["cache"] == "warm" and c["ns"] is not None:
            rows.setdefault((c["to"], c["method"]), []).append(c["ns"] / base[c["to"]])
for (to, m), v in sorted(rows.items()):
    v.sort()
    print("%-5s %-16s median %.2fx (min %.2f, max %.2f, %d rounds)" % (to, m, v[len(v) // 2], v[0], v[-1], len(v)))'

# Multiplexing: CPU per event at 10,000 idle descriptors over that at 10.
echo
echo "== CPU per event at 10,000 idle pipes / at 10, per method"
for r in $(seq "$ROUNDS"); do
	$M iobench --multiplex --fds 10,10000
done | python3 -c 'import json, sys
g = {}
for line in sys.stdin:
    d = json.loads(line)
    at = {(x["method"], x["idle_fds"]): x["cpu_ns_per_event"] for x in d["multiplex"]}
    for m in ("select", "poll", "epoll"):
        if at.get((m, 10000)) and at.get((m, 10)):
            g.setdefault(m, []).append(at[(m, 10000)] / at[(m, 10)])
for m, v in g.items():
    v.sort()
    print("%-6s median %.1fx (min %.1f, max %.1f, %d rounds)" % (m, v[len(v) // 2], v[0], v[-1], len(v)))
print("select: not measured past FD_SETSIZE (1024)")'
echo "measured by: $0 (mapscope iobench FILE --copy --to pipe,file; mapscope iobench --multiplex --fds 10,10000)"
