/* liblazy_vcall: passes arrays on to liblazy_vec's functions as vector
 * and scalar arguments, through its PLT: opened with SL_LAZY, each first
 * call goes through libsoload's trampoline (loader/lazyplt.S). Built both
 * plain and as liblazy_ibt.so, in the IBT form of PLT (.plt.sec). */
#include <immintrin.h>

__m256 lazy_vadd256(__m256 a, __m256 b, __m256 c, __m256 d, __m256 e, __m256 f, __m256 g, __m256 h)
        __attribute__((target("avx")));
__m512 lazy_vadd512(__m512 a, __m512 b, __m512 c, __m512 d, __m512 e, __m512 f, __m512 g, __m512 h)
        __attribute__((target("avx512f")));
double lazy_dmix(long i1, double a, long i2, double b, long i3, double c, long i4, double d,
                 long i5, double e, long i6, double f, double g, double h);
double lazy_vsum(int n, ...);
int lazy_ifunc(void);

__attribute__((target("avx"))) void lazy_call256(const float *in, float *out)
{
	__m256 v[8];

	for (int i = 0; i < 8; i++)
		v[i] = _mm256_loadu_ps(in + 8 * i);
	_mm256_storeu_ps(out, lazy_vadd256(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7]));
}

__attribute__((target("avx512f"))) void lazy_call512(const float *in, float *out)
{
	__m512 v[8];

	for (int i = 0; i < 8; i++)
		v[i] = _mm512_loadu_ps(in + 16 * i);
	_mm512_storeu_ps(out, lazy_vadd512(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7]));
}

double lazy_call_dmix(const long *i, const double *d)
{
	return lazy_dmix(i[0], d[0], i[1], d[1], i[2], d[2], i[3], d[3], i[4], d[4], i[5], d[5],
	                 d[6], d[7]);
}

double lazy_call_vsum(const double *d)
{
	return lazy_vsum(8, d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7]);
}

int lazy_call_ifunc(void)
{
	return lazy_ifunc();
}

#ifdef LAZY_IBT
/* Never called: liblazy_ibt loads only if its slots wait for a first call. */
extern void lazy_ibt_never(void);

void lazy_call_ibt_never(void)
{
	lazy_ibt_never();
}
#endif
