/* tguard: peak and RMS current limiter in physical units. */
#include "limiter.h"

#include "safety.h"
#include "simd.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The running sum of r is rebased before its size costs precision. */
#define CUM_REBASE 4294967296.0
/* Room for this many blocks of TG_LIM_BLOCK before the history moves back. */
#define MEM_BLOCKS 8u

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
	lim->n_run = n_ch;
	/* The detector reads TG_TP_HALF frames ahead of the sub-block it
	 * measures; the guard checks intervals TG_TP_HALF frames behind the
	 * frames just gained and may scale TG_GUARD_BACK frames behind those. */
	const uint32_t reach = 2 * TG_TP_HALF + TG_GUARD_BACK;
	const long total = lround(TG_LATENCY_S * rate);
	lim->ahead = total > (long)reach + 12 ? (uint32_t)total - reach : 12;
	lim->latency = lim->ahead + reach;
	/* At least 12 frames of lookahead, so a sub-block holds 4, 8 or 16
	 * frames: the loops below work in fours. The gain computer waits for
	 * whole sub-blocks, so a sub-block of the lookahead goes to that wait:
	 * keep it to a third at most. */
	lim->sub = 1;
	while (lim->sub * 2 <= TG_SUB_MAX && lim->sub * 2 * 3 <= lim->ahead) {
		lim->sub *= 2;
	}
	lim->win = lim->ahead - lim->sub + 2;
	/* Whether the readings of a pass can be taken before it. The detector
	 * reads the sub-block at s from s - 2 TG_TP_HALF + 1 on (detect_from,
	 * and its interpolation's reach back). The sub-block at s changes
	 * frames up to s + sub - win - 4: it gains, clamps and RMS-guards
	 * q .. q + sub - 1 (q = s - TG_TP_HALF - win + 1), and the true-peak
	 * guard's fade reaches TG_GUARD_FADE past them. The next one reads from
	 * s + sub - 23, so nothing it reads has changed when win >= TG_TP_HALF
	 * + TG_GUARD_FADE = 20: from 44.1 kHz on (win is 39 at 44.1 and
	 * 48 kHz, 19 at 32 kHz). */
	lim->read_ahead = lim->win >= TG_TP_HALF + TG_GUARD_FADE;
	tg_tp_init(&lim->tp);
	/* The margin also leaves room for rounding in the gain path. */
	lim->tp_aim = pow(10.0, -TG_TP_MARGIN_DB / 20.0);
	for (uint32_t k = 0; k < TG_SUB_MAX; ++k) {
		lim->count[k] = (double)(k + 1);
	}
	uint32_t hold = (uint32_t)lround(TG_HOLD_S * rate);
	if (hold < lim->win) {
		hold = lim->win;
	}
	/* Enough whole sub-blocks to cover hold frames before any frame. */
	lim->k_hold = (hold - 1 + lim->sub - 1) / lim->sub + 1;
	const uint32_t ring = next_pow2(lim->win + lim->sub);
	lim->cum_mask = ring - 1;
	lim->hold_cur = calloc(lim->k_hold, sizeof(float));
	lim->hold_suf = calloc(lim->k_hold + 1, sizeof(float));
	lim->cum = calloc(2 * (size_t)ring, sizeof(double));
	int ok = lim->hold_cur && lim->hold_suf && lim->cum;
	lim->mem_len = lim->latency + TG_LIM_BLOCK * MEM_BLOCKS;
	for (uint32_t ch = 0; ch < n_ch; ++ch) {
		lim->mem[ch] = calloc(lim->mem_len, sizeof(float));
		lim->x[ch] = lim->mem[ch];
		ok = ok && lim->mem[ch];
	}
	if (!ok) {
		tg_limiter_free(lim);
		return -1;
	}
	return 0;
}

void tg_limiter_free(TgLimiter *lim)
{
	free(lim->hold_cur);
	free(lim->hold_suf);
	free(lim->cum);
	for (uint32_t ch = 0; ch < TG_LIMITER_MAX_CH; ++ch) {
		free(lim->mem[ch]);
		lim->mem[ch] = NULL;
		lim->x[ch] = NULL;
	}
	lim->hold_cur = NULL;
	lim->hold_suf = NULL;
	lim->cum = NULL;
}

/* The final clamp's ceiling, tg_float_at_most(lim->ceiling): nextafterf
 * is a library call, so once per ceiling. */
