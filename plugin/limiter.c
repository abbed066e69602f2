/* tguard: peak and RMS current limiter in physical units. */
#include "limiter.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The peak stage aims this far under the ceiling, so that rounding in the
 * gain path can never push a sample over it (-0.0001 dB). */
#define HEADROOM 0.99999

static uint32_t next_pow2(uint32_t v)
{
	uint32_t p = 1;
	while (p < v) {
		p <<= 1;
	}
	return p;
}

int tg_limiter_init(TgLimiter *lim, double rate, uint32_t n_ch)
{
	memset(lim, 0, sizeof(*lim));
	lim->rate = rate;
	lim->n_ch = n_ch;
	lim->latency = (uint32_t)lround(TG_LOOKAHEAD_S * rate);
	if (lim->latency < 1) {
		lim->latency = 1;
	}
	lim->win = lim->latency + 1;
	lim->hold = (uint32_t)lround(TG_HOLD_S * rate);
	if (lim->hold < lim->win) {
		lim->hold = lim->win;
	}
	const uint32_t cap = next_pow2(lim->hold + 1);
	lim->dq_mask = cap - 1;
	lim->dq_val = calloc(cap, sizeof(float));
	lim->dq_t = calloc(cap, sizeof(uint32_t));
	lim->box = calloc(lim->win, sizeof(double));
	int ok = lim->dq_val && lim->dq_t && lim->box;
	for (uint32_t ch = 0; ch < n_ch; ++ch) {
		lim->delay[ch] = calloc(lim->latency, sizeof(float));
		ok = ok && lim->delay[ch];
	}
	if (!ok) {
		tg_limiter_free(lim);
		return -1;
	}
	return 0;
}

void tg_limiter_free(TgLimiter *lim)
{
	free(lim->dq_val);
	free(lim->dq_t);
	free(lim->box);
	for (uint32_t ch = 0; ch < TG_LIMITER_MAX_CH; ++ch) {
		free(lim->delay[ch]);
		lim->delay[ch] = NULL;
	}
	lim->dq_val = NULL;
	lim->dq_t = NULL;
	lim->box = NULL;
}

void tg_limiter_set(TgLimiter *lim, const TgLimiterParams *p)
{
	lim->amps = p->vfs / p->z_ohm;
	const double c = p->i_peak / lim->amps;
	lim->ceiling_to = c < 1.0 ? c : 1.0;
	lim->irms_to = p->i_rms;
	lim->alpha = 1.0 - exp(-1.0 / (p->tau_s * lim->rate));
	lim->rel_coef = 1.0 - exp(-1.0 / (p->release_s * lim->rate));
	tg_glide_set_rates(&lim->ceiling, lim->rate, p->rise_db_s, 0.0);
	tg_glide_set_rates(&lim->irms, lim->rate, p->rise_db_s, 0.0);
	tg_glide_set_rates(&lim->thermal, lim->rate, p->rise_db_s, 0.0);
}

void tg_limiter_reset(TgLimiter *lim, const TgLimiterParams *p)
{
	tg_limiter_set(lim, p);
	tg_glide_reset(&lim->ceiling, lim->ceiling_to);
	tg_glide_reset(&lim->irms, lim->irms_to);
	tg_glide_reset(&lim->thermal, 1.0);
	lim->dq_head = lim->dq_tail = 0;
	lim->t = 0;
	lim->r = 1.0;
	for (uint32_t i = 0; i < lim->win; ++i) {
		lim->box[i] = 1.0;
	}
	lim->box_sum = (double)lim->win;
	lim->box_pos = 0;
	for (uint32_t ch = 0; ch < lim->n_ch; ++ch) {
		memset(lim->delay[ch], 0, lim->latency * sizeof(float));
	}
	lim->delay_pos = 0;
	lim->ms = 0.0;
	lim->clamp_peak = lim->clamp_rms = 0;
}

/* The largest float not above c: a clamp to it never rounds over. */
static float float_at_most(double c)
{
	float f = (float)c;
	if ((double)f > c) {
		f = nextafterf(f, 0.0f);
	}
	return f;
}

/* Each frame: the gain it needs (its own peak against the ceiling, and the
 * thermal gain from the heat estimate so far) enters a minimum over the
 * hold window, instant attack, one-pole release, then a box average over
 * win frames. The box turns each step down into a linear fade that ends
 * exactly when the frame that needed it leaves the delay line: every value
 * in the box is at most that frame's required gain, because the hold window
 * is at least as long as the box. The thermal gain goes the same way, so
 * the ripple of the heat estimate never modulates the signal. */
