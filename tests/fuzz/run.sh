#!/bin/sh
# shellcheck disable=SC2086 # flag lists are split on purpose
# make fuzz FUZZ_SECONDS=N [FUZZ_ENGINE=libfuzzer|afl|both] [FUZZ_TARGETS="..."]:
# builds the fuzz targets with ASan and UBSan into build/fuzz (libFuzzer
# with clang, AFL++ with afl-clang-fast), then runs each target for N
# seconds, one after the other, niced, one fuzzer process at a time.
#
#   header dynamic reloc symbols  the loader's reading steps (fuzz_elf.c)
#   describe                      what soload info and hold --gdb read
#   proctext                      the inspector's parsers of /proc text:
#                                 maps lines, smaps, stat and status
#
# Seeds: the kept corpus tests/fuzz/corpus/<target>.tar.xz, every kept crash input
# (testlibs/crashes/ for the ELF targets, tests/inspect/proctext-crashes/ for
# proctext), the sample and malformed libraries, and this machine's own /proc
# text. Each target keeps a growing corpus in build/fuzz across runs.
# Prints executions and coverage per run and appends them to
# build/fuzz/stats.tsv; exits 1 if any target found a crash (the input is left
# in build/fuzz/crashes/: fix it, then keep it as a regression input).
#
# make fuzz-merge (run.sh -m) minimises everything found so far into
# tests/fuzz/corpus/<target>.tar.xz (libFuzzer's -merge=1).
# run.sh -b only builds. make fuzz-cover (run.sh -c) replays the kept corpus through a build with
# clang's source coverage and prints the lines and branches it reaches.
set -eu
cd "$(dirname "$0")/../.."
MODE=fuzz
case ${1:-} in
-m) MODE=merge ;;
-c) MODE=cover ;;
-b) MODE=build ;;
esac
[ $MODE = fuzz ] || shift
SECS=${1:-60}
ENGINE=${FUZZ_ENGINE:-libfuzzer}
F=build/fuzz
ELF_STEPS="header dynamic reloc symbols"
TARGETS=${FUZZ_TARGETS:-$ELF_STEPS describe proctext}
SAN=address,undefined
KEPT=tests/fuzz/corpus
PROC_CRASHES=tests/inspect/proctext-crashes

have_libfuzzer() {
	command -v clang >/dev/null 2>&1 &&
		[ -e "$(clang -print-file-name=libclang_rt.fuzzer-x86_64.a)" ]
}
need_packages() {
	if [ "$(id -u)" -ne 0 ]; then
		echo "fuzz: needs $*; run as root:" >&2
		echo "  apt-get install -y $*" >&2
		exit 1
	fi
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}
have_libfuzzer || need_packages clang libclang-rt-14-dev
case $ENGINE in
afl | both) command -v afl-fuzz >/dev/null 2>&1 || need_packages afl++ ;;
libfuzzer) ;;
*)
	echo "fuzz: FUZZ_ENGINE=$ENGINE: not libfuzzer, afl or both" >&2
	exit 2
	;;
esac
AFL_CC=${AFL_CC:-}
if [ -z "$AFL_CC" ] && command -v afl-clang-fast >/dev/null 2>&1; then
	AFL_CC=afl-clang-fast
fi

# ---- build -------------------------------------------------------------
# FUZZ_BUILD=0 runs the binaries already built (a campaign of many runs).
BUILD=${FUZZ_BUILD:-1}
if [ "$BUILD" = 1 ]; then
	make -s -j2 all
	make -s -j2 B=$F CC=clang SANITIZE=fuzzer-no-link,$SAN $F/libsoload.a
fi
CFLAGS="-O1 -g -std=gnu11 -D_GNU_SOURCE -Iloader -Iinspect -Itests -fno-omit-frame-pointer"
LIBS="$F/libsoload.a -lelf -ldl -lpthread"
PROC_SRC="inspect/kernel/procmaps.c inspect/kernel/smaps.c inspect/kernel/procstat.c
	inspect/core/lines.c"