static float clamp_ceiling(TgLimiter *lim)
{
	if (lim->ceiling != lim->cf_of) {
		lim->cf_of = lim->ceiling;
		lim->cf = tg_float_at_most(lim->ceiling);
	}
	return lim->cf;
}

/* The sample clamp and the RMS guard (safety.h) on frame i of the delay. */
static float clamp_frame(TgLimiter *lim, uint32_t i, float cf)
{
	return tg_clamp_frame(lim->x, lim->n_run, i, cf, &lim->clamp_peak);
}

static float guard_frame(TgLimiter *lim, uint32_t i, const TgHeat *h, double b2, float *a)
{
	return tg_rms_guard_frame(&lim->heat_m, h, lim->amps, b2, lim->x, lim->n_run, i, a,
	                          &lim->clamp_rms);
}

/* Frames gained, and their heat counted, but not yet out: the oldest of
 * the delay, TG_TP_HALF + TG_GUARD_BACK and up to a sub-block. New limits
 * bind from the next frame out: rebind undoes their heat and counts it
 * again under the new limits (safety.h, the heat through new limits). */
static uint32_t gained_waiting(const TgLimiter *lim)
{
	return lim->sub - 1 - lim->pend + TG_TP_HALF + TG_GUARD_BACK;
}

static void unwind(const TgLimiter *lim, TgHeat *h, uint32_t n, const TgHeatModel *m, double amps)
{
	tg_heat_unwind(m, h, (const float *const *)lim->x, lim->n_run, n, amps);
}

/* Right after a clear, the frames from the next out to the first the gain
 * computer will gain (gained_waiting, nothing pending) are the clear's
 * silence: they go out never gained, so their heat is counted here
 * (safety.h, tg_heat_silence). */
static void count_cleared_silence(TgLimiter *lim)
{
	tg_heat_silence(&lim->heat_m, &lim->heat, gained_waiting(lim));
}

/* A ceiling that fell by the factor fall: every gain the gain computer
 * holds (the release, the running sum the box averages, the hold's minima)
 * times fall, so that the frames it gains next come out as under the new
 * ceiling all along, not clamped to it. */
static void scale_gains(TgLimiter *lim, double fall)
{
	const float ff = (float)fall;
	lim->r *= fall;
	const uint32_t ring = lim->cum_mask + 1;
	for (uint32_t j = 0; j < 2 * ring; ++j) {
		lim->cum[j] *= fall;
	}
	lim->cum_last *= fall;
	for (uint32_t j = 0; j < lim->k_hold; ++j) {
		lim->hold_cur[j] *= ff;
	}
	for (uint32_t j = 0; j <= lim->k_hold; ++j) {
		lim->hold_suf[j] *= ff;
	}
	lim->hold_pre *= ff;
}

static void rebind(TgLimiter *lim, double old_amps, const TgHeatModel *old_m, double old_ceiling)
{
	const uint32_t gained = gained_waiting(lim);
	TgHeat h = lim->heat;
	unwind(lim, &h, gained, old_m, old_amps);
	/* A lowered ceiling: the frames already gained are scaled by the same
	 * factor as the gain computer (a fade that is a step at the next frame
	 * out, then follows the gains), not clamped: a clamp adds content up
	 * to Nyquist that the true-peak guard cannot read (safety.h, the guard
	 * band). The clamp below stays the last resort, for rounding. */
	const double fall = lim->ceiling / old_ceiling;
	const float ff = (float)fall;
	if (fall < 1.0) {
		scale_gains(lim, fall);
		for (uint32_t ch = 0; ch < lim->n_run; ++ch) {
			for (uint32_t j = 0; j < gained; ++j) {
				lim->x[ch][j] *= ff;
			}
		}
	}
	/* Where the limit fell under the heat, the float error bound back
	 * (safety.h; seen without it after i_rms fell 35,000 times). */
	const double b2 = tg_rms_bound2(lim->irms * lim->irms);
	if (lim->heat.ec > b2) {
		tg_heat_float_allowance(&h, &lim->heat, TG_SUB_MAX);
	}
	const float cf = clamp_ceiling(lim);
	for (uint32_t j = 0; j < gained; ++j) {
		float a = clamp_frame(lim, j, cf);
		guard_frame(lim, j, &h, b2, &a);
		tg_heat_step(&lim->heat_m, &h, (double)a * lim->amps);
	}
	lim->heat = h;
}

