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

# Loader features, one sample library each (issue 3). Libraries that need
# another sample library find it through DT_RUNPATH $ORIGIN.
TL_ORIGIN := -Wl,-rpath,'$$ORIGIN' -Wl,--enable-new-dtags
TL_FLAGS_libgnuhash := -Wl,--hash-style=gnu
TL_FLAGS_libsysvhash := -Wl,--hash-style=sysv
TL_FLAGS_libversioned := -Wl,--version-script=testlibs/libversioned.map
$(B)/testlibs/libversioned.so: testlibs/libversioned.map
TL_FLAGS_libveruser := $(TL_ORIGIN)
TL_LIBS_libveruser := -lversioned
$(B)/testlibs/libveruser.so: $(B)/testlibs/libversioned.so
# An exception thrown through a C library's frame (unwind.c).
TL_FLAGS_libthrowcb := $(TL_ORIGIN)
TL_LIBS_libthrowcb := -lcbcall
$(B)/testlibs/libthrowcb.so: $(B)/testlibs/libcbcall.so

TL_FLAGS_libchain_a := $(TL_ORIGIN)
TL_LIBS_libchain_a := -lchain_b
$(B)/testlibs/libchain_a.so: $(B)/testlibs/libchain_b.so testlibs/chain_trace.h
TL_FLAGS_libchain_b := $(TL_ORIGIN)
TL_LIBS_libchain_b := -lchain_c
$(B)/testlibs/libchain_b.so: $(B)/testlibs/libchain_c.so testlibs/chain_trace.h
$(B)/testlibs/libchain_c.so: testlibs/chain_trace.h
TL_FLAGS_librelr := -Wl,-z,pack-relative-relocs
TL_FLAGS_libreloc := $(TL_ORIGIN)
TL_LIBS_libreloc := -lhello
$(B)/testlibs/libreloc.so: $(B)/testlibs/libhello.so
TL_FLAGS_libaligned := -Wl,-z,max-page-size=0x200000 -Wl,-z,noseparate-code
TL_FLAGS_libnoexport := -fvisibility=hidden

# TLS: the dynamic models work, initial-exec is refused. C++: libstdc++ and
# libgcc_s come through libsoload too.
TL_FLAGS_libtls := -ftls-model=global-dynamic
TL_FLAGS_libtlsie := -ftls-model=initial-exec
TL_FLAGS_libtlsiesym := -ftls-model=initial-exec
TL_FLAGS_libcxx := -std=c++17

# 10,000 exported functions for the symbol-lookup benchmark, generated into
# build/ at build time.
TESTLIBS += $(B)/testlibs/libsyms10k.so
$(B)/gen/syms10k.c: testlibs/gen_syms.sh | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	sh $< 10000 > $@
$(B)/testlibs/libsyms10k.so: $(B)/gen/syms10k.c | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) -O1 -fPIC -shared -o $@ $<
TL_FLAGS_libgroup_top := $(TL_ORIGIN) -Wl,--no-as-needed
TL_LIBS_libgroup_top := -lgroup_user -lgroup_provider
$(B)/testlibs/libgroup_top.so: $(B)/testlibs/libgroup_user.so $(B)/testlibs/libgroup_provider.so
TL_FLAGS_libtlsuser := -ftls-model=global-dynamic

# Inherited DT_RPATH: rpath_top (DT_RPATH) -> rpath_mid (no paths) ->
# rpath_leaf, found through rpath_top's list; runpath_top (DT_RUNPATH) ->
# rpath_mid, whose rpath_leaf a DT_RUNPATH never finds.
TL_FLAGS_librpath_mid := -Wl,-rpath-link,$(B)/testlibs
TL_LIBS_librpath_mid := -lrpath_leaf
$(B)/testlibs/librpath_mid.so: $(B)/testlibs/librpath_leaf.so
TL_FLAGS_librpath_top := -Wl,-rpath,'$$ORIGIN:$$ORIGIN/sub' -Wl,--disable-new-dtags \
	-Wl,-rpath-link,$(B)/testlibs
