/*
 * share: how much N processes that hold one library spend on it, per
 * loader. Starts N holders (`soload hold [--share] LIB`, or mapscope's own
 * dlopen holder), waits until all are ready, measures each one's mappings
 * of the library and of what it loaded (and of its RELRO cache files), and
 * stops them. Plain data out; never prints.
 */
#ifndef SHARE_PROBE_H
#define SHARE_PROBE_H

#include "probe/share_mem.h"

#include <stddef.h>
#include <sys/types.h>

enum share_loader { SHARE_DLOPEN, SHARE_SOLOAD, SHARE_SOLOAD_SHARE, SHARE_NLOADERS };

/* "dlopen", "soload", "soload-share". */
const char *share_loader_name(enum share_loader loader);
/* 0, or -1 if name is none of them. */
int share_parse_loader(const char *name, enum share_loader *out);

struct share_proc {
	pid_t pid;
	struct share_mem mem;
	int have_relro; /* the holder reported how its RELRO was shared */
	size_t relro_pages, relro_shared_pages, relro_private_pages;
	char relro_status[512]; /* "libssl.so.3: shared; libcrypto.so.3: created" */
};

struct share_run {
	enum share_loader loader;
	size_t n;
	struct share_proc *procs;
	struct share_mem totals; /* sums over procs; have_mapcount only if all had */
	struct share_mem_files files;
};

struct share_request {
	const char *lib; /* a path, as sl_find gives */
	size_t n;
	int timeout_ms;
	const char *self;   /* this mapscope binary: the dlopen holder */
	const char *soload; /* the soload binary */
};

/* Runs req->n holders of req->lib loaded by loader and measures them into
 * *run. 0, or -1 with why (naming the holder and its stderr); either way
 * no holder is left running. share_free releases *run. */
int share_measure(const struct share_request *req, enum share_loader loader, struct share_run *run,
                  char *why, size_t cap);
void share_free(struct share_run *run);

#endif