# The AFL++ build: the same harnesses under a plain main() (afl_main.c) in
# persistent mode, the loader instrumented in a build of its own. It has
# UBSan only (AFL_SANITIZE), for speed and for a second view; whatever AFL++
# finds goes through the ASan build of the libFuzzer target in make fuzz-merge.
# Without AFL++ the same main() is built with clang against the ASan build,
# a way to replay files (its sanitizers must be the library's).
AFL_SAN=${AFL_SANITIZE:-undefined}
if [ -n "$AFL_CC" ]; then
	AFL_B=$F/afl-build-$(echo "$AFL_SAN" | tr , -)
	[ "$BUILD" = 0 ] || make -s -j2 B="$AFL_B" CC="$AFL_CC" SANITIZE="$AFL_SAN" "$AFL_B/libsoload.a"
	AFL_LIBS="$AFL_B/libsoload.a -lelf -ldl -lpthread"
else
	AFL_SAN=$SAN
	AFL_LIBS=$LIBS
fi
build() { # name, harness sources
	[ "$BUILD" = 1 ] || return 0
	name=$1
	shift
	clang $CFLAGS -fsanitize=fuzzer,$SAN -o $F/fuzz-$name "$@" $LIBS
	${AFL_CC:-clang} $CFLAGS -fsanitize=$AFL_SAN -fno-sanitize-recover=all -o $F/afl-$name \
		tests/fuzz/afl_main.c "$@" $AFL_LIBS
}
for t in $TARGETS; do
	case $t in
	header | dynamic | reloc | symbols)
		define=LOAD_CHECK_$(echo $t | tr '[:lower:]' '[:upper:]' | sed s/RELOC/RELOCS/)
		CFLAGS="$CFLAGS -DFUZZ_STEP=$define" build $t tests/fuzz/fuzz_elf.c
		;;
	describe) build $t tests/fuzz/fuzz_describe.c ;;
	proctext) build $t tests/fuzz/fuzz_proctext.c $PROC_SRC ;;
	*)
		echo "fuzz: no target $t" >&2
		exit 2
		;;
	esac
done

[ $MODE != build ] || exit 0

