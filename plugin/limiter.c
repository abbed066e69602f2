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
}

void tg_limiter_reset(TgLimiter *lim, const TgLimiterParams *p)
{
	tg_limiter_set(lim, p);
	tg_glide_reset(&lim->ceiling, lim->ceiling_to);
	tg_glide_reset(&lim->irms, lim->irms_to);
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

/* The gain each frame needs so that its own peak meets the ceiling. */
static void required_gain(TgLimiter *lim, float *const *x, uint32_t n)
{
	for (uint32_t i = 0; i < n; ++i) {
		const double c = tg_glide_next(&lim->ceiling, lim->ceiling_to);
		float a = fabsf(x[0][i]);
		for (uint32_t ch = 1; ch < lim->n_ch; ++ch) {
			const float b = fabsf(x[ch][i]);
			a = b > a ? b : a;
		}
		const float cm = (float)(c * HEADROOM);
		lim->ceil_buf[i] = (float)c;
		lim->greq[i] = a > cm ? cm / a : 1.0f;
	}
}

/* Minimum over the hold window, instant attack, one-pole release, then a
 * box average over win frames. The box turns each step down into a linear
 * fade that ends exactly when the frame that needed it leaves the delay
 * line: every value in the box is at most that frame's required gain,
 * because the hold window is at least as long as the box. */
static void gain_envelope(TgLimiter *lim, uint32_t n)
{
	const uint32_t mask = lim->dq_mask, hold = lim->hold, win = lim->win;
	const double rel = lim->rel_coef, inv_win = 1.0 / (double)win;
	uint32_t head = lim->dq_head, tail = lim->dq_tail, t = lim->t, pos = lim->box_pos;
	double r = lim->r, sum = lim->box_sum;
	for (uint32_t i = 0; i < n; ++i, ++t) {
		const float g = lim->greq[i];
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
		pos = pos + 1 == win ? 0 : pos + 1;
		lim->gain[i] = (float)(sum * inv_win);
	}
	lim->dq_head = head;
	lim->dq_tail = tail;
	lim->t = t;
	lim->r = r;
	lim->box_sum = sum;
	lim->box_pos = pos;
}

void tg_limiter_process(TgLimiter *lim, float *const *buf, uint32_t n, TgLimiterMeter *meter)
{
	const uint32_t n_ch = lim->n_ch;
	const double alpha = lim->alpha, amps = lim->amps;
	const double knee2 = TG_THERMAL_KNEE * TG_THERMAL_KNEE;
	/* The guard aims a hair under the bound for float rounding. */
	const double bound2 = TG_RMS_BOUND * TG_RMS_BOUND * (1.0 - 2e-6);
	for (uint32_t off = 0; off < n;) {
		const uint32_t m = n - off < TG_LIMITER_CHUNK ? n - off : TG_LIMITER_CHUNK;
		float *x[TG_LIMITER_MAX_CH] = {buf[0] + off, NULL};
		for (uint32_t ch = 1; ch < n_ch; ++ch) {
			x[ch] = buf[ch] + off;
		}
		required_gain(lim, x, m);
		gain_envelope(lim, m);

		double ms = lim->ms;
		uint32_t dpos = lim->delay_pos;
		for (uint32_t i = 0; i < m; ++i) {
			float y[TG_LIMITER_MAX_CH];
			float a = 0.0f;
			for (uint32_t ch = 0; ch < n_ch; ++ch) {
				y[ch] = lim->delay[ch][dpos];
				lim->delay[ch][dpos] = x[ch][i];
			}
			dpos = dpos + 1 == lim->latency ? 0 : dpos + 1;

			/* Thermal gain: 1 up to the knee, falling linearly to 0 at
			 * the limit, so the equilibrium always sits under it. */
			const double irms = tg_glide_next(&lim->irms, lim->irms_to);
			const double lim2 = irms * irms;
			double g = lim->gain[i];
			if (ms > knee2 * lim2) {
				const double gth = (lim2 - ms) / (lim2 * (1.0 - knee2));
				g *= gth > 0.0 ? gth : 0.0;
			}
			const float c = lim->ceil_buf[i];
			int clamped = 0;
			for (uint32_t ch = 0; ch < n_ch; ++ch) {
				float v = (float)(y[ch] * g);
				if (!(fabsf(v) <= c)) { /* also catches NaN */
					v = v > 0.0f ? c : (v < 0.0f ? -c : 0.0f);
					clamped = 1;
				}
				y[ch] = v;
				const float av = fabsf(v);
				a = av > a ? av : a;
			}
			lim->clamp_peak += (uint64_t)clamped;

			/* Last resort: never let this one sample carry the heat
			 * estimate over the bound. */
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
				g *= s;
				++lim->clamp_rms;
			}
			ms += alpha * (i_a * i_a - ms);
			for (uint32_t ch = 0; ch < n_ch; ++ch) {
				x[ch][i] = y[ch];
			}
			if (meter) {
				const float gf = (float)g;
				meter->gain_min = gf < meter->gain_min ? gf : meter->gain_min;
				const float ia = (float)i_a;
				meter->peak_a = ia > meter->peak_a ? ia : meter->peak_a;
			}
		}
		if (meter) {
			meter->n += m;
		}
		lim->ms = ms;
		lim->delay_pos = dpos;
		off += m;
	}
}