void tg_limiter_process(TgLimiter *lim, float *const *buf, uint32_t n, TgLimiterMeter *meter)
{
	const uint32_t n_ch = lim->n_ch, mask = lim->dq_mask, hold = lim->hold, win = lim->win;
	const double alpha = lim->alpha, amps = lim->amps, rel = lim->rel_coef;
	const double inv_win = 1.0 / (double)win;
	const double knee2 = TG_THERMAL_KNEE * TG_THERMAL_KNEE;
	/* The guard aims a hair under the bound for float rounding. */
	const double bound2 = TG_RMS_BOUND * TG_RMS_BOUND * (1.0 - 2e-6);
	uint32_t head = lim->dq_head, tail = lim->dq_tail, t = lim->t, pos = lim->box_pos;
	uint32_t dpos = lim->delay_pos;
	double r = lim->r, sum = lim->box_sum, ms = lim->ms;
	float gain_min = meter ? meter->gain_min : 1.0f, peak_a = meter ? meter->peak_a : 0.0f;

	for (uint32_t i = 0; i < n; ++i, ++t) {
		/* Limits in force: raised ones glide, lowered ones are here. */
		const double c = tg_glide_next(&lim->ceiling, lim->ceiling_to);
		const double i_lim = tg_glide_next(&lim->irms, lim->irms_to);
		const double lim2 = i_lim * i_lim;

		float a = 0.0f;
		for (uint32_t ch = 0; ch < n_ch; ++ch) {
			const float b = fabsf(buf[ch][i]);
			a = b > a ? b : a;
		}
		const float cm = (float)(c * HEADROOM);
		float g = a > cm ? cm / a : 1.0f;
		/* Thermal gain: falls at once, but rises no faster than
		 * rise_db_s, so neither the cooling coil nor a lowered vfs makes
		 * the level jump. At the limit it is exactly 0. */
		double gth = 1.0;
		if (ms > knee2 * lim2) {
			gth = (lim2 - ms) / (lim2 * (1.0 - knee2));
		}
		const double gth_g = tg_glide_next(&lim->thermal, gth > 1e-6 ? gth : 1e-6);
		const float gt = gth > 0.0 ? (float)gth_g : 0.0f;
		g = gt < g ? gt : g;

		while (tail != head && lim->dq_val[(tail - 1) & mask] >= g) {
			--tail;
		}
		lim->dq_val[tail & mask] = g;
		lim->dq_t[tail & mask] = t;
		++tail;
		while (t - lim->dq_t[head & mask] >= hold) {
			++head;
		}
		const double h = lim->dq_val[head & mask];
		r = h < r ? h : r + rel * (h - r);
		sum += r - lim->box[pos];
		lim->box[pos] = r;
		if (++pos == win) {
			/* Re-add from scratch once per box length: the running sum
			 * never drifts, whatever the duration. */
			pos = 0;
			sum = 0.0;
			for (uint32_t k = 0; k < win; ++k) {
				sum += lim->box[k];
			}
		}
		double gain = sum * inv_win;
		/* While the heat rises faster than the box can fade, the thermal
		 * gain also applies directly; in steady state the held minimum is
		 * already lower, so this never modulates. */
		gain = gt < gain ? gt : gain;

		const float cf = float_at_most(c);
		int clamped = 0;
		float y[TG_LIMITER_MAX_CH];
		a = 0.0f;
		for (uint32_t ch = 0; ch < n_ch; ++ch) {
			const float d = lim->delay[ch][dpos];
			lim->delay[ch][dpos] = buf[ch][i];
			float v = (float)(d * gain);
			if (!(fabsf(v) <= cf)) { /* also catches NaN */
				v = v > 0.0f ? cf : (v < 0.0f ? -cf : 0.0f);
				clamped = 1;
			}
			y[ch] = v;
			const float av = fabsf(v);
			a = av > a ? av : a;
		}
		dpos = dpos + 1 == lim->latency ? 0 : dpos + 1;
		lim->clamp_peak += (uint64_t)clamped;

		/* Last resort: never let this one sample carry the heat estimate
		 * over the bound. */
		double i_a = (double)a * amps;
		const double b2 = bound2 * lim2;
		if (i_a > 0.0 && (1.0 - alpha) * ms + alpha * i_a * i_a > b2) {
			const double room = (b2 - (1.0 - alpha) * ms) / alpha;
			const double i_max = room > 0.0 ? sqrt(room) : 0.0;
			const float s = (float)(i_max / i_a);
			a = 0.0f;
			for (uint32_t ch = 0; ch < n_ch; ++ch) {
				y[ch] *= s;
				const float av = fabsf(y[ch]);
				a = av > a ? av : a;
			}
			i_a = (double)a * amps;
			gain *= s;
			++lim->clamp_rms;
		}
		ms += alpha * (i_a * i_a - ms);
		for (uint32_t ch = 0; ch < n_ch; ++ch) {
			buf[ch][i] = y[ch];
		}
		const float gf = (float)gain, ia = (float)i_a;
		gain_min = gf < gain_min ? gf : gain_min;
		peak_a = ia > peak_a ? ia : peak_a;
	}
	lim->dq_head = head;
	lim->dq_tail = tail;
	lim->t = t;
	lim->r = r;
	lim->box_sum = sum;
	lim->box_pos = pos;
	lim->delay_pos = dpos;
	lim->ms = ms;
	if (meter) {
		meter->gain_min = gain_min;
		meter->peak_a = peak_a;
	}
}
