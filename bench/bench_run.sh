#!/bin/sh
# soload run against plain python3 (issue 15):
#  1. memory: 8 python3 workers that import ssl, sqlite3, decimal, lzma, bz2,
#     ctypes and hashlib, under `soload run --share` and as plain python3:
#     Private_Dirty of their library mappings (glibc's own left out, the
#     preload counted), summed from each worker's own smaps. A warm-up run
#     creates the RELRO cache first. Target 0.5x, goal 0.3x.
#  2. time: `python3 -c 'import ssl, sqlite3, decimal'` under `soload run`
#     and plain, alternating (build/bench/alternate). Target <= 1.1x.
set -u
cd "$(dirname "$0")/.."
py=${RUN_PYTHON:-/usr/bin/python3}
workers=${RUN_WORKERS:-8}
[ -x "$py" ] || { echo "bench_run: $py not installed, skipped"; exit 0; }
share=$(mktemp -d)
trap 'rm -rf "$share"' EXIT INT TERM
export SOLOAD_SHARE_DIR="$share"
imports='import ssl, sqlite3, decimal, lzma, bz2, ctypes, hashlib'

# Starts N workers (with the given prefix command), waits until each has
# imported, sums their Private_Dirty, stops them.
measure() {
	RUN_PY="$py" "$py" - "$workers" "$@" <<'PY'
import os, subprocess, sys, time
n = int(sys.argv[1]); prefix = sys.argv[2:]
glibc = ("libc.so", "libm.so", "ld-linux", "libpthread", "libdl.so", "librt.so", "libresolv")
code = ("import ssl, sqlite3, decimal, lzma, bz2, ctypes, hashlib, sys; "
        "print('ready', flush=True); sys.stdin.read()")
procs = [subprocess.Popen(prefix + [os.environ["RUN_PY"], "-c", code],
                          stdin=subprocess.PIPE, stdout=subprocess.PIPE) for _ in range(n)]
for p in procs:
    assert p.stdout.readline().strip() == b"ready"
total = 0
for p in procs:
    # under soload run the worker is the child of soload
    pid = p.pid
    kids = open(f"/proc/{pid}/task/{pid}/children").read().split()
    if kids:
        pid = int(kids[0])
    lib = None
    for line in open(f"/proc/{pid}/smaps"):
        f = line.split()
        if "-" in f[0] and len(f[0]) > 8 and ":" not in f[0]:
            path = f[5] if len(f) >= 6 else ""
            base = os.path.basename(path)
            lib = ".so" in base and not base.startswith(glibc)
        elif f[0] == "Private_Dirty:" and lib:
            total += int(f[1]) * 1024
for p in procs:
    p.stdin.close()
    p.wait()
print(total)
PY
}

build/soload run --share -- "$py" -c "$imports" || exit 1
plain=$(measure) || exit 1
soload=$(measure build/soload run --share --) || exit 1
awk -v p="$plain" -v s="$soload" -v n="$workers" 'BEGIN {
	r = s / p
	printf "%d python3 workers, Private_Dirty of library mappings: plain %.0f KiB, soload run --share %.0f KiB = %.2fx (target <= 0.5x, goal 0.3x): %s\n",
		n, p / 1024, s / 1024, r, r <= 0.5 ? "met" : "NOT met"
}'

[ -x build/bench/alternate ] || { echo "bench_run: build/bench/alternate missing"; exit 1; }
out=$(build/bench/alternate -n "${RUN_ROUNDS:-21}" -- "$py" -c 'import ssl, sqlite3, decimal' \
	-- build/soload run "$py" -c 'import ssl, sqlite3, decimal') || exit 1
echo "$out"
echo "$out" | awk 'NR == 1 { a = $1 } NR == 2 { b = $1 } END {
	printf "import ssl, sqlite3, decimal: soload run %.1f ms against plain %.1f ms (medians) = %.2fx (target <= 1.10x): %s\n",
		b, a, b / a, b / a <= 1.10 ? "met" : "NOT met"
}'
