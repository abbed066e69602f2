/* tguard: soft-start ramp and rate-limited gain glides. */
#include "ramp.h"

#include <math.h>

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

void tg_ramp_set_time(TgRamp *ramp, double rate, double seconds)
{
	ramp->step = 1.0 / (seconds * rate);
}

void tg_ramp_restart(TgRamp *ramp) { ramp->phase = 0.0; }

/* Raised cosine 0.5 - 0.5 cos(pi t): zero slope at both ends, so neither the
 * start nor the arrival at full level has a corner a listener hears as a
 * click. The phase is accumulated per frame, so the result does not depend on
 * how the host cuts the stream into blocks. */
void tg_ramp_process(TgRamp *ramp, float *gain, uint32_t n)
{
	double phase = ramp->phase;
	uint32_t i = 0;
	for (; i < n && phase < 1.0; ++i) {
		gain[i] = (float)(0.5 - 0.5 * cos(M_PI * phase));
		phase += ramp->step;
	}
	for (; i < n; ++i) {
		gain[i] = 1.0f;
	}
	ramp->phase = phase < 1.0 ? phase : 1.0;
}

void tg_glide_reset(TgGlide *glide, double value) { glide->value = value; }

void tg_glide_set_rates(TgGlide *glide, double rate, double rise_db_s, double fall_s)
{
	glide->rise = pow(10.0, rise_db_s / (20.0 * rate));
	glide->fall = fall_s > 0.0 ? 1.0 - exp(-1.0 / (fall_s * rate)) : 1.0;
}
