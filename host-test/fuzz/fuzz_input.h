/* tguard fuzzing: turn the fuzzer's bytes into the things a host can throw
 * at the plugin. Shared by the three targets. Past the end of the input every
 * read gives 0, so any byte string is a valid scenario.
 *
 * The decoders are built so that the interesting values are a byte or two
 * away: special floats (NaN, infinities, denormals, +-1e38, the ends of a
 * control's range and just beyond) come from a table, and audio can come
 * from generators, so a short input drives long, loud, broken signals. */
#ifndef TG_FUZZ_INPUT_H
#define TG_FUZZ_INPUT_H

#include <float.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "invariants.h"

typedef struct {
	const uint8_t *p;
	size_t n;
} FzIn;

static inline uint8_t fz_u8(FzIn *r)
{
	if (r->n == 0) {
		return 0;
	}
	--r->n;
	return *r->p++;
}

static inline uint16_t fz_u16(FzIn *r)
{
	const uint16_t lo = fz_u8(r);
	return (uint16_t)(lo | (uint16_t)(fz_u8(r) << 8));
}

static inline uint32_t fz_u32(FzIn *r)
{
	const uint32_t lo = fz_u16(r);
	return lo | ((uint32_t)fz_u16(r) << 16);
}

/* Any bit pattern: every NaN payload, denormal and infinity. */
static inline float fz_bits(FzIn *r)
{
	const uint32_t u = fz_u32(r);
	float f;
	memcpy(&f, &u, sizeof(f));
	return f;
}

/* Floats that break code: non-finite, tiny, huge, signed zero. */
static inline float fz_special(uint8_t k)
{
	static const float table[] = {NAN,     -NAN,     INFINITY, -INFINITY, 0.0f,    -0.0f,
	                              FLT_MAX, -FLT_MAX, FLT_MIN,  1e-40f,    -1e-45f, 1e38f,
	                              -1e38f,  1.0f,     -1.0f,    1e9f,      -1e9f,   0.5f};
	return table[k % (sizeof(table) / sizeof(table[0]))];
}

/* A control value: mostly within min..max (linear, or logarithmic when the
 * range spans decades), sometimes its ends or just beyond, sometimes
 * special or raw bits. */
static inline float fz_control(FzIn *r, float min, float def, float max)
{
	const uint8_t kind = fz_u8(r);
	switch (kind % 16) {
	case 0:
		return fz_bits(r);
	case 1:
		return fz_special(fz_u8(r));
	case 2: {
		const float edges[] = {min,
		                       max,
		                       def,
		                       nextafterf(min, -INFINITY),
		                       nextafterf(max, INFINITY),
		                       min - 1.0f,
		                       max * 10.0f,
		                       -max};
		return edges[fz_u8(r) % 8];
	}
	default: {
		const double u = fz_u16(r) / 65535.0;
		if (min > 0.0f && max / min > 100.0f && (kind & 16)) {
			return (float)(min * pow((double)max / min, u));
		}
		return (float)(min + (max - min) * u);
	}
	}
}

/* A sample rate: the usual ones, any in 8..384 kHz, or (mode 3) one the
 * plugin must refuse. */
static inline double fz_rate(FzIn *r, int *valid)
{
	static const double common[] = {8000,  11025, 16000,  22050,  32000,  44100, 48000,
	                                88200, 96000, 176400, 192000, 352800, 384000};
	static const double refused[] = {0.0, -48000.0, 7999.999,  384000.001, 1e7,
	                                 NAN, INFINITY, -INFINITY, 1e300,      4.9e-324};
	const uint8_t mode = fz_u8(r);
	*valid = 1;
	switch (mode % 8) {
	case 0:
	case 1:
	case 2:
		return common[fz_u8(r) % (sizeof(common) / sizeof(common[0]))];
	case 3:
		if (mode & 8) {
			*valid = 0;
			return refused[fz_u8(r) % (sizeof(refused) / sizeof(refused[0]))];
		}
		return (fz_u8(r) & 1) ? 8000.0 : 384000.0;
	default:
		return 8000.0 + 376000.0 * (fz_u32(r) / 4294967295.0);
	}
}

