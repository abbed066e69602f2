/* tguard: true-peak detection by 4x polyphase interpolation. */
#include "truepeak.h"

#include "simd.h"

#include <math.h>

/* Modified Bessel function of the first kind, order 0, by its power series
 * (Abramowitz and Stegun 9.6.12); 40 terms are exact in double for the
 * arguments a Kaiser window of beta <= 10 gives. */
static double bessel_i0(double x)
{
	double sum = 1.0, term = 1.0;
	for (int k = 1; k < 40; ++k) {
		const double r = x / (2.0 * k);
		term *= r * r;
		sum += term;
	}
	return sum;
}

#define KAISER_BETA 7.0
#define PI 3.14159265358979323846

void tg_tp_init(TgTruePeak *tp)
{
	const int half = TG_TP_HALF;
	for (int p = 1; p < TG_TP_OVERSAMPLE; ++p) {
		double w[TG_TP_TAPS], sum = 0.0;
		for (int k = 0; k < TG_TP_TAPS; ++k) {
			/* Distance from the point n + p/4 to the tap's frame. */
			const double u = (double)p / TG_TP_OVERSAMPLE + (double)(half - 1 - k);
			const double sinc = sin(PI * u) / (PI * u);
			const double r = u / (double)half;
			const double win = fabs(r) < 1.0 ? bessel_i0(KAISER_BETA * sqrt(1.0 - r * r)) /
			                                       bessel_i0(KAISER_BETA)
			                                 : 0.0;
			w[k] = sinc * win;
			sum += w[k];
		}
		for (int k = 0; k < TG_TP_TAPS; ++k) {
			tp->h[p - 1][k] = (float)(w[k] / sum);
		}
	}
	/* The window's symmetry made exact, as the fast kernel relies on it:
	 * the half-sample phase is even, the quarter phases mirror each other. */
	for (int k = 0; k < TG_TP_TAPS; ++k) {
		tp->h[2][k] = tp->h[0][TG_TP_TAPS - 1 - k];
		if (k >= TG_TP_HALF) {
			tp->h[1][k] = tp->h[1][TG_TP_TAPS - 1 - k];
		}
	}
	for (int k = 0; k < TG_TP_HALF; ++k) {
		tp->h13s[k] = tp->h[0][k] + tp->h[0][TG_TP_TAPS - 1 - k];
		tp->h13d[k] = tp->h[0][k] - tp->h[0][TG_TP_TAPS - 1 - k];
	}
#if defined(__x86_64__) || defined(__i386__)
	tp->avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#else
	tp->avx2 = 0;
#endif
}

double tg_tp_max_ref(const TgTruePeak *tp, const float *x, uint32_t len)
{
	double peak = 0.0;
	for (uint32_t n = 0; n < len; ++n) {
		const double a = fabs((double)x[n]);
		peak = a > peak ? a : peak;
		for (int p = 0; p < TG_TP_OVERSAMPLE - 1; ++p) {
			double y = 0.0;
			for (int k = 0; k < TG_TP_TAPS; ++k) {
				y += (double)tp->h[p][k] * (double)x[(int64_t)n - TG_TP_HALF + 1 + k];
			}
			peak = fabs(y) > peak ? fabs(y) : peak;
		}
	}
	return peak;
}

float tg_tp_point(const TgTruePeak *tp, const float *x, unsigned p)
{
	float y = 0.0f;
	for (int k = 0; k < TG_TP_TAPS; ++k) {
		y += tp->h[p - 1][k] * x[k - TG_TP_HALF + 1];
	}
	return y;
}

/* Four frames at a time: the three phases share every load. */
static float tp_max_v4(const TgTruePeak *tp, const float *x, uint32_t len)
{
	TgV4f peak = tg_v4_set(0.0f);
	for (uint32_t n = 0; n < len; n += 4) {
		const float *const b = x + n - TG_TP_HALF + 1;
		TgV4f a1 = tg_v4_set(0.0f), a2 = a1, a3 = a1;
		for (int k = 0; k < TG_TP_TAPS; ++k) {
			const TgV4f v = tg_v4_load(b + k);
			a1 += tg_v4_set(tp->h[0][k]) * v;
			a2 += tg_v4_set(tp->h[1][k]) * v;
			a3 += tg_v4_set(tp->h[2][k]) * v;
		}
		const TgV4f m = tg_v4_max(tg_v4_max(tg_v4_abs(a1), tg_v4_abs(a2)),
		                          tg_v4_max(tg_v4_abs(a3), tg_v4_abs(tg_v4_load(x + n))));
		peak = tg_v4_max(m, peak);
	}
	return tg_h_max(peak);
}

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>