TL_LIBS_librpath_top := -lrpath_mid
$(B)/testlibs/librpath_top.so: $(B)/testlibs/librpath_mid.so
TL_FLAGS_librunpath_top := $(TL_ORIGIN) -Wl,-rpath-link,$(B)/testlibs
TL_LIBS_librunpath_top := -lrpath_mid
$(B)/testlibs/librunpath_top.so: $(B)/testlibs/librpath_mid.so

# STB_GNU_UNIQUE: two C++ libraries with the same inline function's static
# local and template static member (testlibs/uniq.h), and no libstdc++.
TL_FLAGS_libuniq_a := -Wl,--as-needed
TL_FLAGS_libuniq_b := -Wl,--as-needed
$(B)/testlibs/libuniq_a.so $(B)/testlibs/libuniq_b.so: testlibs/uniq.h
# A root and its dependency both carrying them: which copy wins.
TL_FLAGS_libuniq_root := $(TL_ORIGIN)
TL_LIBS_libuniq_root := -luniq_dep
$(B)/testlibs/libuniq_root.so: $(B)/testlibs/libuniq_dep.so testlibs/uniq.h
$(B)/testlibs/libuniq_dep.so: testlibs/uniq.h

# TLS descriptors: R_X86_64_TLSDESC, resolved by loader/tlsdesc.S.
TL_FLAGS_libtlsdesc := -ftls-model=global-dynamic -mtls-dialect=gnu2
# libsoload's static TLS reserve: a small block through descriptors fits,
# a 16 KiB one through __tls_get_addr does not.
TL_FLAGS_libtlsstatic := -ftls-model=global-dynamic -mtls-dialect=gnu2
TL_FLAGS_libtlsbig := -ftls-model=global-dynamic
$(B)/testlibs/libtlsdesc.so $(B)/testlibs/libtlsstatic.so: testlibs/tlsdesc_regs.h
TL_FLAGS_libtlsanchor := -ftls-model=global-dynamic $(TL_ORIGIN) -Wl,--no-as-needed
TL_LIBS_libtlsanchor := -ltlsstatic
$(B)/testlibs/libtlsanchor.so: $(B)/testlibs/libtlsstatic.so

# ldconfig's cache: libcacheuser needs libhello and has no path list;
# libnodeflib (DF_1_NODEFLIB) needs libbz2, found only in system directories.
TL_LIBS_libcacheuser := -lhello
$(B)/testlibs/libcacheuser.so: $(B)/testlibs/libhello.so
TL_FLAGS_libnodeflib := -Wl,-z,nodefaultlib -Wl,--no-as-needed
TL_LIBS_libnodeflib := /lib/x86_64-linux-gnu/libbz2.so.1.0

# dlopen semantics under soload run (tests/helpers/dlsemantics.c):
# libdlneedsglobal uses what only libdlglobal (RTLD_GLOBAL) defines;
# libdlctor's constructor dlopens libdlctor_leaf by bare name through its
# own $ORIGIN.
TL_FLAGS_libdlctor := $(TL_ORIGIN)

