/*
 * ldcache: /etc/ld.so.cache, the system linker's index of the libraries
 * ldconfig found in the directories /etc/ld.so.conf names (/usr/local/lib
 * and the like, beyond the built-in ones). Mapped by the first lookup and
 * kept mapped: the first lookup of each load checks that the file is still
 * the one mapped (glibc's dlopen maps and unmaps it for each load). Only
 * the format glibc has written since 2.32 is read, and only its x86-64
 * entries without hardware-capability subdirectories. A missing or
 * malformed cache is simply not used. Callers hold the registry lock.
 */
#ifndef SL_LDCACHE_H
#define SL_LDCACHE_H

/* The path the cache gives for a library name (a soname), or NULL. The
 * string lies in the mapped cache: copy it before ldcache_release. */
const char *ldcache_lookup(const char *name);

/* Ends a load's lookups (sl_open, once a load is done): the next lookup
 * checks the file again, and may map a new one over the strings the
 * lookups gave. */
void ldcache_release(void);

/* Where the cache is read from ("/etc/ld.so.cache" until ldcache_use). */
const char *ldcache_path(void);

/* Reads the cache at path from now on instead (for tests). 0, or -1 if it
 * cannot be read or is not a cache, and then none is used. */
int ldcache_use(const char *path);

#endif