/* With fused multiply-adds, and the window's
 * symmetry: the half-sample phase is symmetric, h2[k] = h2[N-1-k], and the
 * quarter phases mirror each other, h3[k] = h1[N-1-k]. With the pair sums
 * s_k = x[a+k] + x[a+N-1-k] and differences d_k = x[a+k] - x[a+N-1-k]
 * (k < N/2), y2 = sum h2[k] s_k, y1 + y3 = sum (h1[k] + h1[N-1-k]) s_k
 * and y1 - y3 = sum (h1[k] - h1[N-1-k]) d_k: half the products. max(|y1|, |y3|) is then
 * (|y1 + y3| + |y1 - y3|) / 2. */
__attribute__((target("avx2,fma"))) static inline __m256 abs8(__m256 v)
{
	return _mm256_andnot_ps(_mm256_set1_ps(-0.0f), v);
}

/* The readings of NV vectors of 8 frames from x (x + 1 - TG_TP_HALF
 * onwards), lane by lane: peak[v] for vector v. Every lane takes the same
 * steps, so a frame reads the same whatever its place. */
__attribute__((target("avx2,fma"))) static inline void tp_avx2(const TgTruePeak *tp,
                                                              const float *x, const int NV,
                                                              __m256 *peak)
{
	enum { H = TG_TP_TAPS / 2 };
	const float *const b = x - TG_TP_HALF + 1;
	/* An empty asm keeps the compiler from hoisting the 36 coefficient
	 * addresses out of a caller's loop and spilling them to the stack. */
	const TgTruePeak *t = tp;
	__asm__("" : "+r"(t));
	__m256 sum2[2], sum13[2], dif13[2];
	for (int v = 0; v < NV; ++v) {
		sum2[v] = sum13[v] = dif13[v] = _mm256_setzero_ps();
	}
	/* Unrolled by 4, not 12: fully unrolled, the compiler hoists the
	 * loads so far ahead that it runs out of registers and spills. */
#pragma GCC unroll 4
	for (int k = 0; k < H; ++k) {
		const __m256 hs = _mm256_broadcast_ss(&t->h13s[k]);
		const __m256 hd = _mm256_broadcast_ss(&t->h13d[k]);
		const __m256 h2 = _mm256_broadcast_ss(&t->h[1][k]);
		for (int v = 0; v < NV; ++v) {
			const __m256 lo = _mm256_loadu_ps(b + k + 8 * v);
			const __m256 hi = _mm256_loadu_ps(b + TG_TP_TAPS - 1 - k + 8 * v);
			const __m256 s = _mm256_add_ps(lo, hi), d = _mm256_sub_ps(lo, hi);
			sum2[v] = _mm256_fmadd_ps(h2, s, sum2[v]);
			sum13[v] = _mm256_fmadd_ps(hs, s, sum13[v]);
			dif13[v] = _mm256_fmadd_ps(hd, d, dif13[v]);
		}
	}
	for (int v = 0; v < NV; ++v) {
		const __m256 q = _mm256_mul_ps(_mm256_set1_ps(0.5f),
		                               _mm256_add_ps(abs8(sum13[v]), abs8(dif13[v])));
		const __m256 m = _mm256_max_ps(abs8(_mm256_loadu_ps(x + 8 * v)), abs8(sum2[v]));
		peak[v] = _mm256_max_ps(m, q);
	}
}