static void set_params(TgLimiter *lim, const TgLimiterParams *p)
{
	const uint32_t sub = lim->sub;
	lim->amps = p->vfs / p->z_ohm;
	lim->ceiling_to = tg_sample_ceiling(p->i_peak, p->z_ohm, p->vfs, p->v_peak);
	lim->irms_to = p->i_rms;
	/* Lowered limits apply at once, raised ones glide. */
	lim->ceiling = lim->ceiling > lim->ceiling_to ? lim->ceiling_to : lim->ceiling;
	lim->irms = lim->irms > lim->irms_to ? lim->irms_to : lim->irms;
	lim->rise_sub = pow(10.0, p->rise_db_s * (double)sub / (20.0 * lim->rate));

	/* The heat's closed form over a sub-block (limiter.h). */
	TgHeatModel *const m = &lim->heat_m;
	tg_heat_model(m, lim->rate, p->tau_s, p->tau_magnet_s, p->magnet_share);
	const double keep = m->bc, keep_m = m->bm;
	lim->decay_sub = pow(keep, (double)sub);
	lim->decay_m_sub = pow(keep_m, (double)sub);
	lim->em_coef = 0.0;
	for (uint32_t k = 0; k < sub; ++k) {
		lim->heat_w[k] = (float)pow(keep, (double)(sub - 1 - k));
		lim->heat_wm[k] = (float)pow(keep_m, (double)(sub - 1 - k));
		double wcm = 0.0;
		for (uint32_t n = k; n < sub; ++n) {
			wcm += pow(keep, (double)(sub - 1 - n)) * pow(keep_m, (double)(n - k));
		}
		lim->heat_wcm[k] = (float)(m->ac * m->am * wcm);
		lim->em_coef += m->ac * pow(keep, (double)(sub - 1 - k)) * pow(keep_m, (double)(k + 1));
	}
	/* One-pole release r += (1 - c)(h - r), closed form over a sub-block. */
	const double rc = exp(-1.0 / (p->release_s * lim->rate));
	double pw = 1.0, ps = 0.0;
	for (uint32_t k = 0; k < sub; ++k) {
		pw *= rc;
		ps += pw;
		lim->rel_pow[k] = pw;
		lim->rel_psum[k] = ps;
	}
}

void tg_limiter_set(TgLimiter *lim, const TgLimiterParams *p)
{
	const double old_amps = lim->amps, old_ceiling = lim->ceiling;
	const TgHeatModel old_m = lim->heat_m;
	set_params(lim, p);
	rebind(lim, old_amps, &old_m, old_ceiling);
}

/* Silence in the delay and a gain computer that has seen only silence. */
static void clear_audio(TgLimiter *lim)
{
	/* No sub-block before the first: the previous segment is empty. */
	lim->hold_pos = 0;
	lim->hold_pre = INFINITY;
	for (uint32_t j = 0; j <= lim->k_hold; ++j) {
		lim->hold_suf[j] = INFINITY;
	}
	lim->r = 1.0;
	/* Frames before the start had r = 1: the running sum is f + 1 at frame
	 * f, 0 at frame -1. */
	const uint32_t ring = lim->cum_mask + 1;
	for (uint32_t j = 0; j < ring; ++j) {
		const double v = (double)j - (double)ring + 1.0;
		lim->cum[j] = v;
		lim->cum[j + ring] = v;
	}
	lim->cum_last = 0.0;
	lim->t = 0;
	for (uint32_t ch = 0; ch < lim->n_ch; ++ch) {
		memset(lim->mem[ch], 0, lim->mem_len * sizeof(float));
		lim->x[ch] = lim->mem[ch];
	}
	lim->base = 0;
	lim->pend = 0;
	lim->dropped = 0;
	lim->n_run = lim->n_ch;
	lim->same = 0;
	lim->last_gmin = 1.0f;
	lim->last_peak = 0.0f;
	count_cleared_silence(lim);
}

/* The delay is about to be dropped: the frames gained but not yet out
 * never reach the coil, so their heat is unwound (newest first, under the
 * model that counted them), those the gain computer gained since the last
 * clear and no more. */