# Unloading by reachability: libreach_dep binds back to libreach_top, which
# needs it (a cycle through a relocation dependency); libreach_other needs
# libreach_dep too.
$(B)/testlibs/libreach_dep.so: testlibs/chain_trace.h
TL_FLAGS_libreach_top := $(TL_ORIGIN) -Wl,--no-as-needed
TL_LIBS_libreach_top := -lreach_dep
$(B)/testlibs/libreach_top.so: $(B)/testlibs/libreach_dep.so testlibs/chain_trace.h
TL_FLAGS_libreach_other := $(TL_ORIGIN) -Wl,--no-as-needed
TL_LIBS_libreach_other := -lreach_dep
$(B)/testlibs/libreach_other.so: $(B)/testlibs/libreach_dep.so testlibs/chain_trace.h
# Lazy PLT binding (SL_LAZY, loader/lazy.c): liblazy_user calls what only
# liblazy_late (which needs it) defines, and what nobody defines;
# liblazy_now is linked -z now; liblazy_vcall passes vector arguments to
# liblazy_vec through its PLT, and liblazy_ibt is the same source in the
# IBT form of PLT (.plt.sec). All explicitly -z lazy.
TL_LAZY := -Wl,-z,lazy
TL_FLAGS_liblazy_user := $(TL_LAZY)
TL_FLAGS_liblazy_late := $(TL_ORIGIN) $(TL_LAZY) -Wl,--no-as-needed
TL_LIBS_liblazy_late := -llazy_user
$(B)/testlibs/liblazy_late.so: $(B)/testlibs/liblazy_user.so
TL_FLAGS_liblazy_now := -Wl,-z,now
TL_FLAGS_liblazy_vec := $(TL_LAZY)
TL_FLAGS_liblazy_vcall := $(TL_ORIGIN) $(TL_LAZY) -Wl,--no-as-needed
TL_LIBS_liblazy_vcall := -llazy_vec
$(B)/testlibs/liblazy_vcall.so: $(B)/testlibs/liblazy_vec.so
TESTLIBS += $(B)/testlibs/liblazy_ibt.so
$(B)/testlibs/liblazy_ibt.so: testlibs/liblazy_vcall.c $(B)/testlibs/liblazy_vec.so
	$(CC) -std=gnu11 $(WARN) -O1 -g -fPIC -shared -fcf-protection=full -DLAZY_IBT -o $@ $< \
		$(TL_ORIGIN) $(TL_LAZY) -Wl,-z,ibtplt -Wl,--no-as-needed -L$(B)/testlibs -llazy_vec
# Lookup order (tests/loader/test_symbol.c, "scope"): the global scope
# first, then the opened library's; SL_GLOBAL; SL_DEEPBIND; an interposer.
TL_FLAGS_libscope_deep_top := $(TL_ORIGIN) -Wl,--no-as-needed
TL_LIBS_libscope_deep_top := -lscope_deep_dep
$(B)/testlibs/libscope_deep_top.so: $(B)/testlibs/libscope_deep_dep.so
TL_FLAGS_libscope_ffs := -fno-builtin
TL_FLAGS_libscope_inittop := $(TL_ORIGIN) -Wl,--no-as-needed -fno-builtin
TL_LIBS_libscope_inittop := -lscope_initdep
$(B)/testlibs/libscope_inittop.so: $(B)/testlibs/libscope_initdep.so
TL_FLAGS_libhostmix := $(TL_ORIGIN)
TL_LIBS_libhostmix := -lm -lchain_b
$(B)/testlibs/libhostmix.so: $(B)/testlibs/libchain_b.so
# A library defining a name libc defines (tests/loader/test_symbol.c):
# its own reference binds to libc's, by each object's filter or, with 512
# references more, by the names it shares with glibc's objects.
TL_FLAGS_libownlibc := -fno-builtin
TESTLIBS += $(B)/testlibs/libownlibc_table.so
$(B)/testlibs/libownlibc_table.so: testlibs/libownlibc.c | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 $(WARN) -O1 -g -fPIC -shared -fno-builtin -DOWNLIBC_TABLE -o $@ $<
# A DT_FINI with work in it (loader/reload.h skips only an empty one).
TL_FLAGS_libownfini := -Wl,-fini=ownfini_fini
# Its functions and its padding in the order the source has them.
TL_FLAGS_libinitpages := -fno-toplevel-reorder
# A reload lands where the last load was (loader/reload.h): a library that
# stays (-z nodelete) keeps pointers into one that was unloaded.
TL_FLAGS_libquark_keeper := -Wl,-z,nodelete
TL_FLAGS_libquark_user := $(TL_ORIGIN)
TL_LIBS_libquark_user := -lquark_keeper
$(B)/testlibs/libquark_user.so: $(B)/testlibs/libquark_keeper.so
TL_FLAGS_libquark_top := $(TL_ORIGIN)
TL_LIBS_libquark_top := -lquark_user
$(B)/testlibs/libquark_top.so: $(B)/testlibs/libquark_user.so
