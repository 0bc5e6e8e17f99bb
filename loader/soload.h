/*
 * libsoload: a minimal ELF shared-object loader for x86-64 Linux.
 *
 * sl_open maps a .so's PT_LOAD segments with mmap straight from the file
 * (so text and read-only data are shared through the page cache), loads its
 * dependencies, relocates, makes RELRO read-only, runs initialisers and
 * returns a reference-counted handle. Opening the same file (device and
 * inode) again returns the same handle with its count raised; the last
 * sl_close runs finalisers and unmaps. All calls are thread-safe.
 *
 * Link with: libsoload.a -lelf -ldl -lpthread
 */
#ifndef SOLOAD_H
#define SOLOAD_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The library is built with -fvisibility=hidden: only what carries SL_API is
 * exported, so a program's own functions can never interpose the loader's. */
#define SL_API __attribute__((visibility("default")))

typedef struct sl_lib sl_lib;

/* Flags for sl_open. */
enum {
	SL_POPULATE = 1 << 0, /* prefault every mapping (MAP_POPULATE) */
	SL_SHARE = 1 << 1,    /* share relocated RELRO pages across processes */
	SL_NOLOAD = 1 << 2,   /* only return a handle if already loaded */
	/* A dependency the process's dynamic linker already holds (by soname,
	 * or the same device and inode) is used from there, never mapped a
	 * second time (the preload under `soload run` sets it). */
	SL_USE_HOST = 1 << 3,
	/* Bind each function called through the PLT at its first call, as
	 * dlopen(RTLD_LAZY) does, rather than at load (the default, as
	 * RTLD_NOW): a library may then call what only a library loaded after
	 * it defines. Applies to the dependencies this open loads too; not to
	 * a library linked with -z now (DF_BIND_NOW, DF_1_NOW), nor when
	 * LD_BIND_NOW is set. A function nothing defines at its first call
	 * ends the process: "symbol lookup error" on stderr, then abort(). */
	SL_LAZY = 1 << 4,
};

/* path is a file, or a name without a '/' (a soname such as "libz.so.1")
 * searched as dlopen called from the program searches it: the
 * executable's DT_RPATH, LD_LIBRARY_PATH, the executable's DT_RUNPATH,
 * SOLOAD_LIBRARY_PATH, ldconfig's cache, the system directories. NULL on
 * failure; sl_error() then says which file and why. */
SL_API sl_lib *sl_open(const char *path, int flags);
/* The file sl_open(name) would load, into path (cap bytes): name itself if
 * it has a '/', else that of the library loaded by that soname, else what
 * the search finds. For one of glibc's own libraries, which sl_open leaves
 * to the system's dynamic linker, the copy that linker has loaded, if any.
 * 0, or -1 with sl_error(). */
SL_API int sl_find(const char *name, char *path, size_t cap);
/* The address of a defined symbol of lib or its dependencies, or NULL. */
SL_API void *sl_sym(sl_lib *lib, const char *name);
/* 0, or -1 with sl_error(). */
SL_API int sl_close(sl_lib *lib);
/* This thread's last error, or NULL. Valid until this thread's next call. */
SL_API const char *sl_error(void);

/* ---- Looking inside a loaded library ---- */

struct sl_segment {
	uintptr_t start;      /* mapped address of the segment's first page */
	size_t size;          /* mapped bytes (page-rounded memsz) */
	uint64_t vaddr;       /* p_vaddr */
	uint64_t file_offset; /* p_offset */
	uint64_t file_size;   /* p_filesz */
	uint64_t mem_size;    /* p_memsz */
	int prot;             /* PROT_READ | PROT_WRITE | PROT_EXEC as mapped */
};

/* How relocated read-only data (RELRO) was shared (SL_SHARE). */
struct sl_share_stats {
	int requested;        /* SL_SHARE was given */
	size_t relro_pages;   /* pages in the RELRO range */
	size_t shared_pages;  /* mapped read-only from the share cache */
	size_t private_pages; /* kept as this process's own copy */
	const char *status;   /* "created", "shared", "private: <reason>" */
	/* Relocations (DT_RELR, DT_RELA and DT_JMPREL entries) not applied
	 * because a warm cache proved the pages they write: 0 unless the
	 * pages came from a cache written by an earlier load. */
	size_t relocs_skipped;
};

struct sl_info {
	const char *path;   /* path the library was opened by */
	const char *soname; /* DT_SONAME or NULL */
	uintptr_t base;     /* load bias: runtime address = base + vaddr */
	size_t span;        /* bytes reserved from the lowest to highest PT_LOAD */
	unsigned refcount;  /* current reference count */
	size_t nsegments;
	const struct sl_segment *segments;
	size_t nneeded;        /* DT_NEEDED entries loaded by libsoload */
	sl_lib *const *needed; /* those libraries' handles */
	uintptr_t relro_start; /* 0 if no PT_GNU_RELRO */
	size_t relro_size;
	struct sl_share_stats share;
};

/* Fills *out; the pointers stay valid while lib is open. 0 or -1. */
SL_API int sl_info(sl_lib *lib, struct sl_info *out);

/* Calls fn(lib, arg) for every library libsoload has loaded, in load order,
 * under the registry lock (fn must not call sl_open or sl_close). */
SL_API void sl_foreach(void (*fn)(sl_lib *lib, void *arg), void *arg);

#ifdef __cplusplus
}
#endif

#endif