static void drop_waiting(TgLimiter *lim)
{
	if (lim->dropped) {
		return; /* once per clear: idle time, then the activation */
	}
	lim->dropped = 1;
	unwind(lim, &lim->heat, gained_waiting(lim), &lim->heat_m, lim->amps);
}

void tg_limiter_reset(TgLimiter *lim, const TgLimiterParams *p)
{
	drop_waiting(lim);
	lim->ceiling = INFINITY;
	lim->cf_of = NAN;
	lim->irms = INFINITY;
	set_params(lim, p);
	lim->thermal = 1.0;
	clear_audio(lim);
	lim->clamp_peak = lim->clamp_rms = lim->clamp_tp = 0;
}

void tg_limiter_warm(TgLimiter *lim)
{
	tg_heat_warm(&lim->heat_m, &lim->heat, TG_THERMAL_KNEE * lim->irms_to);
	count_cleared_silence(lim); /* the warm state replaced the clear's count */
}

void tg_limiter_cool(TgLimiter *lim, double s)
{
	/* The delay never goes out: its frames' heat first, then the cooling
	 * (unwinding a frame assumes it was the last step). */
	drop_waiting(lim); /* before the cooling */
	tg_heat_cool(&lim->heat_m, &lim->heat, s);
}

void tg_limiter_flush(TgLimiter *lim)
{
	drop_waiting(lim);
	clear_audio(lim);
}

/* Where the gain computer's detector starts reading for the sub-block at
 * s: TG_TP_HALF frames back, so that its interpolation reaches the newest
 * frame s + sub - 1 and no further. */
static inline uint32_t detect_from(uint32_t s) { return s - TG_TP_HALF; }

/* The gain computer's readings: pk[j], the true peak of the n_sub
 * sub-blocks from s (the highest over the channels), in one pass per
 * channel. */
static void take_readings(TgLimiter *lim, uint32_t s, uint32_t n_sub, float *pk)
{
	const uint32_t first = detect_from(s);
	tg_tp_max_each(&lim->tp, lim->x[0] + first, n_sub, lim->sub, pk);
	if (lim->n_run > 1) {
		float *const pk1 = lim->in_peak1;
		tg_tp_max_each(&lim->tp, lim->x[1] + first, n_sub, lim->sub, pk1);
		for (uint32_t j = 0; j < n_sub; ++j) {
			pk[j] = pk1[j] > pk[j] ? pk1[j] : pk[j];
		}
	}
}

/* Enter sub-block gain m and return the lowest of the last k_hold entered
 * (van Herk / Gil-Werman): the entries go in segments of k_hold; the
 * window is the current segment so far (its running minimum) and the rest
 * of the previous one (the minimum of each of its suffixes, computed once
 * as that segment ends). No branch depends on the values, and min is
 * exact: the same value as any other way of taking it. */
static inline float hold_min(TgLimiter *lim, float m)
{
	const uint32_t o = lim->hold_pos, k = lim->k_hold;
	const float pre = o == 0 || m < lim->hold_pre ? m : lim->hold_pre;
	const float prev = lim->hold_suf[o + 1];
	lim->hold_cur[o] = m;
	lim->hold_pre = pre;
	if (o + 1 == k) {
		float *const suf = lim->hold_suf;
		const float *const cur = lim->hold_cur;
		suf[k] = INFINITY;
		for (uint32_t j = k; j-- > 0;) {
			suf[j] = cur[j] < suf[j + 1] ? cur[j] : suf[j + 1];
		}
		lim->hold_pos = 0;
	} else {
		lim->hold_pos = o + 1;
	}
	return pre < prev ? pre : prev;
}

/* The gain for one sub-block of input frames at x[.][s], whose true peak is
 * amax (take_readings); it applies to the audio win - 1 frames earlier. Each sub-block enters its lowest required
 * gain (its highest peak against the ceiling, and the thermal gain) into a
 * minimum over the hold window; instant attack, one-pole release, then a
 * box average over win frames. The box turns each step down into a linear
 * fade that ends exactly when the frame that needed it leaves the delay:
 * every value in the box is at most that frame's required gain, because
 * the hold window is longer than the box. The thermal gain goes the same
 * way, so the ripple of the heat estimate never modulates the signal.
 * sub is 4, 8 or 16, n_run 1 or 2: the loops work in fours, with four
 * lanes of partial sums and extremes. */
