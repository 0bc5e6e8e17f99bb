# Per-library build settings for the sample libraries (included by Makefile).
#   TL_FLAGS_libx  extra compiler/linker flags for build/testlibs/libx.so
#   TL_LIBS_libx   libraries it links against (-lfoo), after -Lbuild/testlibs
# A library that links another must also list it as a prerequisite:
#   $(B)/testlibs/libx.so: $(B)/testlibs/liby.so