# ---- seeds -------------------------------------------------------------
seed_elf() {
	for f in build/testlibs/*.so build/testlibs/malformed/*.so testlibs/crashes/*; do
		# AFL++ spends its time on small inputs; the big samples add little.
		[ -f "$f" ] && [ "$(wc -c <"$f")" -le 262144 ] && cp "$f" "$1/seed-$(basename "$f")"
	done
	return 0
}
# This machine's own /proc text, with odd file names mapped: spaces, a
# newline, bytes that are not UTF-8, a deleted file, a name ending in
# " (deleted)" that is not deleted.
seed_proc() {
	odd=$(mktemp -d)
	for name in 'a b' "$(printf 'new\nline')" "$(printf 'bad\377\376name')" \
		'x (deleted)' 'gone'; do
		printf 'data' >"$odd/$name"
	done
	python3 -c '
import mmap, os, sys
d = sys.argv[1].encode()
keep = [mmap.mmap(os.open(os.path.join(d, n), os.O_RDONLY), 0, prot=mmap.PROT_READ)
        for n in os.listdir(d)]
os.unlink(os.path.join(d, b"gone"))
for src, dst in (("maps", "maps"), ("smaps", "smaps"), ("smaps_rollup", "rollup")):
    open(os.path.join(sys.argv[2], "seed-self-" + dst), "wb").write(
        open("/proc/self/" + src, "rb").read())
stat = open("/proc/self/stat", "rb").read() + b"\0" + open("/proc/self/status", "rb").read()
open(os.path.join(sys.argv[2], "seed-self-stat"), "wb").write(stat)
' "$odd" "$1" || true
	{ cat /proc/1/stat && printf '\0' && cat /proc/1/status; } >"$1/seed-stat-1" 2>/dev/null ||
		true
	rm -rf "$odd"
	for f in "$PROC_CRASHES"/*; do
		[ -f "$f" ] && cp "$f" "$1/seed-crash-$(basename "$f")"
	done
	return 0
}
seed() { # target, directory
	mkdir -p "$2"
	unkeep $1 "$2"
	if [ "$1" = proctext ]; then seed_proc "$2"; else seed_elf "$2"; fi
}
# The kept corpus of a target is one xz tarball, tests/fuzz/corpus/<target>.tar.xz
# (the ELF inputs are mutants of 12 KiB libraries: 12 MB as files, 0.5 MB
# packed). unkeep extracts it into a directory.
unkeep() { # target, directory
	mkdir -p "$2"
	if [ -f $KEPT/$1.tar.xz ]; then tar -xJf $KEPT/$1.tar.xz -C "$2"; fi
}
dict() {
	if [ "$1" = proctext ]; then echo tests/fuzz/proctext.dict; fi
}
count() { find "$1" -maxdepth 1 -type f ${2:+-name "$2"} | wc -l; }

# ---- cover -------------------------------------------------------------
if [ $MODE = cover ]; then
	C=$F/cover
	COV="-fprofile-instr-generate -fcoverage-mapping"
	make -s -j2 B=$C/build CC="clang $COV" $C/build/libsoload.a
	for t in $TARGETS; do
		case $t in
		proctext)
			src="tests/fuzz/fuzz_proctext.c $PROC_SRC"
			shown=$PROC_SRC
			;;
		describe)
			src=tests/fuzz/fuzz_describe.c
			shown="loader/describe.c"
			;;
		*)
			define=LOAD_CHECK_$(echo $t | tr '[:lower:]' '[:upper:]' | sed s/RELOC/RELOCS/)
			src="-DFUZZ_STEP=$define tests/fuzz/fuzz_elf.c"
			shown=$(ls loader/*.c)
			;;
		esac
		clang $CFLAGS $COV -o $C/cover-$t tests/fuzz/afl_main.c $src $C/build/libsoload.a \
			-lelf -ldl -lpthread
		rm -f $C/$t-*.profraw
		rm -rf $C/kept-$t
		unkeep $t $C/kept-$t
		find $C/kept-$t -type f -print0 |
			LLVM_PROFILE_FILE="$C/$t-%p.profraw" xargs -0 -r nice -n 19 $C/cover-$t \
				>/dev/null 2>&1 || true
		llvm-profdata merge -o $C/$t.profdata $C/$t-*.profraw
		echo "cover $t ($(count $C/kept-$t) inputs of $KEPT/$t.tar.xz):"
		llvm-cov report $C/cover-$t -instr-profile=$C/$t.profdata $shown |
			awk 'NR == 1 || /^TOTAL/ || /procmaps|smaps|procstat|lines|describe/'
	done
	exit 0
fi

# ---- merge -------------------------------------------------------------
# What every run seeds itself with (generated, or kept elsewhere) is the
# baseline: only inputs that reach further are kept in tests/fuzz/corpus/.
# AFL++'s queue goes through the ASan build here; a report fails the merge.
if [ $MODE = merge ]; then
	for t in $TARGETS; do
		new=$F/merged-$t
		log=$F/merge-$t.log
		rm -rf "$new" && mkdir -p "$new"
		if [ "$t" = proctext ]; then seed_proc "$new"; else seed_elf "$new"; fi
		dirs=
		unkeep $t $F/kept-$t
		for d in $F/kept-$t $F/corpus-$t $F/afl-out-$t/default/queue; do
			[ -d "$d" ] && dirs="$dirs $d"
		done
		nice -n 19 $F/fuzz-$t -merge=1 -timeout=10 -max_len=65536 "$new" $dirs >$log 2>&1
		if grep -q 'ERROR: AddressSanitizer\|runtime error\|ERROR: libFuzzer' $log; then
			echo "fuzz-merge $t: an input crashed (see $log)" >&2
			exit 1
		fi
		rm -f "$new"/seed-*
		rm -rf $F/kept-$t
		mkdir -p $KEPT
		# Sorted names and fixed metadata: the same inputs give the same bytes.
		(cd "$new" && find . -type f | sort |
			tar --owner=0 --group=0 --mtime=@0 --mode=0644 -cf - -T - | xz -9 >"../$t.tar.xz")
		mv $F/$t.tar.xz $KEPT/$t.tar.xz
		echo "merge $t: $(count "$new") inputs, $(du -k $KEPT/$t.tar.xz | cut -f1) KiB packed"
	done
	exit 0
fi

# ---- fuzz --------------------------------------------------------------
# Crashes of earlier runs move aside into crashes.old, where they stay until
# removed by hand: this run reports only its own, and a campaign of many runs
# loses none.
mkdir -p $F/crashes $F/crashes.old
find $F/crashes -maxdepth 1 -type f -exec mv -f {} $F/crashes.old/ \;
[ -f $F/stats.tsv ] ||
	printf 'date\tengine\ttarget\tseconds\texecutions\tcoverage\tcorpus\tcrashes\n' >$F/stats.tsv

run_libfuzzer() {
	t=$1
	corpus=$F/corpus-$t
	log=$F/fuzz-$t.log
	d=$(dict $t)
	seed $t $corpus
	nice -n 19 $F/fuzz-$t -max_total_time=$SECS -print_final_stats=1 -timeout=10 \
		-max_len=65536 ${d:+-dict=$d} -artifact_prefix=$F/crashes/$t- $corpus \
		>$log 2>&1 || status=1
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' $log)
	cov=$(grep -o 'cov: [0-9]* ft: [0-9]*' $log | tail -n 1)
	files=$(count $corpus)
	report libfuzzer $t "${execs:-?}" "${cov:-?}" "$files" \
		"$(count $F/crashes "$t-*")" \
		"$F/fuzz-$t -max_total_time=$SECS ${d:+-dict=$d }$corpus; log $log"
}

run_afl() {
	t=$1
	out=$F/afl-out-$t
	s=$out/default/fuzzer_stats
	d=$(dict $t)
	seed $t $F/seeds-$t
	# A resumed run (AFL_AUTORESUME) carries on the counts of the one before.
	before=$(val execs_done)
	# AFL_NO_AFFINITY: the cores are shared; the crash handler is left as it is.
	AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_NO_AFFINITY=1 AFL_AUTORESUME=1 \
		AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 \
		nice -n 19 afl-fuzz -i $F/seeds-$t -o $out -V "$SECS" -t 10000 -m none \
		${d:+-x $d} -- $F/afl-$t >$F/afl-$t.log 2>&1 || status=1
	for c in "$out"/default/crashes/id*; do
		[ -f "$c" ] && cp "$c" "$F/crashes/$t-afl-$(basename "$c" | cut -c1-9)"
	done
	after=$(val execs_done)
	report afl $t "$((${after:-0} - ${before:-0}))" \
		"edges $(val edges_found)/$(val total_edges) bitmap $(val bitmap_cvg)" \
		"$(val corpus_count)" "$(count $out/default/crashes "id*")" \
		"afl-fuzz -i $F/seeds-$t -o $out -V $SECS ${d:+-x $d }-- $F/afl-$t; log $F/afl-$t.log"
}
val() { sed -n "s/^$1 *: *//p" "$s" 2>/dev/null || true; }

report() { # engine target execs coverage corpus crashes how
	echo "$1 $2: $3 executions in $SECS s, coverage $4, corpus $5 inputs," \
		"$6 crashes (command: $7)"
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$(date -u +%FT%TZ)" "$1" "$2" "$SECS" \
		"$3" "$4" "$5" "$6" >>$F/stats.tsv
}

status=0
for t in $TARGETS; do
	case $ENGINE in libfuzzer | both) run_libfuzzer $t ;; esac
	case $ENGINE in afl | both) run_afl $t ;; esac
done
crashes=$(count $F/crashes)
if [ "$crashes" -ne 0 ] || [ $status -ne 0 ]; then
	echo "fuzz: $crashes crash inputs in $F/crashes/ (see the logs)" >&2
	exit 1
fi
echo "fuzz: no crash"
