/* liblazy_vec: functions whose arguments travel in every register a call
 * may use (integer, SSE, AVX, AVX-512, and a variadic call's %al), for
 * liblazy_vcall to call through lazily bound PLT slots; and an IFUNC. */
#include <immintrin.h>
#include <stdarg.h>

/* a + 2b + ... + 8h: each argument weighs differently, so a lost or
 * swapped register shows in the sum. */
__attribute__((target("avx"))) __m256 lazy_vadd256(__m256 a, __m256 b, __m256 c, __m256 d,
                                                   __m256 e, __m256 f, __m256 g, __m256 h)
{
	__m256 k = _mm256_set1_ps(1.0f), r = _mm256_setzero_ps(), one = k;
	__m256 v[8] = {a, b, c, d, e, f, g, h};

	for (int i = 0; i < 8; i++) {
		r = _mm256_add_ps(r, _mm256_mul_ps(v[i], k));
		k = _mm256_add_ps(k, one);
	}
	return r;
}

__attribute__((target("avx512f"))) __m512 lazy_vadd512(__m512 a, __m512 b, __m512 c, __m512 d,
                                                       __m512 e, __m512 f, __m512 g, __m512 h)
{
	__m512 k = _mm512_set1_ps(1.0f), r = _mm512_setzero_ps(), one = k;
	__m512 v[8] = {a, b, c, d, e, f, g, h};

	for (int i = 0; i < 8; i++) {
		r = _mm512_add_ps(r, _mm512_mul_ps(v[i], k));
		k = _mm512_add_ps(k, one);
	}
	return r;
}

double lazy_dmix(long i1, double a, long i2, double b, long i3, double c, long i4, double d,
                 long i5, double e, long i6, double f, double g, double h)
{
	return (double)(i1 + 10 * i2 + 100 * i3 + 1000 * i4 + 10000 * i5 + 100000 * i6) + a +
	       2 * b + 3 * c + 4 * d + 5 * e + 6 * f + 7 * g + 8 * h;
}

/* A variadic callee reads its vector arguments only if %al says so. */
double lazy_vsum(int n, ...)
{
	va_list ap;
	double sum = 0;

	va_start(ap, n);
	for (int i = 0; i < n; i++)
		sum += (i + 1) * va_arg(ap, double);
	va_end(ap);
	return sum;
}

static int pick_seven(void)
{
	return 7;
}

static int (*pick(void))(void)
{
	return pick_seven;
}

int lazy_ifunc(void) __attribute__((ifunc("pick")));
