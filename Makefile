# mapscope: one build for the whole repository. Output goes to build/ only.
#
#   make            libraries, both CLIs, the sample libraries and test helpers
#   make test       Criterion suites and CLI tests (installs missing dependencies)
#   make demo       the main job on an embedded default
#   make bench      benchmarks against the peers
#   make fuzz       fuzz the ELF reader and the /proc text parsers (FUZZ_SECONDS=N,
#                   FUZZ_ENGINE=libfuzzer|afl|both); make fuzz-merge keeps the corpus
#   make install    PREFIX=/usr/local DESTDIR=
#   make lint       clang-format check and cppcheck
#   make glibc-tests glibc's own dlopen tests (Debian's glibc-source) under soload run
#
# SANITIZE=address,undefined builds everything with those sanitizers.

# Rules in included files (testlibs/testlibs.mk) must not become the default.
.DEFAULT_GOAL := all
PREFIX ?= /usr/local
DESTDIR ?=
# B=build/asan puts a second build (e.g. with SANITIZE) beside the plain one.
B ?= build

# Printed by both tools' --version and written into soload.pc.
VERSION := 0.1

CC ?= cc
CXX ?= c++
WARN := -Wall -Wextra -Wshadow -Wstrict-prototypes
CFLAGS ?= -O2 -g
CFLAGS += -std=gnu11 -D_GNU_SOURCE $(WARN) -fPIC -MMD -MP -Iloader -Iinspect -Itests
# The tests run the binaries of the build they were compiled in.
CFLAGS += -DBUILD_DIR='"$(B)"'
LDLIBS_LOADER := -lelf -ldl -lpthread
LDLIBS_INSPECT := -ljansson -lsmartcols
ifneq ($(SANITIZE),)
CFLAGS += -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all
LDFLAGS += -fsanitize=$(SANITIZE)
endif

