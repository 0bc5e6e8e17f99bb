# Per-library build settings for the sample libraries (included by Makefile).
#   TL_FLAGS_libx  extra compiler/linker flags for build/testlibs/libx.so
#   TL_LIBS_libx   libraries it links against (-lfoo), after -Lbuild/testlibs
# A library that links another must also list it as a prerequisite:
#   $(B)/testlibs/libx.so: $(B)/testlibs/liby.so

# The malformed-ELF corpus: gen_malformed breaks copies of libmalbase.so one
# way each and lists them, with the error each must produce, in the manifest.
TL_FLAGS_libmalbase := -Wl,--hash-style=both -Wl,-z,pack-relative-relocs
TESTLIBS += $(B)/testlibs/malformed/manifest
$(B)/gen_malformed: testlibs/gen_malformed.c | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $<
$(B)/testlibs/malformed/manifest: $(B)/gen_malformed $(B)/testlibs/libmalbase.so
	@mkdir -p $(dir $@)
	$(B)/gen_malformed $(B)/testlibs/libmalbase.so $(dir $@)

# TLS: the dynamic models work, initial-exec is refused. C++: libstdc++ and
# libgcc_s come through libsoload too.
TL_FLAGS_libtls := -ftls-model=global-dynamic
TL_FLAGS_libtlsie := -ftls-model=initial-exec
TL_FLAGS_libcxx := -std=c++17

# 10,000 exported functions for the symbol-lookup benchmark, generated into
# build/ at build time.
TESTLIBS += $(B)/testlibs/libsyms10k.so
$(B)/gen/syms10k.c: testlibs/gen_syms.sh
	@mkdir -p $(dir $@)
	sh $< 10000 > $@
$(B)/testlibs/libsyms10k.so: $(B)/gen/syms10k.c
	$(CC) -O1 -fPIC -shared -o $@ $<
