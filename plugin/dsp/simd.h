/* tguard: the vector types, defined here once, and four-lane helpers.
 *
 * GCC and clang vector types at the width every target has (SSE2, NEON),
 * so block loops run four frames per instruction without asking the
 * vectoriser, and without fast-math: max and min are exactly the scalar
 * a > b ? a : b and a < b ? a : b, NaN included. The filter's block
 * kernels also take two floats, and four doubles where AVX2 runs them.
 */
#ifndef TG_SIMD_H
#define TG_SIMD_H

#include <stdint.h>
#include <string.h>

#if defined(__SSE__)
#include <xmmintrin.h>
#endif

typedef float TgV4f __attribute__((vector_size(16)));
typedef double TgV2d __attribute__((vector_size(16)));
typedef int32_t TgV4i __attribute__((vector_size(16)));
typedef float TgV2f __attribute__((vector_size(8)));
typedef double TgV4d __attribute__((vector_size(32)));

static inline TgV4f tg_v4_load(const float *p)
{
	TgV4f v;
	memcpy(&v, p, sizeof(v));
	return v;
}

static inline void tg_v4_store(float *p, TgV4f v) { memcpy(p, &v, sizeof(v)); }

static inline TgV4f tg_v4_set(float x) { return (TgV4f){x, x, x, x}; }

static inline TgV2d tg_v2_load(const double *p)
{
	TgV2d v;
	memcpy(&v, p, sizeof(v));
	return v;
}

static inline TgV4f tg_v4_abs(TgV4f x) { return (TgV4f)((TgV4i)x & 0x7fffffff); }

/* SSE's maxps and minps are exactly these selections. */
static inline TgV4f tg_v4_max(TgV4f a, TgV4f b)
{
#if defined(__SSE__)
	return (TgV4f)_mm_max_ps((__m128)a, (__m128)b);
#else
	const TgV4i m = a > b;
	return (TgV4f)((m & (TgV4i)a) | (~m & (TgV4i)b));
#endif
}

static inline TgV4f tg_v4_min(TgV4f a, TgV4f b)
{
#if defined(__SSE__)
	return (TgV4f)_mm_min_ps((__m128)a, (__m128)b);
#else
	const TgV4i m = a < b;
	return (TgV4f)((m & (TgV4i)a) | (~m & (TgV4i)b));
#endif
}

static inline int tg_v4_any(TgV4i m) { return (m[0] | m[1] | m[2] | m[3]) != 0; }

static inline float tg_h_max(TgV4f v)
{
	const float a = v[0] > v[1] ? v[0] : v[1];
	const float b = v[2] > a ? v[2] : a;
	return v[3] > b ? v[3] : b;
}

static inline float tg_h_min(TgV4f v)
{
	const float a = v[0] < v[1] ? v[0] : v[1];
	const float b = v[2] < a ? v[2] : a;
	return v[3] < b ? v[3] : b;
}

/* Lanes summed pairwise, the order four partial sums always had here. */
static inline float tg_h_sum(TgV4f v) { return (v[0] + v[1]) + (v[2] + v[3]); }

#endif
