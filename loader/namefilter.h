/*
 * namefilter: one filter of every name a set of objects defines, made from
 * their GNU hash tables, to tell in one test that none of them defines a
 * name. A relocation pass asks that of the global scope for every symbol a
 * library defines itself (glibc's order: the global scope first); a test
 * of each object's own bloom filter costs a cache line per object and lets
 * one name in five through to a full lookup, this one a line in all.
 */
#ifndef SL_NAMEFILTER_H
#define SL_NAMEFILTER_H

#include "gnunames.h"

#include <stddef.h>
#include <stdint.h>

struct namefilter;

/* The filter of the names the GNU hash tables tables[0..n) hold, or NULL
 * when out of memory. */
struct namefilter *namefilter_build(const struct gnu_names *tables, size_t n);

/* 0 when no table of the filter holds a name of GNU hash hash; 1 when one
 * may. */
int namefilter_may_hold(const struct namefilter *f, uint32_t hash);

void namefilter_free(struct namefilter *f);

#endif