/* A block size 0..8192, small and round sizes favoured. */
static inline uint32_t fz_block(FzIn *r)
{
	static const uint32_t sizes[] = {0,    1,    2,    3,    7,    63,   64,
	                                 65,   255,  256,  257,  511,  512,  1023,
	                                 1024, 2048, 4095, 4096, 4097, 8191, 8192};
	const uint8_t mode = fz_u8(r);
	switch (mode % 4) {
	case 0:
		return sizes[fz_u8(r) % (sizeof(sizes) / sizeof(sizes[0]))];
	case 1:
		return fz_u8(r);
	case 2:
		return fz_u16(r) % 8193u;
	default:
		return fz_u8(r) % 8u;
	}
}

/* Fill x[0..n) for one channel. Generators let a few bytes make long,
 * loud and broken audio; raw mode takes the samples from the input. */
static inline void fz_audio(FzIn *r, float *x, uint32_t n, uint32_t ch)
{
	const uint8_t mode = fz_u8(r);
	float amp = fz_control(r, 0.0f, 1.0f, 1000.0f);
	uint32_t seed = fz_u32(r) ^ (ch * 0x9e3779b9u);
	if (!seed) {
		seed = 1;
	}
	const double w = (fz_u16(r) + 1) / 65536.0 * 3.14159265358979;
	const uint32_t every = 1u + fz_u8(r);
	switch (mode % 8) {
	case 0:
		for (uint32_t i = 0; i < n; ++i) {
			x[i] = fz_bits(r);
		}
		break;
	case 1: /* constant: DC, a denormal, a huge value, NaN... */
		for (uint32_t i = 0; i < n; ++i) {
			x[i] = amp;
		}
		break;
	case 2:
		memset(x, 0, n * sizeof(float));
		break;
	case 3: /* sine at any frequency up to Nyquist */
		for (uint32_t i = 0; i < n; ++i) {
			x[i] = amp * (float)sin(w * (double)i);
		}
		break;
	case 4: /* full-scale alternating samples: the highest frequency */
		for (uint32_t i = 0; i < n; ++i) {
			x[i] = (i & 1) ? -amp : amp;
		}
		break;
	default: { /* noise, with a special value every few samples in mode 6,
		      an impulse train in mode 7 */
		for (uint32_t i = 0; i < n; ++i) {
			seed ^= seed << 13;
			seed ^= seed >> 17;
			seed ^= seed << 5;
			const float u = (float)((double)seed / 2147483648.0 - 1.0);
			if (mode % 8 == 6 && i % every == 0) {
				x[i] = fz_special((uint8_t)seed);
			} else if (mode % 8 == 7) {
				x[i] = i % every == 0 ? amp : 0.0f;
			} else {
				x[i] = amp * u;
			}
		}
		break;
	}
	}
}

/* The chain targets' controls (fuzz_chain, fuzz_diff): mask bit k fuzzes
 * tg_inv_controls[k], the order the saved corpora rely on. */
static inline void fz_chain_controls(FzIn *r, TgParams *p, uint32_t mask)
{
	for (int k = 0; k < TG_INV_N_CONTROLS; ++k) {
		if (mask & (1u << k)) {
			const TgPortInfo *const info = &tg_port_info[tg_inv_controls[k]];
			*tg_inv_param(p, tg_inv_controls[k]) =
			    fz_control(r, info->min, info->def, info->max);
		}
	}
}

/* Spare patterns of op bits 4-6 (0x70 is an activation), which read no
 * byte, so the saved inputs stay aligned. Added in 0.6: 0x30 sets the
 * magnet's controls, 0x50 is idle time before an activation; both drawn
 * from a table by the frames so far, so the value depends on the input. */
static inline void fz_magnet(TgParams *p, uint64_t frames)
{
	static const float share[] = {0.3f, 0.58f, 0.9f, 0.0f};
	static const float tau[] = {1.0f, 60.0f, 3600.0f};
	p->magnet_share = share[frames % 4];
	p->tau_magnet_s = tau[(frames / 4) % 3];
}

static inline double fz_idle_s(uint64_t frames)
{
	static const double s[] = {0.001, 0.05, 0.2, 1.0, 10.0, 100.0};
	return s[frames % 6];
}

#endif
