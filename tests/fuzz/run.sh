#!/bin/sh
# make fuzz FUZZ_SECONDS=N: builds the loader with clang's libFuzzer, ASan
# and UBSan into build/fuzz, then runs each target (header, dynamic, reloc, symbols, describe)
# for N seconds, one after the other, niced, from a seed corpus of the sample
# libraries, the malformed corpus and every kept crash input. Prints the
# executions per target; exits 1 if any target found a crash (the input is
# left in build/fuzz/crashes/: add it to testlibs/crashes/ once fixed).
set -eu
cd "$(dirname "$0")/../.."
SECS=${1:-60}
F=build/fuzz
STEPS="header dynamic reloc symbols"
TARGETS="$STEPS describe"
SAN=address,undefined

have_libfuzzer() {
	command -v clang >/dev/null 2>&1 &&
		[ -e "$(clang -print-file-name=libclang_rt.fuzzer-x86_64.a)" ]
}
if ! have_libfuzzer; then
	if [ "$(id -u)" -ne 0 ]; then
		echo "fuzz: needs clang and libFuzzer; run as root:" >&2
		echo "  apt-get install -y clang libclang-rt-14-dev" >&2
		exit 1
	fi
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq clang libclang-rt-14-dev >/dev/null
fi

make -s -j2 all
make -s -j2 B=$F CC=clang SANITIZE=fuzzer-no-link,$SAN $F/libsoload.a
CFLAGS="-O1 -g -std=gnu11 -D_GNU_SOURCE -Iloader -fno-omit-frame-pointer"
LIBS="$F/libsoload.a -lelf -ldl -lpthread"
# AFL_CC=afl-clang-fast instruments the loader for AFL++ in its own build.
AFL_LIBS=$LIBS
if [ -n "${AFL_CC:-}" ]; then
	make -s -j2 B=build/afl CC="$AFL_CC" SANITIZE=$SAN build/afl/libsoload.a
	AFL_LIBS="build/afl/libsoload.a -lelf -ldl -lpthread"
fi
# Crashes of earlier runs move aside: this run reports only its own.
rm -rf $F/crashes.old && { [ ! -d $F/crashes ] || mv $F/crashes $F/crashes.old; }
mkdir -p $F/crashes
for step in $STEPS; do
	define=LOAD_CHECK_$(echo $step | tr a-z A-Z | sed s/RELOC/RELOCS/)
	clang $CFLAGS -fsanitize=fuzzer,$SAN -DFUZZ_STEP=$define -o $F/fuzz-$step \
		tests/fuzz/fuzz_elf.c $LIBS
	# The AFL++-compatible build: a plain main() over files or stdin.
	${AFL_CC:-clang} $CFLAGS -fsanitize=$SAN -DFUZZ_STEP=$define -o $F/afl-$step \
		tests/fuzz/afl_main.c tests/fuzz/fuzz_elf.c $AFL_LIBS
done
# describe: what soload info and hold --gdb read, its own harness.
clang $CFLAGS -fsanitize=fuzzer,$SAN -o $F/fuzz-describe tests/fuzz/fuzz_describe.c $LIBS
${AFL_CC:-clang} $CFLAGS -fsanitize=$SAN -o $F/afl-describe tests/fuzz/afl_main.c \
	tests/fuzz/fuzz_describe.c $AFL_LIBS

# Each target keeps its own growing corpus across runs.
seed() {
	mkdir -p "$1"
	for f in build/testlibs/*.so build/testlibs/malformed/*.so testlibs/crashes/*; do
		[ -f "$f" ] && cp "$f" "$1/seed-$(basename "$f")"
	done
	return 0
}

status=0
for step in $TARGETS; do
	corpus=$F/corpus-$step
	seed $corpus
	log=$F/fuzz-$step.log
	nice -n 19 $F/fuzz-$step -max_total_time=$SECS -print_final_stats=1 -timeout=10 \
		-max_len=65536 -artifact_prefix=$F/crashes/$step- $corpus >$log 2>&1 || status=1
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' $log)
	files=$(ls $corpus | wc -l)
	echo "fuzz-$step: ${execs:-?} executions in ${SECS} s, corpus $files inputs" \
		"(command: $F/fuzz-$step -max_total_time=$SECS $corpus; log $log)"
done
crashes=$(ls $F/crashes | wc -l)
if [ "$crashes" -ne 0 ] || [ $status -ne 0 ]; then
	echo "fuzz: $crashes crash inputs in $F/crashes/ (see the logs)" >&2
	exit 1
fi
echo "fuzz: no crash"
