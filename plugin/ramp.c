/* tguard: soft-start ramp and rate-limited gain glides. */
#include "ramp.h"

#include <math.h>

void tg_ramp_set_time(TgRamp *ramp, double rate, double seconds)
{
	/* A new duration keeps the progress made, to the frame. */
	const double step = 1.0 / (seconds * rate);
	if (ramp->step > 0.0 && ramp->phase < 1.0) {
		ramp->frame = round(ramp->frame * ramp->step / step);
	}
	ramp->step = step;
	ramp->len = 1.0 / step;
	/* Straight lines over h frames stray from the curve by at most
	 * (h step)^2 pi^2 / 16: under 1e-7 while h step <= 4e-4. */
	ramp->grid = 1;
	while (ramp->grid < 32 && 2.0 * (double)ramp->grid * step <= 4.0e-4) {
		ramp->grid *= 2;
	}
}

void tg_ramp_restart(TgRamp *ramp)
{
	ramp->phase = 0.0;
	ramp->frame = 0.0;
}

/* 0.5 - 0.5 cos(pi t) = 0.5 + 0.5 sin(pi u / 2) with u = 2t - 1: the
 * odd Taylor series of the sine to u^15 (error under 1e-11, far below float
 * resolution), scaled so that it is exactly +-1 at u = +-1. A polynomial
 * costs a tenth of a libm cosine per frame. */
static double half_sine(double u)
{
	const double u2 = u * u;
	return u * (1.5707963268043577 +
	            u2 * (-0.645964097510137 +
	                  u2 * (0.07969262624664704 +
	                        u2 * (-0.004681754135346885 +
	                              u2 * (0.00016044118478832612 +
	                                    u2 * (-3.5988432352337603e-06 +
	                                          u2 * (5.692172922002209e-08 +
	                                                u2 * -6.688035109851747e-10)))))));
}

/* The ramp at frame f: phase f * step, and 1 from phase 1 on. Within
 * [0, 1) the polynomial stays inside (0, 1) (checked on 2e7 points). */
static double ramp_at(const TgRamp *ramp, double f)
{
	const double phase = f * ramp->step;
	return phase >= 1.0 ? 1.0 : 0.5 + 0.5 * half_sine(2.0 * phase - 1.0);
}

/* Raised cosine 0.5 - 0.5 cos(pi t): zero slope at both ends, so neither the
 * start nor the arrival at full level has a corner a listener hears as a
 * click. Each gain depends only on its frame's count, so the result does not
 * depend on how the host cuts the stream into blocks. For slow ramps the
 * polynomial runs on a grid of `grid` frames, aligned to the start, with
 * straight lines between: within 1e-7 of the curve (its second derivative
 * is at most pi^2 / 2), still rising monotonically, and a tenth of the
 * work. */
void tg_ramp_process(TgRamp *ramp, float *gain, uint32_t n)
{
	uint32_t k = 0;
	if (ramp->phase < 1.0) {
		/* Frames left before the phase reaches 1. */
		const double left = ramp->len - ramp->frame;
		k = left >= (double)n ? n : (left > 0.0 ? (uint32_t)ceil(left) : 0);
		const double f0 = ramp->frame;
		if (ramp->grid <= 1) {
			for (int32_t i = 0; i < (int32_t)k; ++i) {
				gain[i] = (float)ramp_at(ramp, f0 + (double)i);
			}
		} else {
			/* Each segment's end point is the next one's start: one
			 * polynomial per segment. h is a power of two, so the
			 * product by 1 / h is the quotient exactly. */
			const uint64_t h = ramp->grid;
			const double inv_h = 1.0 / (double)h;
			uint64_t a = (uint64_t)f0 & ~(h - 1);
			double ga = ramp_at(ramp, (double)a);
			for (uint32_t i = 0; i < k;) {
				const uint64_t f = (uint64_t)f0 + i;
				const uint32_t rest = (uint32_t)(a + h - f);
				const uint32_t cnt = rest < k - i ? rest : k - i;
				const double gb = ramp_at(ramp, (double)(a + h));
				const double dg = (gb - ga) * inv_h;
				const double off = (double)(f - a);
				float *const g = gain + i;
				for (int32_t j = 0; j < (int32_t)cnt; ++j) {
					g[j] = (float)(ga + dg * (off + (double)j));
				}
				i += cnt;
				a += h;
				ga = gb;
			}
		}
		/* The very first gain is exactly silence. */
		if (f0 == 0.0 && k > 0) {
			gain[0] = 0.0f;
		}
		ramp->frame = f0 + (double)k;
		const double phase = ramp->frame * ramp->step;
		ramp->phase = k < n || phase > 1.0 ? 1.0 : phase;
	}
	for (uint32_t i = k; i < n; ++i) {
		gain[i] = 1.0f;
	}
}

void tg_glide_reset(TgGlide *glide, double value) { glide->value = value; }

void tg_glide_set_rates(TgGlide *glide, double rate, double rise_db_s, double fall_s)
{
	glide->rise = pow(10.0, rise_db_s / (20.0 * rate));
	glide->fall = fall_s > 0.0 ? 1.0 - exp(-1.0 / (fall_s * rate)) : 1.0;
}