/* The same steps for 4 frames. */
__attribute__((target("avx2,fma"))) static inline __m128 tp4_avx2(const TgTruePeak *tp,
                                                                 const float *x)
{
	enum { H = TG_TP_TAPS / 2 };
	const float *const b = x - TG_TP_HALF + 1;
	const __m128 sign = _mm_set1_ps(-0.0f);
	__m128 sum2 = _mm_setzero_ps(), sum13 = sum2, dif13 = sum2;
	for (int k = 0; k < H; ++k) {
		const __m128 lo = _mm_loadu_ps(b + k), hi = _mm_loadu_ps(b + TG_TP_TAPS - 1 - k);
		const __m128 s = _mm_add_ps(lo, hi), d = _mm_sub_ps(lo, hi);
		sum2 = _mm_fmadd_ps(_mm_broadcast_ss(&tp->h[1][k]), s, sum2);
		sum13 = _mm_fmadd_ps(_mm_broadcast_ss(&tp->h13s[k]), s, sum13);
		dif13 = _mm_fmadd_ps(_mm_broadcast_ss(&tp->h13d[k]), d, dif13);
	}
	const __m128 q = _mm_mul_ps(_mm_set1_ps(0.5f), _mm_add_ps(_mm_andnot_ps(sign, sum13),
	                                                          _mm_andnot_ps(sign, dif13)));
	const __m128 m = _mm_max_ps(_mm_andnot_ps(sign, _mm_loadu_ps(x)), _mm_andnot_ps(sign, sum2));
	return _mm_max_ps(m, q);
}

/* The largest lane, NaN lanes left out (as a scalar loop over the lanes
 * from 0 would), halving in registers: the gain computer needs the value
 * at once, and a loop over stored lanes is a chain of dependent compares. */
__attribute__((target("avx2,fma"))) static inline float hmax4(__m128 h)
{
	h = _mm_and_ps(h, _mm_cmp_ps(h, h, _CMP_ORD_Q));
	h = _mm_max_ps(h, _mm_movehl_ps(h, h));
	h = _mm_max_ss(h, _mm_shuffle_ps(h, h, 1));
	return _mm_cvtss_f32(h);
}

__attribute__((target("avx2,fma"))) static inline float hmax8(__m256 v)
{
	v = _mm256_and_ps(v, _mm256_cmp_ps(v, v, _CMP_ORD_Q));
	return hmax4(_mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1)));
}

/* 16 frames at a time, then 8, then 4 (len is a multiple of 4). */
__attribute__((target("avx2,fma"))) static float tp_max_avx2(const TgTruePeak *tp,
                                                             const float *x, uint32_t len)
{
	__m256 peak = _mm256_setzero_ps(), p[2];
	uint32_t n = 0;
	for (; n + 16 <= len; n += 16) {
		tp_avx2(tp, x + n, 2, p);
		peak = _mm256_max_ps(_mm256_max_ps(p[0], p[1]), peak);
	}
	if (n + 8 <= len) {
		tp_avx2(tp, x + n, 1, p);
		peak = _mm256_max_ps(p[0], peak);
		n += 8;
	}
	float r = hmax8(peak);
	if (n < len) {
		const float t = hmax4(tp4_avx2(tp, x + n));
		r = t > r ? t : r;
	}
	return r;
}

/* Sub-blocks of 8 frames two at a time: the pair shares the coefficient
 * loads, and each gets its own reading. */
__attribute__((target("avx2,fma"))) static void tp_max_each8_avx2(const TgTruePeak *tp,
                                                                  const float *x,
                                                                  uint32_t count, float *out)
{
	uint32_t j = 0;
	__m256 p[2];
	for (; j + 2 <= count; j += 2) {
		tp_avx2(tp, x + 8 * j, 2, p);
		out[j] = hmax8(p[0]);
		out[j + 1] = hmax8(p[1]);
	}
	if (j < count) {
		tp_avx2(tp, x + 8 * j, 1, p);
		out[j] = hmax8(p[0]);
	}
}
#endif

void tg_tp_max_each(const TgTruePeak *tp, const float *x, uint32_t count, uint32_t len,
                    float *out)
{
#if defined(__x86_64__) || defined(__i386__)
	if (tp->avx2 && len == 8) {
		tp_max_each8_avx2(tp, x, count, out);
		return;
	}
#endif
	for (uint32_t j = 0; j < count; ++j) {
		out[j] = tg_tp_max(tp, x + (size_t)j * len, len);
	}
}

float tg_tp_max(const TgTruePeak *tp, const float *x, uint32_t len)
{
#if defined(__x86_64__) || defined(__i386__)
	if (tp->avx2) {
		return tp_max_avx2(tp, x, len);
	}
#endif
	return tp_max_v4(tp, x, len);
}