static inline __attribute__((always_inline)) void
sub_block(TgLimiter *lim, uint32_t s, float amax, TgLimiterMeter *meter, const uint32_t sub,
          const uint32_t n_run)
{
	const uint32_t ring = lim->cum_mask + 1;
	float *const x0 = lim->x[0];
	float *const x1 = lim->x[n_run > 1 ? 1 : 0];

	lim->ceiling = tg_rise_at_most(lim->ceiling, lim->ceiling_to, lim->rise_sub);
	lim->irms = tg_rise_at_most(lim->irms, lim->irms_to, lim->rise_sub);
	const double c = lim->ceiling, lim2 = lim->irms * lim->irms;
	const float gt = tg_thermal_gain(&lim->thermal, lim->heat.ec, lim2, lim->rise_sub);

	/* amax is the true peak of the sub-block at sd (take_readings): its gain
	 * goes to the audio win - 1 frames before it, and the guard checks
	 * TG_TP_HALF frames behind that. */
	const uint32_t sd = s - TG_TP_HALF;
	const float cm = (float)(c * lim->tp_aim);
	/* cm / amax, or 1 at or under the ceiling (also for 0 and NaN): a
	 * minimum, not a branch the level would make unpredictable. */
	const float ratio = cm / amax;
	float m = ratio < 1.0f ? ratio : 1.0f;
	m = gt < m ? gt : m;

	/* Sliding minimum over the last k_hold sub-blocks. */
	const double h = hold_min(lim, m);

	/* Release towards h (or drop to it), the running sum of r, and the box
	 * average: the gain of each frame. While the heat rises faster than
	 * the box can fade, the thermal gain also applies directly; in steady
	 * state the held minimum is already lower, so this never modulates. */
	const double d = lim->r < h ? lim->r - h : 0.0;
	const TgV2d base = {lim->cum_last, lim->cum_last};
	double *const cw = lim->cum + (lim->t & lim->cum_mask);
	const double *const cr = lim->cum + ((lim->t - lim->win) & lim->cum_mask);
	const double inv_win = 1.0 / (double)lim->win;
	const TgV4f gtv = tg_v4_set(gt);
	TgV4f g[TG_SUB_MAX / 4];
	for (uint32_t k = 0; k < sub; k += 4) {
		const TgV2d r0 = (base + tg_v2_load(lim->count + k) * h) + d * tg_v2_load(lim->rel_psum + k);
		const TgV2d r1 = (base + tg_v2_load(lim->count + k + 2) * h) + d * tg_v2_load(lim->rel_psum + k + 2);
		memcpy(cw + k, &r0, sizeof(r0));
		memcpy(cw + k + 2, &r1, sizeof(r1));
		memcpy(cw + k + ring, &r0, sizeof(r0));
		memcpy(cw + k + 2 + ring, &r1, sizeof(r1));
		const TgV2d a0 = (r0 - tg_v2_load(cr + k)) * inv_win;
		const TgV2d a1 = (r1 - tg_v2_load(cr + k + 2)) * inv_win;
		const TgV4f avg = {(float)a0[0], (float)a0[1], (float)a1[0], (float)a1[1]};
		g[k / 4] = tg_v4_min(gtv, avg);
	}
	lim->r = h + d * lim->rel_pow[sub - 1];
	lim->cum_last = cw[sub - 1];
	lim->t += sub;
	if (lim->cum_last > CUM_REBASE) {
		for (uint32_t j = 0; j < 2 * ring; ++j) {
			lim->cum[j] -= CUM_REBASE;
		}
		lim->cum_last -= CUM_REBASE;
	}

	/* Gain the audio that entered win - 1 frames before; each frame's
	 * largest |y| goes to the record. Clamp as a last resort (never needed
	 * by construction, counted when it is). */
	const uint32_t q = sd - (lim->win - 1);
	const float cf = clamp_ceiling(lim);
	const TgV4f cfv = tg_v4_set(cf);
	float *const a = lim->frame_a;
	TgV4i over = {0, 0, 0, 0};
	for (uint32_t k = 0; k < sub; k += 4) {
		const TgV4f y0 = tg_v4_load(x0 + q + k) * g[k / 4];
		tg_v4_store(x0 + q + k, y0);
		TgV4f ak = tg_v4_abs(y0);
		over |= ~(ak <= cfv); /* also catches NaN */
		if (n_run > 1) {
			const TgV4f y1 = tg_v4_load(x1 + q + k) * g[k / 4];
			tg_v4_store(x1 + q + k, y1);
			const TgV4f a1 = tg_v4_abs(y1);
			over |= ~(a1 <= cfv); /* before the max, which would hide a NaN */
			ak = tg_v4_max(ak, a1);
		}
		tg_v4_store(a + k, ak);
	}
	if (tg_v4_any(over)) {
		for (uint32_t k = 0; k < sub; ++k) {
			a[k] = clamp_frame(lim, q + k, cf);
		}
	}

	/* Heat: in closed form where the whole sub-block at its full current
	 * could not carry the coil's heat over the bound, else frame by frame
	 * with the RMS guard (safety.h; tg_heat_closed_form_safe). */
	const TgHeatModel *const hm = &lim->heat_m;
	const double amps2 = lim->amps * lim->amps, ac1 = hm->ac * hm->k1;
	const double b2 = tg_rms_bound2(lim2);
	TgV4f sq4 = {0.0f, 0.0f, 0.0f, 0.0f}, wsq4 = sq4;
	TgV4f gmin4 = {1.0f, 1.0f, 1.0f, 1.0f};
	for (uint32_t k = 0; k < sub; k += 4) {
		const TgV4f ak = tg_v4_load(a + k);
		const TgV4f a2 = ak * ak;
		sq4 += a2;
		wsq4 += tg_v4_load(lim->heat_w + k) * a2;
		gmin4 = tg_v4_min(g[k / 4], gmin4);
	}
	const float sq = tg_h_sum(sq4);
	float gmin = tg_h_min(gmin4);
	if (tg_heat_closed_form_safe(hm, &lim->heat, amps2, sq, b2)) {
		const double ec = lim->decay_sub * lim->heat.ec + ac1 * amps2 * (double)tg_h_sum(wsq4);
		/* The magnet's path, unless it has no share and no heat (a
		 * share set back to 0 leaves heat in the magnet to cool). */
		if (hm->k > 0.0 || lim->heat.em != 0.0) {
			TgV4f wm4 = {0.0f, 0.0f, 0.0f, 0.0f}, wcm4 = wm4;
			for (uint32_t k = 0; k < sub; k += 4) {
				const TgV4f ak = tg_v4_load(a + k);
				wm4 += tg_v4_load(lim->heat_wm + k) * (ak * ak);
				wcm4 += tg_v4_load(lim->heat_wcm + k) * (ak * ak);
			}
			const double em = lim->heat.em;
			lim->heat.ec = ec + (lim->em_coef * em + hm->k * amps2 * (double)tg_h_sum(wcm4));
			lim->heat.em = lim->decay_m_sub * em + hm->am * hm->k * amps2 * (double)tg_h_sum(wm4);
		} else {
			lim->heat.ec = ec;
		}
	} else {
		TgHeat ht = lim->heat;
		for (uint32_t k = 0; k < sub; ++k) {
			const float gs = g[k / 4][k % 4] * guard_frame(lim, q + k, &ht, b2, &a[k]);
			gmin = gs < gmin ? gs : gmin;
			tg_heat_step(hm, &ht, (double)a[k] * lim->amps);
		}
		lim->heat = ht;
	}
	/* Last, the true-peak guard on the gained audio, TG_TP_HALF frames
	 * behind, whose interpolation reaches the newest frame gained. */
	float *const gx[2] = {x0 + q - TG_TP_HALF, x1 + q - TG_TP_HALF};
	float tpk = 0.0f;
	lim->clamp_tp += tg_tp_guard(&lim->tp, gx, n_run, sub, cf, &tpk);
	lim->last_gmin = gmin;
	lim->last_peak = (float)((double)tpk * lim->amps);
	if (meter) {
		meter->gain_min = gmin < meter->gain_min ? gmin : meter->gain_min;
		meter->peak_a = lim->last_peak > meter->peak_a ? lim->last_peak : meter->peak_a;
	}
}

