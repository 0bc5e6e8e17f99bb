/* Real system libraries through libsoload, each compared with the same
 * work done through the system's dlopen in the same test. */
#include "soload.h"
#include "support/testutil.h"

#include <criterion/criterion.h>
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

#define LIBDIR "/lib/x86_64-linux-gnu/"

typedef int (*compress2_fn)(unsigned char *, unsigned long *, const unsigned char *, unsigned long,
                            int);
typedef int (*uncompress_fn)(unsigned char *, unsigned long *, const unsigned char *,
                             unsigned long);

/* Compresses text with compress2 from lib, checks the round trip, and
 * returns the compressed size (the bytes go to out). */
static unsigned long zlib_round_trip(compress2_fn c, uncompress_fn u, unsigned char *out)
{
	static const char text[] = "mapscope mapscope mapscope: pages, pages, pages and faults";
	unsigned long clen = 256, dlen = 256;
	unsigned char back[256];

	cr_assert_eq(c(out, &clen, (const unsigned char *)text, sizeof(text), 9), 0);
	cr_assert_eq(u(back, &dlen, out, clen), 0);
	cr_assert_eq(dlen, sizeof(text));
	cr_assert_str_eq((char *)back, text);
	return clen;
}

Test(reallibs, libz_round_trip_matches_dlopen)
{
	sl_lib *lib = sl_open(LIBDIR "libz.so.1", 0);
	void *sys = dlopen("libz.so.1", RTLD_NOW | RTLD_LOCAL);
	unsigned char ours[256], theirs[256];
	unsigned long n1, n2;

	cr_assert_not_null(lib, "%s", sl_error());
	cr_assert_not_null(sys);
	n1 = zlib_round_trip((compress2_fn)sl_sym(lib, "compress2"),
	                     (uncompress_fn)sl_sym(lib, "uncompress"), ours);
	n2 = zlib_round_trip((compress2_fn)dlsym(sys, "compress2"),
	                     (uncompress_fn)dlsym(sys, "uncompress"), theirs);
	cr_assert_eq(n1, n2);
	cr_assert_eq(memcmp(ours, theirs, n1), 0);
	cr_assert_str_eq(((const char *(*)(void))sl_sym(lib, "zlibVersion"))(),
	                 ((const char *(*)(void))dlsym(sys, "zlibVersion"))());
	cr_assert_not(tu_any_wx_mapping());
	sl_close(lib);
	dlclose(sys);
}

typedef unsigned char *(*sha256_fn)(const unsigned char *, size_t, unsigned char *);

static void hex(const unsigned char *d, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", d[i]);
}

Test(reallibs, libcrypto_sha256_matches_sha256sum_and_dlopen)
{
	static const char data[] = "The quick brown fox jumps over the lazy dog";
	sl_lib *lib = sl_open(LIBDIR "libcrypto.so.3", 0);
	void *sys = dlopen("libcrypto.so.3", RTLD_NOW | RTLD_LOCAL);
	unsigned char md[32], md_sys[32];
	char ours[65], theirs[65], cmd[256], sum[128];

	cr_assert_not_null(lib, "%s", sl_error());
	((sha256_fn)sl_sym(lib, "SHA256"))((const unsigned char *)data, strlen(data), md);
	hex(md, 32, ours);
	cr_assert_str_eq(ours, "d7a8fbb307d7809469ca9abcb0082e4f8d5651e46d3cdb762d02d0bf37c9e592");
	snprintf(cmd, sizeof(cmd), "printf '%%s' '%s' | sha256sum", data);
	cr_assert_eq(tu_run(cmd, sum, sizeof(sum)), 0);
	cr_assert_eq(strncmp(sum, ours, 64), 0, "sha256sum says %s", sum);
	cr_assert_not_null(sys);
	((sha256_fn)dlsym(sys, "SHA256"))((const unsigned char *)data, strlen(data), md_sys);
	hex(md_sys, 32, theirs);
	cr_assert_str_eq(ours, theirs);
	cr_assert_not(tu_any_wx_mapping());
	sl_close(lib);
}

Test(reallibs, libssl_ctx_works_with_libcrypto_as_our_dependency)
{
	sl_lib *ssl = sl_open(LIBDIR "libssl.so.3", 0), *crypto;
	void *(*method)(void), *(*ctx_new)(void *), (*ctx_free)(void *);
	void *ctx;

	cr_assert_not_null(ssl, "%s", sl_error());
	crypto = sl_open(LIBDIR "libcrypto.so.3", SL_NOLOAD);
	cr_assert_not_null(crypto, "libcrypto was loaded by libsoload as libssl's dependency");
	method = (void *(*)(void))sl_sym(ssl, "TLS_method");
	ctx_new = (void *(*)(void *))sl_sym(ssl, "SSL_CTX_new");
	ctx_free = (void (*)(void *))sl_sym(ssl, "SSL_CTX_free");
	cr_assert(method && ctx_new && ctx_free);
	ctx = ctx_new(method());
	cr_assert_not_null(ctx);
	ctx_free(ctx);
	cr_assert_not(tu_any_wx_mapping());
	sl_close(crypto);
	sl_close(ssl);
}

Test(reallibs, liblzma_sqlite3_and_expat_work)
{
	sl_lib *lzma = sl_open(LIBDIR "liblzma.so.5", 0);
	sl_lib *sq = sl_open(LIBDIR "libsqlite3.so.0", 0);
	sl_lib *expat = sl_open(LIBDIR "libexpat.so.1", 0);
	void *db = NULL;
	int (*sq_open)(const char *, void **),
	        (*sq_exec)(void *, const char *, void *, void *, char **);

	cr_assert_not_null(lzma, "%s", sl_error());
	cr_assert_not_null(sq, "%s", sl_error());
	cr_assert_not_null(expat, "%s", sl_error());
	cr_assert_str_eq(((const char *(*)(void))sl_sym(lzma, "lzma_version_string"))(), "5.4.1");
	cr_assert_eq(strncmp(((const char *(*)(void))sl_sym(sq, "sqlite3_libversion"))(), "3.", 2),
	             0);
	sq_open = (int (*)(const char *, void **))sl_sym(sq, "sqlite3_open");
	sq_exec =
	        (int (*)(void *, const char *, void *, void *, char **))sl_sym(sq, "sqlite3_exec");
	cr_assert_eq(sq_open(":memory:", &db), 0);
	cr_assert_eq(sq_exec(db, "create table t(x); insert into t values (1),(2);", 0, 0, 0), 0);
	((int (*)(void *))sl_sym(sq, "sqlite3_close"))(db);
	cr_assert_eq(
	        strncmp(((const char *(*)(void))sl_sym(expat, "XML_ExpatVersion"))(), "expat_", 6),
	        0);
	cr_assert_not(tu_any_wx_mapping());
	sl_close(expat);
	sl_close(sq);
	sl_close(lzma);
}
