/* tguard: the code the protection guarantees rest on. */
#include "safety.h"

/* The highest true-peak reading of interval n over all channels. */
static float interval_peak(const TgTruePeak *tp, float *const *x, uint32_t n_ch, uint32_t n)
{
	float v = 0.0f;
	for (uint32_t ch = 0; ch < n_ch; ++ch) {
		const float *const f = x[ch] + n;
		const float a = fabsf(f[0]);
		v = a > v ? a : v;
		for (unsigned p = 1; p < TG_TP_OVERSAMPLE; ++p) {
			const float y = fabsf(tg_tp_point(tp, f, p));
			v = y > v ? y : v;
		}
	}
	return v;
}

/* Scale what interval n rests on by f < 1, fading back to 1 outside. A
 * product, so frames scaled before (and frames the gain computer has yet
 * to gain) only ever go down. */
static void scale_around(float *const *x, uint32_t n_ch, uint32_t n, float f)
{
	const int64_t lo = (int64_t)n - TG_TP_HALF + 1, hi = (int64_t)n + TG_TP_HALF;
	for (int64_t k = lo - TG_GUARD_FADE; k <= hi + TG_GUARD_FADE; ++k) {
		const int64_t d = k < lo ? lo - k : (k > hi ? k - hi : 0);
		const float g = f + (1.0f - f) * (float)d / (float)(TG_GUARD_FADE + 1);
		for (uint32_t ch = 0; ch < n_ch; ++ch) {
			x[ch][k] *= g;
		}
	}
}

uint32_t tg_tp_guard_ref(const TgTruePeak *tp, float *const *x, uint32_t n_ch, uint32_t count,
                         float cg, float *peak)
{
	uint32_t engaged = 0;
	float pk = 0.0f;
	for (uint32_t n = 0; n < count; ++n) {
		float v = interval_peak(tp, x, n_ch, n);
		if (!(v <= cg)) {
			++engaged;
			/* Float rounding can leave the scaled interval a hair over:
			 * scale again, each time by a little more. */
			for (int tries = 0; tries < 8 && !(v <= cg); ++tries) {
				const float f = v > 0.0f ? cg / v * (1.0f - 1e-6f * (float)(1 << tries)) : 0.0f;
				scale_around(x, n_ch, n, f > 0.0f ? f : 0.0f);
				v = interval_peak(tp, x, n_ch, n);
			}
		}
		pk = v > pk ? v : pk;
	}
	*peak = pk;
	return engaged;
}

uint32_t tg_tp_guard(const TgTruePeak *tp, float *const *x, uint32_t n_ch, uint32_t count,
                     float cg, float *peak)
{
	/* Almost always nothing is over: one vector pass tells, and gives the
	 * reading; otherwise the reference runs. */
	float pk = 0.0f;
	for (uint32_t ch = 0; ch < n_ch; ++ch) {
		const float v = tg_tp_max(tp, x[ch], count);
		pk = v > pk ? v : pk;
	}
	if (pk <= cg) {
		*peak = pk;
		return 0;
	}
	return tg_tp_guard_ref(tp, x, n_ch, count, cg, peak);
}

void tg_bridge_out(float *r, const float *l, uint32_t n)
{
	for (uint32_t i = 0; i < n; ++i) {
		r[i] = -l[i];
	}
}

float tg_float_at_most(double c)
{
	float f = (float)c;
	if ((double)f > c) {
		f = nextafterf(f, 0.0f);
	}
	return f;
}

float tg_clamp_frame(float *const *x, uint32_t n_ch, uint32_t i, float cf, uint64_t *count)
{
	float a = 0.0f;
	int clamped = 0;
	for (uint32_t ch = 0; ch < n_ch; ++ch) {
		float *const v = &x[ch][i];
		if (!(fabsf(*v) <= cf)) {
			*v = *v > 0.0f ? cf : (*v < 0.0f ? -cf : 0.0f);
			clamped = 1;
		}
		a = fabsf(*v) > a ? fabsf(*v) : a;
	}
	*count += (uint64_t)clamped;
	return a;
}

float tg_rms_guard_frame(const TgHeatModel *m, const TgHeat *h, double amps, double b2,
                         float *const *x, uint32_t n_ch, uint32_t i, float *a, uint64_t *count)
{
	const double i_a = (double)*a * amps;
	if (!(i_a > 0.0 && tg_heat_over(m, h, i_a, b2))) {
		return 1.0f;
	}
	const float sc = (float)(tg_heat_room(m, h, b2) / i_a);
	float an = 0.0f;
	for (uint32_t ch = 0; ch < n_ch; ++ch) {
		float *const v = &x[ch][i];
		*v *= sc;
		an = fabsf(*v) > an ? fabsf(*v) : an;
	}
	*a = an;
	++*count;
	return sc;
}

void tg_heat_unwind(const TgHeatModel *m, TgHeat *h, const float *const *x, uint32_t n_ch,
                    uint32_t n, double amps)
{
	for (uint32_t j = n; j-- > 0;) {
		float a = 0.0f;
		for (uint32_t ch = 0; ch < n_ch; ++ch) {
			a = fabsf(x[ch][j]) > a ? fabsf(x[ch][j]) : a;
		}
		tg_heat_unstep(m, h, (double)a * amps);
	}
}