/* Host blocks are often short: whole sub-blocks as fixed-size copies the
 * compiler inlines (a plain loop becomes a library call), then the rest. */
static void copy_frames(float *restrict dst, const float *restrict src, uint32_t n)
{
	uint32_t i = 0;
	for (; i + TG_SUB_MAX <= n; i += TG_SUB_MAX) {
		memcpy(dst + i, src + i, TG_SUB_MAX * sizeof(float));
	}
	if (i < n) {
		memcpy(dst + i, src + i, (n - i) * sizeof(float));
	}
}

/* The caller says when both inputs are one signal: after a whole delay of
 * that, the two histories are equal too, so one channel is limited and
 * copied out twice. */
static void track_twin(TgLimiter *lim, int twin, uint32_t n)
{
	if (lim->n_ch < 2) {
		return;
	}
	if (!twin) {
		if (lim->n_run == 1) {
			memcpy(lim->x[1], lim->x[0], lim->latency * sizeof(float));
			lim->n_run = 2;
		}
		lim->same = 0;
	} else if (lim->n_run == 2) {
		/* Counted before this block: its history must be equal already. */
		if (lim->same >= lim->latency) {
			lim->n_run = 1;
		} else {
			lim->same = lim->same + n < lim->latency ? lim->same + n : lim->latency;
		}
	}
}