# The tree in layers (docs/architecture.md). Each archive is one layer; each
# CLI's main() lives in one file and everything else is library code that
# the tests link against.
#   libsoload.a   loader/*.c             the loader, soload.h its whole API
#   libcore.a     inspect/core/          what both CLIs share: JSON, text, commands
#   libsoloadcli.a loader/cli/           the soload command, on libsoload and libcore
#   libinspect.a  inspect/*/             the inspector's kernel readers, probes,
#                                        emitters, children and commands
LOADER_MAIN := loader/cli/soload_main.c
INSPECT_MAIN := inspect/cli/mapscope_main.c
LOADER_SRC := $(wildcard loader/*.c)
SOLOAD_CLI_SRC := $(filter-out $(LOADER_MAIN),$(wildcard loader/cli/*.c))
CORE_SRC := $(wildcard inspect/core/*.c)
INSPECT_LAYERS := kernel probe emit child cli
INSPECT_SRC := $(filter-out $(INSPECT_MAIN),$(foreach l,$(INSPECT_LAYERS),$(wildcard inspect/$(l)/*.c)))
# The TLS descriptor resolver is assembly (loader/tlsdesc.S).
LOADER_OBJ := $(LOADER_SRC:%.c=$(B)/%.o) $(patsubst %.S,$(B)/%.o,$(wildcard loader/*.S))
SOLOAD_CLI_OBJ := $(SOLOAD_CLI_SRC:%.c=$(B)/%.o)
CORE_OBJ := $(CORE_SRC:%.c=$(B)/%.o)
INSPECT_OBJ := $(INSPECT_SRC:%.c=$(B)/%.o)
# Both tools' --version (core/command's dispatcher).
$(B)/inspect/core/command.o: CFLAGS += -DTOOLS_VERSION='"$(VERSION)"'
$(B)/inspect/core/command.o: Makefile
# libsoload exports its API (SL_API in soload.h) and nothing else.
$(LOADER_OBJ): CFLAGS += -fvisibility=hidden
# libsoload-preload.so: libsoload under a program's dlopen (soload run). It
# carries its own copy of the loader and exports only the dl* functions it
# puts in glibc's place (loader/preload/preload.map).
PRELOAD_OBJ := $(patsubst %.c,$(B)/%.o,$(wildcard loader/preload/*.c)) \
	$(patsubst %.S,$(B)/%.o,$(wildcard loader/preload/*.S))
$(PRELOAD_OBJ): CFLAGS += -fvisibility=hidden
PRELOAD_LOADER_OBJ := $(LOADER_OBJ)
PRELOAD_LDFLAGS := $(LDFLAGS)
# With SANITIZE the preload is still built plain, from objects of its own
# (build/.../plain/): it goes into programs built without the sanitizers
# (python3), where a sanitizer runtime would have to be loaded first.
ifneq ($(SANITIZE),)
PLAIN_CFLAGS := $(filter-out -fsanitize=% -fno-sanitize-recover=%,$(CFLAGS)) -fvisibility=hidden
PRELOAD_OBJ := $(PRELOAD_OBJ:$(B)/%=$(B)/plain/%)
PRELOAD_LOADER_OBJ := $(LOADER_OBJ:$(B)/%=$(B)/plain/%)
PRELOAD_LDFLAGS := $(filter-out -fsanitize=%,$(LDFLAGS))
$(B)/plain/%.o: %.c | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(PLAIN_CFLAGS) -c -o $@ $<
$(B)/plain/%.o: %.S | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(PLAIN_CFLAGS) -c -o $@ $<
endif
# Criterion suites mirror the tree: tests/loader, tests/inspect, tests/cli,
# with shared helpers in tests/support.
TEST_SRC := $(wildcard tests/loader/*.c tests/inspect/*.c tests/cli/*.c tests/support/*.c)
TEST_OBJ := $(TEST_SRC:%.c=$(B)/%.o)
# Small programs with known behaviour that the CLI tests run.
TEST_HELPER_SRC := $(wildcard tests/helpers/*.c)
TEST_HELPER_CXX := $(wildcard tests/helpers/*.cc)
TEST_HELPERS := $(TEST_HELPER_SRC:tests/helpers/%.c=$(B)/tests/helpers/%) \
	$(TEST_HELPER_CXX:tests/helpers/%.cc=$(B)/tests/helpers/%)
BENCH_SRC := $(wildcard bench/*.c)
BENCH_BIN := $(BENCH_SRC:bench/%.c=$(B)/bench/%)

# Sample libraries: every testlibs/lib*.c or lib*.cc becomes build/testlibs/lib*.so.
# testlibs/testlibs.mk adds per-library flags (TL_FLAGS_libx) and
# dependencies (TL_DEPS_libx).
TESTLIB_C := $(wildcard testlibs/lib*.c)
TESTLIB_CXX := $(wildcard testlibs/lib*.cc)
TESTLIBS := $(TESTLIB_C:testlibs/%.c=$(B)/testlibs/%.so) \
	$(TESTLIB_CXX:testlibs/%.cc=$(B)/testlibs/%.so)
-include testlibs/testlibs.mk

DEPS_STAMP := $(B)/.deps-ok

.PHONY: all test demo bench fuzz fuzz-merge fuzz-cover install clean lint deps tsan sweep \
	glibc-tests
# The helpers too: README's examples run build/tests/helpers/touchpages.
all: $(B)/libsoload.a $(B)/libsoload.so $(B)/libsoload-preload.so $(B)/soload \
	$(B)/mapscope $(TESTLIBS) $(B)/soload.pc $(TEST_HELPERS)

deps: $(DEPS_STAMP)
$(DEPS_STAMP):
	@sh .ci/deps
	@mkdir -p $(B) && touch $@

# Every object waits for the dependency check, without rebuilding when the
# stamp's time changes.
$(B)/%.o: %.c | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

$(B)/%.o: %.S | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

$(B)/libsoload.a: $(LOADER_OBJ)
	rm -f $@ && ar rcs $@ $^

# libsoload.so may be dlopened, when glibc has only ~1.5 KiB of static TLS
# for its initial-exec variables: its tls.o has no static TLS reserve.
SO_LOADER_OBJ := $(filter-out $(B)/loader/tls.o,$(LOADER_OBJ)) $(B)/loader/so/tls.o
$(B)/loader/so/tls.o: loader/tls.c | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -fvisibility=hidden -DTLS_RESERVE=0 -c -o $@ $<
# Both libraries are linked -z now with RELRO: ld.so binds their calls into
# libc at start-up and then makes their GOT read-only, as libsoload does for
# what it loads; a first sl_open does not then stop at ~20 lazy bindings.
FULL_RELRO := -Wl,-z,relro,-z,now
$(B)/libsoload.so: $(SO_LOADER_OBJ)
	$(CC) $(LDFLAGS) -shared $(FULL_RELRO) -Wl,-soname,libsoload.so -o $@ $^ $(LDLIBS_LOADER)

$(B)/libsoload-preload.so: $(PRELOAD_OBJ) $(PRELOAD_LOADER_OBJ) loader/preload/preload.map
	$(CC) $(PRELOAD_LDFLAGS) -shared $(FULL_RELRO) -Wl,-soname,libsoload-preload.so \
		-Wl,--version-script=loader/preload/preload.map -o $@ \
		$(PRELOAD_OBJ) $(PRELOAD_LOADER_OBJ) $(LDLIBS_LOADER)

$(B)/libcore.a: $(CORE_OBJ)
	rm -f $@ && ar rcs $@ $^

$(B)/libsoloadcli.a: $(SOLOAD_CLI_OBJ)
	rm -f $@ && ar rcs $@ $^

$(B)/libinspect.a: $(INSPECT_OBJ)
	rm -f $@ && ar rcs $@ $^

# Every binary links the archives it needs, upper layers first.
SOLOAD_LIBS := $(B)/libsoloadcli.a $(B)/libcore.a $(B)/libsoload.a
INSPECT_LIBS := $(B)/libinspect.a $(B)/libcore.a $(B)/libsoload.a
ALL_LIBS := $(B)/libinspect.a $(B)/libsoloadcli.a $(B)/libcore.a $(B)/libsoload.a

$(B)/soload: $(B)/$(LOADER_MAIN:.c=.o) $(SOLOAD_LIBS)
	$(CC) $(LDFLAGS) -rdynamic -o $@ $^ $(LDLIBS_INSPECT) $(LDLIBS_LOADER) -lm

$(B)/mapscope: $(B)/$(INSPECT_MAIN:.c=.o) $(INSPECT_LIBS)
	$(CC) $(LDFLAGS) -rdynamic -o $@ $^ $(LDLIBS_INSPECT) $(LDLIBS_LOADER) -lm

$(B)/testlibs/%.so: testlibs/%.c | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 $(WARN) -O1 -g -fPIC -shared -o $@ $< \
		$(TL_FLAGS_$*) -L$(B)/testlibs $(TL_LIBS_$*)

$(B)/testlibs/%.so: testlibs/%.cc | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(CXX) -Wall -Wextra -O1 -g -fPIC -shared -o $@ $< \
		$(TL_FLAGS_$*) -L$(B)/testlibs $(TL_LIBS_$*)

# soload.pc names the install prefix, so install writes it afresh for the
# PREFIX it is given rather than copying one built for another prefix.
SOLOAD_PC = printf '%s\n' 'prefix=$(PREFIX)' 'libdir=$${prefix}/lib' \
	'includedir=$${prefix}/include' '' 'Name: soload' \
	'Description: minimal ELF shared-object loader' 'Version: $(VERSION)' \
	'Cflags: -I$${includedir}' 'Libs: -L$${libdir} -lsoload' \
	'Libs.private: -lelf -ldl -lpthread'

$(B)/soload.pc: Makefile
	@mkdir -p $(B)
	$(SOLOAD_PC) > $@

# One Criterion binary holds every suite, so the run ends in one Synthesis line.
$(B)/tests/run: $(TEST_OBJ) $(ALL_LIBS)
	$(CC) $(LDFLAGS) -rdynamic -o $@ $^ -lcriterion $(LDLIBS_INSPECT) $(LDLIBS_LOADER) -lm

$(B)/bench/%: bench/%.c $(ALL_LIBS) | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -rdynamic -o $@ $^ $(LDLIBS_INSPECT) $(LDLIBS_LOADER) -lm

# dlsemantics' bare-name case finds the sample libraries through its own
# DT_RUNPATH.
$(B)/tests/helpers/dlsemantics: LDFLAGS += -Wl,-rpath,'$$ORIGIN/../../testlibs' \
	-Wl,--enable-new-dtags
$(B)/tests/helpers/%: tests/helpers/%.c | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $<

$(B)/tests/helpers/%: tests/helpers/%.cc | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(CXX) -Wall -Wextra -O1 -g $(LDFLAGS) -o $@ $<

test: all $(B)/tests/run $(TEST_HELPERS) $(B)/tests/sweep/libsweep
	$(B)/tests/run $(TEST_ARGS)
	sh tests/glibc/glibc_tests.sh $(B)

# glibc's own dlopen tests, built from Debian's glibc-source tarball into
# $(B)/glibc-tests and run plain and under soload run (tests/glibc/).
glibc-tests: all
	sh tests/glibc/glibc_tests.sh $(B)

# ThreadSanitizer over the loader used from many threads (tests/tsan/threads.c:
# Criterion itself cannot run under TSan).
TSAN_LIBS ?= /lib/x86_64-linux-gnu/libz.so.1:zlibVersion $(B)/testlibs/libmalbase.so:malbase_len \
	$(B)/testlibs/libcxx.so:cxx_checked:throw $(B)/testlibs/libtls.so:tls_bump:bump \
	$(B)/testlibs/libchain_a.so:chain_a $(B)/testlibs/libtlsdesc.so:tlsdesc_bump:bump \
	$(B)/testlibs/libtlsstatic.so:st_bump:bump $(B)/testlibs/libtlsbig.so:big_bump:bump \
	$(B)/testlibs/liblazy_vcall.so:lazy_call_ifunc:lazy \
	$(B)/testlibs/libreach_top.so:reach_top_call $(B)/testlibs/libfindobj.so:findobj_own:find
tsan: all
	$(MAKE) B=$(B)/tsan SANITIZE=thread $(B)/tsan/libsoload.a
	$(CC) $(CFLAGS) -fsanitize=thread -o $(B)/tsan/threads tests/tsan/threads.c \
		$(B)/tsan/libsoload.a $(LDLIBS_LOADER)
	$(B)/tsan/threads 300 $(TSAN_LIBS)

# Every system library through libsoload and dlopen, compared
# (tests/sweep/sweep.sh; SWEEP_DIRS to choose the directories).
$(B)/tests/sweep/libsweep: tests/sweep/libsweep.c $(B)/libsoload.a | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(B)/libsoload.a $(LDLIBS_INSPECT) $(LDLIBS_LOADER)

sweep: $(B)/tests/sweep/libsweep
	sh tests/sweep/sweep.sh $(B)

# Fuzz targets (libFuzzer and AFL++) over the loader's reading of files and
# the inspector's parsers of /proc text, one after the other (tests/fuzz/run.sh);
# fuzz-merge minimises what they found into tests/fuzz/corpus/; fuzz-cover
# shows the source lines and branches that corpus reaches.
FUZZ_SECONDS ?= 60
FUZZ_ENGINE ?= libfuzzer
fuzz:
	FUZZ_ENGINE=$(FUZZ_ENGINE) sh tests/fuzz/run.sh $(FUZZ_SECONDS)
fuzz-merge:
	sh tests/fuzz/run.sh -m
fuzz-cover:
	sh tests/fuzz/run.sh -c

demo: all
	sh docs/demo.sh

bench: all $(BENCH_BIN)
	sh bench/run.sh

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib \
		$(DESTDIR)$(PREFIX)/include $(DESTDIR)$(PREFIX)/lib/pkgconfig
	install -m 755 $(B)/soload $(B)/mapscope $(DESTDIR)$(PREFIX)/bin/
	install -m 644 $(B)/libsoload.a $(DESTDIR)$(PREFIX)/lib/
	install -m 755 $(B)/libsoload.so $(B)/libsoload-preload.so $(DESTDIR)$(PREFIX)/lib/
	install -m 644 loader/soload.h $(DESTDIR)$(PREFIX)/include/
	$(SOLOAD_PC) > $(DESTDIR)$(PREFIX)/lib/pkgconfig/soload.pc
	install -d $(DESTDIR)$(PREFIX)/share/man/man1 $(DESTDIR)$(PREFIX)/share/man/man3 \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions
	install -m 644 docs/mapscope.1 docs/soload.1 $(DESTDIR)$(PREFIX)/share/man/man1/
	install -m 644 docs/libsoload.3 $(DESTDIR)$(PREFIX)/share/man/man3/
	for c in mapscope soload; do install -m 644 docs/completion/mapscope.bash \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions/$$c || exit 1; done

lint:
	clang-format --dry-run --Werror $(shell find loader inspect tests bench -name '*.[ch]')
	cppcheck --quiet --error-exitcode=1 --enable=warning,portability \
		--inline-suppr -Iloader -Iinspect loader inspect

clean:
	rm -rf $(B)

-include $(shell find $(B) -name '*.d' 2>/dev/null)
