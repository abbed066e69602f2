/* tguard: soft-start ramp and rate-limited gain glides. */
#include "ramp.h"

#include <math.h>

void tg_ramp_set_time(TgRamp *ramp, double rate, double seconds)
{
	/* A new duration keeps the progress made, to the frame. */
	const double step = 1.0 / (seconds * rate);
	if (ramp->step > 0.0 && ramp->phase < 1.0) {
		ramp->frame = round(ramp->frame * ramp->step / step);
		/* The progress (the meter) under the new length, at once. */
		ramp->phase = ramp->frame * step < 1.0 ? ramp->frame * step : 1.0;
	}
	ramp->step = step;
	ramp->len = 1.0 / step;
	/* Straight lines over h frames stray from the sine by at most the
	 * fraction (pi h step / 2)^2 / 8 of it (its second derivative is
	 * -(pi / 2)^2 times itself): under 1.3e-8 while 2 h step <= 4e-4, so
	 * the gain, its square, is within 2.5e-8 of the curve relatively. */
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

/* sin(pi u / 2) for u in [-1, 1]: the odd Taylor series of the sine to
 * u^15 (error under 1e-11, far below float resolution), scaled so that it
 * is exactly +-1 at u = +-1. Odd, so near 0 it is as accurate relatively as
 * it is absolutely. A polynomial costs a tenth of a libm sine per frame. */
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

/* The square root of the ramp at frame f: sin(pi t / 2) at the phase
 * t = f * step, and 1 from phase 1 on. Within [0, 1) the polynomial stays
 * inside [0, 1) (checked on 2e7 points). */
static double ramp_root(const TgRamp *ramp, double f)
{
	const double phase = f * ramp->step;
	return phase >= 1.0 ? 1.0 : half_sine(phase);
}

/* Raised cosine 0.5 - 0.5 cos(pi t) = sin^2(pi t / 2): zero slope at both
 * ends, so neither the start nor the arrival at full level has a corner a
 * listener hears as a click. It is made as the square of the sine, whose
 * error is relative: the first gains, tiny, are as exact as the last (the
 * form 0.5 - 0.5 cos loses them to cancellation, and a straight line over
 * the first grid segment would be out by 100 %). Each gain depends only on
 * its frame's count, so the result does not depend on how the host cuts
 * the stream into blocks. For slow ramps the sine is evaluated on a grid of
 * `grid` frames, aligned to the start, with straight lines between: within
 * 2.5e-8 of the curve relatively, still rising monotonically, and a tenth
 * of the work. */
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
				const double s = ramp_root(ramp, f0 + (double)i);
				gain[i] = (float)(s * s);
			}
		} else {
			/* Each segment's end point is the next one's start: one
			 * polynomial per segment. h is a power of two, so the
			 * product by 1 / h is the quotient exactly. */
			const uint64_t h = ramp->grid;
			const double inv_h = 1.0 / (double)h;
			uint64_t a = (uint64_t)f0 & ~(h - 1);
			double ga = ramp_root(ramp, (double)a);
			for (uint32_t i = 0; i < k;) {
				const uint64_t f = (uint64_t)f0 + i;
				const uint32_t rest = (uint32_t)(a + h - f);
				const uint32_t cnt = rest < k - i ? rest : k - i;
				const double gb = ramp_root(ramp, (double)(a + h));
				const double dg = (gb - ga) * inv_h;
				const double off = (double)(f - a);
				float *const g = gain + i;
				for (int32_t j = 0; j < (int32_t)cnt; ++j) {
					const double s = ga + dg * (off + (double)j);
					g[j] = (float)(s * s);
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