void tg_limiter_process(TgLimiter *lim, const float *const *in, float *const *out, uint32_t n,
                        int twin, TgLimiterMeter *meter)
{
	const uint32_t lat = lim->latency, sub = lim->sub, n_ch = lim->n_ch;
	track_twin(lim, twin, n);
	const uint32_t n_run = lim->n_run;
	const float *const src[2] = {in[0], n_ch > 1 && !twin ? in[1] : in[0]};
	for (uint32_t off = 0; off < n; off += TG_LIM_BLOCK) {
		const uint32_t m = n - off < TG_LIM_BLOCK ? n - off : TG_LIM_BLOCK;
		if (lim->base + lat + m > lim->mem_len) {
			for (uint32_t ch = 0; ch < n_run; ++ch) {
				memmove(lim->mem[ch], lim->x[ch], lat * sizeof(float));
			}
			for (uint32_t ch = 0; ch < n_ch; ++ch) {
				lim->x[ch] = lim->mem[ch];
			}
			lim->base = 0;
		}
		for (uint32_t ch = 0; ch < n_run; ++ch) {
			copy_frames(lim->x[ch] + lat, src[ch] + off, m);
		}
		uint32_t s = lat - lim->pend;
		const uint32_t n_sub = (lat + m - s) / sub;
		/* Where no sub-block can change what a later one's detector reads
		 * (lim->read_ahead), every reading of the pass is taken first: the
		 * detections then overlap instead of each waiting in turn. Else
		 * each just before its sub-block. The same function on the same
		 * frames: the same values. */
		float *const pk = lim->in_peak;
		if (lim->read_ahead) {
			take_readings(lim, s, n_sub, pk);
		}
#define TG_SUB_BLOCKS(SUB, N_RUN)                                                  \
	for (uint32_t j = 0; j < n_sub; ++j, s += (SUB)) {                             \
		if (!lim->read_ahead) {                                                \
			take_readings(lim, s, 1, pk + j);                              \
		}                                                                      \
		sub_block(lim, s, pk[j], meter, (SUB), (N_RUN));                       \
	}
		if (sub == TG_SUB_MAX && n_run == 1) { /* the usual cases, from 44.1 kHz on */
			TG_SUB_BLOCKS(TG_SUB_MAX, 1)
		} else if (sub == TG_SUB_MAX) {
			TG_SUB_BLOCKS(TG_SUB_MAX, 2)
		} else {
			TG_SUB_BLOCKS(sub, n_run)
		}
#undef TG_SUB_BLOCKS
		lim->pend = lat + m - s;
		if (meter && m < sub) {
			/* A block shorter than a sub-block may complete none: show
			 * the last one's figures rather than none. */
			meter->gain_min = lim->last_gmin < meter->gain_min ? lim->last_gmin : meter->gain_min;
			meter->peak_a = lim->last_peak > meter->peak_a ? lim->last_peak : meter->peak_a;
		}
		/* Out goes the oldest audio, all of it gained by now. */
		for (uint32_t ch = 0; ch < n_ch; ++ch) {
			copy_frames(out[ch] + off, lim->x[ch < n_run ? ch : 0], m);
		}
		for (uint32_t ch = 0; ch < n_ch; ++ch) {
			lim->x[ch] += m;
		}
		lim->base += m;
	}
}
