/* tguard: soft-start ramp and rate-limited gain glides. */
#include "ramp.h"

#include <math.h>

void tg_ramp_set_time(TgRamp *ramp, double rate, double seconds)
{
	/* A new duration keeps the progress made. */
	const double step = 1.0 / (seconds * rate);
	if (ramp->step > 0.0 && ramp->phase < 1.0) {
		ramp->frame = ramp->frame * ramp->step / step;
	}
	ramp->step = step;
	ramp->len = 1.0 / step;
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

/* Raised cosine 0.5 - 0.5 cos(pi t): zero slope at both ends, so neither the
 * start nor the arrival at full level has a corner a listener hears as a
 * click. The phase is the frame count times the step, so the result does
 * not depend on how the host cuts the stream into blocks, and the frames of
 * a block are independent of each other (the loop vectorises). */
void tg_ramp_process(TgRamp *ramp, float *gain, uint32_t n)
{
	uint32_t k = 0;
	if (ramp->phase < 1.0) {
		/* Frames left before the phase reaches 1. */
		const double left = ramp->len - ramp->frame;
		k = left >= (double)n ? n : (left > 0.0 ? (uint32_t)ceil(left) : 0);
		const double f0 = ramp->frame, step = ramp->step;
		/* Within [0, 1) the polynomial stays inside (0, 1) (checked on
		 * 2e7 points), so no clamp is needed; the very first gain is
		 * exactly silence. */
		for (int32_t i = 0; i < (int32_t)k; ++i) {
			const double phase = (f0 + (double)i) * step;
			gain[i] = (float)(0.5 + 0.5 * half_sine(2.0 * phase - 1.0));
		}
		if (f0 == 0.0 && k > 0) {
			gain[0] = 0.0f;
		}
		ramp->frame = f0 + (double)k;
		const double phase = ramp->frame * step;
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
