/* tguard: the reference chain, frame by frame (see reference.h).
 *
 * This file is the specification of the chain. One frame goes through, in
 * the order of docs/controls.md ("The signal chain runs in this order"):
 *
 *   1. input checks: a fault (tg_is_fault: NaN, +-Inf, |x| > 1000) becomes
 *      0 in every channel and clears what it could reach (SAFETY.md 3);
 *   2. the soft-start gain of the frame (a raised cosine);
 *   3. the bypass crossfade's step, and the dry signal: the input (or
 *      (L+R)/2), DC blocker, guard band;
 *   4. the mix: a 2x2 matrix (mono sum, pan law, route) with a linear glide;
 *   5. the filters: DC blocker, high-pass, low-pass, with glides;
 *   6. volume (a rate-limited glide), the crossfade, soft start;
 *   7. the limiter: into the lookahead delay; on the sub-block grid the gain
 *      computer, the gain, the clamp, the RMS guard, the heat and the
 *      true-peak guard; out comes the oldest frame;
 *   8. the wiring: with the transducer across both outputs (tip-ring), the
 *      second output is the first negated, and the limiter held the first
 *      to the limits at twice vfs, the voltage across the transducer.
 *
 * Controls change only between calls (as in LV2): they are sanitised
 * (tg_params_sanitize), and whatever changed takes effect from the first
 * frame of the call.
 *
 * Every recursion here runs frame by frame; nothing is computed in closed
 * form, in vectors or over blocks of the signal. The only coarser grid is
 * the limiter's, and it belongs to the specification: see "The limiter".
 */
#include "reference.h"

#include "filter.h"
#include "limiter.h"
#include "ports.h"
#include "safety.h"
#include "truepeak.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#if defined(__SSE__)
#include <xmmintrin.h>
/* Flush-to-zero and denormals-are-zero while processing, as the fast chain
 * runs: a denormal is below 1.2e-38, far under any tolerance, and decaying
 * states must not fall into the slow denormal range. */
#define REF_MXCSR_FTZ_DAZ 0x8040u
#endif

#define REF_PI 3.14159265358979323846

/* ---- Constants of the specification ----
 * The fast modules hold their own copies (chain.c, filter.c, mono.c,
 * limiter.c); the differential test holds the two chains to each other, so
 * a copy that drifts fails it. */

/* Volume falls: a one-pole in the log domain, time constant 2.5 ms, so a
 * fall takes effect within 20 ms (docs/controls.md, volume_db). */
#define REF_VOLUME_FALL_S 0.0025
/* Volume glide snaps to its target within this ratio. */
#define REF_VOLUME_SNAP 1e-7
/* Bypass crossfade: linear over 20 ms (docs/controls.md, "Bypass never
 * removes protection"). */
#define REF_BYPASS_FADE_S 0.020
/* Mode and route changes: a linear crossfade of the matrix over 10 ms. */
#define REF_MONO_FADE_S 0.010
/* Filter corner and Q glides: one-pole on a log scale, 8 ms; a section is
 * blended in or out linearly over 20 ms; a glide snaps within 1e-5. */
#define REF_FILTER_GLIDE_S 0.008
#define REF_FILTER_MIX_S 0.020
#define REF_FILTER_SNAP 1e-5
/* Butterworth sections: the Q of each is a fact of the design, shared with
 * the fast path (filter.h, TG_BW2_Q, TG_BW4_Q0, TG_BW4_Q1). */
/* The thermal gain never glides from below this. */
#define REF_THERMAL_FLOOR 1e-6
/* The RMS guard's bound is a hair under TG_RMS_BOUND, for float rounding. */
#define REF_RMS_GUARD_SLACK 2e-6
/* The limiter's delay keeps this many frames of room past its history, so
 * it moves the history back only now and then. */
#define REF_ROOM 4096u

/* ======================================================================
 * Soft start (docs/controls.md, ramp_s; SAFETY.md 4).
 *
 * At activation and at every fault the ramp starts again at frame f = 0;
 * the gain of frame f is the raised cosine
 *     g[f] = 0.5 - 0.5 cos(pi t) = sin^2(pi t / 2),  t = f / (ramp_s fs),
 * while t < 1, and 1 after, so it is exactly 0 at a restart and has zero
 * slope at both ends. It is computed as the square of the sine, which has
 * no cancellation: the first gains (1e-14 for a 30 s ramp at 384 kHz) are
 * exact to float precision too. A new ramp_s during the ramp keeps the
 * progress made, to the frame: f becomes round(f ramp_s' / ramp_s). (The
 * fast path evaluates the sine on a grid of up to 32 frames with straight
 * lines between, within 2.5e-8 of the curve relatively, ramp.c; the
 * specification is the curve.)
 * ====================================================================== */

typedef struct {
	double step;  /* 1 / (ramp_s fs): phase per frame */
	double frame; /* f, frames since the restart (a whole number) */
	int done;     /* the phase has reached 1 */
} RefRamp;

static int ramp_running(const RefRamp *r) { return !r->done && r->frame * r->step < 1.0; }

static void ramp_set_time(RefRamp *r, double rate, double seconds)
{
	const double step = 1.0 / (seconds * rate);
	if (r->step > 0.0 && ramp_running(r)) {
		r->frame = round(r->frame * r->step / step);
	}
	r->step = step;
}

static void ramp_restart(RefRamp *r)
{
	r->frame = 0.0;
	r->done = 0;
}

static float ramp_next(RefRamp *r)
{
	if (r->done) {
		return 1.0f;
	}
	const double phase = r->frame * r->step;
	if (phase >= 1.0) {
		r->done = 1;
		return 1.0f;
	}
	r->frame += 1.0;
	const double root = sin(0.5 * REF_PI * phase);
	return (float)(root * root);
}

/* The ramp meter: the phase reached, 0..1. */
static double ramp_phase(const RefRamp *r)
{
	const double phase = r->frame * r->step;
	return r->done || phase >= 1.0 ? 1.0 : phase;
}

/* ======================================================================
 * The limiter (docs/guarantees.md, "Peak current and voltage", "RMS current";
 * SAFETY.md 1 and 2).
 *
 * A sample y drives i = y vfs / z. The ceiling is
 *     c = min(1, i_peak z / vfs, v_peak / vfs)        (tg_sample_ceiling).
 * Lowered limits (c, i_rms) apply at once; raised ones glide up at
 * rise_db_s. The heat is docs/controls.md's two-stage model (heat.h),
 *     em[n] = em[n-1] + am (k i[n]^2 - em[n-1]),
 *     ec[n] = ec[n-1] + ac (em[n] + (1 - k) i[n]^2 - ec[n-1]),
 * a = 1 - e^(-1/(tau fs)) (tau_s for the coil, tau_magnet_s for the
 * magnet), k = magnet_share, i[n] the current of the louder channel,
 * counted as each frame is gained; the RMS limit applies to ec. The heat
 * outlives activations: a new chain starts it warm at its first block,
 * em = k I^2 and ec = I^2 for I = TG_THERMAL_KNEE i_rms; tg_ref_chain_idle
 * cools it by whole frames of silence, floor(s fs) of them.
 *
 * The delay. Frame j (counted from the last clear; the latency's worth of
 * frames before j = 0 are silence) leaves latency frames after it enters:
 *     latency = ahead + reach,  reach = 2 TG_TP_HALF + TG_GUARD_BACK,
 *     ahead   = lround(0.002 fs) - reach, at least 12,
 * reach being the true-peak detector's reach ahead (TG_TP_HALF) and the
 * guard's reach ahead and back (TG_TP_HALF, TG_GUARD_BACK).
 *
 * The grid. The gain computer decides once per sub-block: the aligned run
 * of sub frames j = b sub .. b sub + sub - 1 (sub the largest power of two
 * up to 16 with 3 sub <= ahead: 16 at 44.1 kHz and over). Sub-block b is
 * decided when its last frame has entered, before that frame's output
 * leaves, and then, in order:
 *   1. the limits glide once: c and i_rms rise by the factor
 *      rise_sub = 10^(rise_db_s sub / (20 fs)) towards their targets; the
 *      thermal gain is computed from the heat so far;
 *   2. the sub-block's true peak P: the highest reading of tg_tp_max_ref
 *      (4x interpolation, ITU-R BS.1770-4 Annex 2) over the frames
 *      b sub - TG_TP_HALF .. + sub - 1, whose interpolation reaches the
 *      newest frame; its required gain is min(1, c aim / P, thermal) with
 *      aim = 10^(-TG_TP_MARGIN_DB / 20);
 *   3. the hold: h = the least required gain of the last k_hold sub-blocks
 *      (since the clear), k_hold sub-blocks covering 50 ms;
 *   4. frame by frame, for the sub frames of the gain computer's own time
 *      t = b sub + k: the release r[t] = h + (r[t-1] - h) e^(-1/(release fs))
 *      while r[t-1] < h, else r[t] = h (instant attack); the box average
 *      a[t] = (r[t - win + 1] + ... + r[t]) / win over win = ahead - sub + 2
 *      frames (r = 1 before the clear); the gain g = min(thermal, a[t]).
 *      g applies to the audio frame t - TG_TP_HALF - (win - 1): it is
 *      multiplied in, then the frame is clamped to the ceiling, the RMS
 *      guard may scale it, and its heat is counted;
 *   5. the true-peak guard (tg_tp_guard_ref) checks the sub intervals
 *      TG_TP_HALF frames behind the frames just gained, and scales what a
 *      reading over the ceiling rests on.
 * At a control change of any limit, the frames already gained but not yet
 * out are counted again under the new limits ("rebind"); where the sample
 * ceiling fell, they and every gain of the gain computer are first scaled
 * by the factor it fell by.
 * ====================================================================== */

typedef struct {
	double rate;
	uint32_t n_ch;
	uint32_t latency, ahead, sub, win, k_hold;

	/* The delay: buf[ch][o] leaves next, a new frame enters at
	 * buf[ch][o + latency]; frames before o have left. */
	float *buf[TG_LIMITER_MAX_CH];
	uint32_t cap, o;
	uint32_t pend; /* frames entered since the last sub-block was decided, < sub */

	/* The gain computer. */
	double *req;   /* required gain of sub-block b at req[b % k_hold] */
	uint64_t n_b;  /* sub-blocks decided since the clear */
	double *rwin;  /* r[t] at rwin[t % win] */
	uint64_t t;    /* gain-computer frames since the clear */
	int dropped;   /* the delay's heat was dropped since the clear (lim_drop_waiting) */
	double r;      /* r[t - 1] */

	/* Limits and heat. */
	double ceiling, ceiling_to; /* c in force, and its target */
	double irms, irms_to;       /* A */
	double thermal;             /* the thermal gain in force */
	double rise_sub;
	double amps;  /* A per unit sample: vfs / z */
	double ac, am, k; /* heat: 1 - e^(-1/(tau fs)) for the coil and the magnet; magnet_share */
	double rel;   /* release: e^(-1/(release fs)) */
	double ec, em; /* the coil's heat (the estimate the limit applies to) and the magnet's, A^2 */

	TgTruePeak tp;
	double tp_aim;

	uint64_t clamp_peak, clamp_rms, clamp_tp;
	float last_gmin, last_peak; /* the last sub-block's meter figures */
	float blk_gmin, blk_peak;   /* this call's */
	int blk_any;                /* a sub-block was decided in this call */
} RefLim;

/* The largest float not above c: a clamp to it never rounds over c. */
static float float_at_most(double c)
{
	float f = (float)c;
	if ((double)f > c) {
		f = nextafterf(f, 0.0f);
	}
	return f;
}

/* A limit after one sub-block: a raised one rises by rise towards its
 * target, a lowered one is at it. */
static double glide_up(double v, double to, double rise)
{
	if (v < to) {
		return v * rise < to ? v * rise : to;
	}
	return to;
}

static int lim_init(RefLim *L, double rate, uint32_t n_ch)
{
	memset(L, 0, sizeof(*L));
	L->rate = rate;
	L->n_ch = n_ch;
	const uint32_t reach = 2 * TG_TP_HALF + TG_GUARD_BACK;
	const long total = lround(TG_LATENCY_S * rate);
	L->ahead = total > (long)reach + 12 ? (uint32_t)total - reach : 12;
	L->latency = L->ahead + reach;
	/* A third of the lookahead at most goes to waiting for a sub-block. */
	L->sub = 1;
	while (L->sub * 2 <= TG_SUB_MAX && L->sub * 2 * 3 <= L->ahead) {
		L->sub *= 2;
	}
	/* The box turns a step down of the held gain into a linear fade over
	 * win frames that ends when the frame that needed it is gained. */
	L->win = L->ahead - L->sub + 2;
	/* Hold 50 ms (TG_HOLD_S), at least the box: enough whole sub-blocks
	 * to cover that many frames before any frame. */
	uint32_t hold = (uint32_t)lround(TG_HOLD_S * rate);
	if (hold < L->win) {
		hold = L->win;
	}
	L->k_hold = (hold - 1 + L->sub - 1) / L->sub + 1;
	L->cap = L->latency + REF_ROOM;
	L->req = calloc(L->k_hold, sizeof(double));
	L->rwin = calloc(L->win, sizeof(double));
	int ok = L->req && L->rwin;
	for (uint32_t ch = 0; ch < n_ch; ++ch) {
		L->buf[ch] = calloc(L->cap, sizeof(float));
		ok = ok && L->buf[ch];
	}
	tg_tp_init(&L->tp);
	L->tp_aim = pow(10.0, -TG_TP_MARGIN_DB / 20.0);
	return ok ? 0 : -1;
}

static void lim_free(RefLim *L)
{
	free(L->req);
	free(L->rwin);
	for (uint32_t ch = 0; ch < TG_LIMITER_MAX_CH; ++ch) {
		free(L->buf[ch]);
	}
	memset(L, 0, sizeof(*L));
}

/* New limits: the targets; lowered limits apply at once. vfs: the volts
 * across the transducer at 0 dBFS (tg_drive_vfs). */
static void lim_set_params(RefLim *L, const TgParams *p, double vfs)
{
	const double z = p->z_ohm;
	L->amps = vfs / z;
	L->ceiling_to = tg_sample_ceiling(p->i_peak_ma * 1e-3, z, vfs, p->v_peak);
	L->irms_to = p->i_rms_ma * 1e-3;
	L->ceiling = L->ceiling > L->ceiling_to ? L->ceiling_to : L->ceiling;
	L->irms = L->irms > L->irms_to ? L->irms_to : L->irms;
	L->rise_sub = pow(10.0, p->rise_db_s * (double)L->sub / (20.0 * L->rate));
	L->ac = 1.0 - exp(-1.0 / (p->tau_s * L->rate));
	L->am = 1.0 - exp(-1.0 / (p->tau_magnet_s * L->rate));
	L->k = p->magnet_share;
	L->rel = exp(-1.0 / (p->release_ms * 1e-3 * L->rate));
}

/* Silence in the delay and a gain computer that has seen only silence;
 * the heat, the limits and the thermal gain stay. */
static void heat_step(const RefLim *L, double *ec, double *em, float a);

/* The clear's silence, the oldest TG_TP_HALF + TG_GUARD_BACK + sub - 1
 * frames of the delay, goes out never gained: it is counted now, as frames
 * of no current (with two stages the magnet's heat flows into the coil
 * through them). */
static void lim_count_cleared_silence(RefLim *L)
{
	const uint32_t n = TG_TP_HALF + TG_GUARD_BACK + L->sub - 1;
	for (uint32_t j = 0; j < n; ++j) {
		heat_step(L, &L->ec, &L->em, 0.0f);
	}
}

static void lim_clear(RefLim *L)
{
	for (uint32_t ch = 0; ch < L->n_ch; ++ch) {
		memset(L->buf[ch], 0, L->cap * sizeof(float));
	}
	L->o = 0;
	L->pend = 0;
	L->dropped = 0;
	L->n_b = 0;
	L->t = 0;
	L->r = 1.0;
	for (uint32_t i = 0; i < L->win; ++i) {
		L->rwin[i] = 1.0;
	}
	L->last_gmin = 1.0f;
	L->last_peak = 0.0f;
	lim_count_cleared_silence(L);
}

static void heat_unstep(const RefLim *M, double *ec, double *em, double i_a);

/* The heat (ec, em) of the oldest n frames of the delay undone, newest
 * first, under M's model and the current scale amps that counted them. */
static void lim_unwind(const RefLim *L, uint64_t n, const RefLim *M, double amps, double *ec,
                       double *em)
{
	for (uint64_t j = n; j-- > 0;) {
		float a = 0.0f;
		for (uint32_t ch = 0; ch < L->n_ch; ++ch) {
			const float v = fabsf(L->buf[ch][L->o + j]);
			a = v > a ? v : a;
		}
		heat_unstep(M, ec, em, (double)a * amps);
	}
}

/* The delay is dropped (activation, a fault, a new wiring): the frames
 * counted but not yet out, the oldest
 *     gained = TG_TP_HALF + TG_GUARD_BACK + sub - 1 - pend
 * of the delay (gained, or the clear's silence counted at the clear), never
 * reach the coil: their heat is unwound, newest first, under the model
 * that counted them (as lim_rebind unwinds). */
static void lim_drop_waiting(RefLim *L)
{
	if (L->dropped) {
		return; /* once per clear: idle time, then the activation */
	}
	L->dropped = 1;
	const uint64_t gained = TG_TP_HALF + TG_GUARD_BACK + L->sub - 1 - L->pend;
	lim_unwind(L, gained, L, L->amps, &L->ec, &L->em);
}

/* Activation: limits at their targets, thermal gain 1; the heat stays,
 * less that of the frames dropped. */
static void lim_reset(RefLim *L, const TgParams *p, double vfs)
{
	lim_drop_waiting(L);
	L->ceiling = INFINITY;
	L->irms = INFINITY;
	lim_set_params(L, p, vfs);
	L->thermal = 1.0;
	lim_clear(L);
	L->clamp_peak = L->clamp_rms = L->clamp_tp = 0;
}

/* Clamp frame i of every channel to cf (NaN becomes 0); its largest |y|.
 * Counted once per frame touched. */
static float clamp_frame(RefLim *L, uint32_t i, float cf)
{
	float a = 0.0f;
	int clamped = 0;
	for (uint32_t ch = 0; ch < L->n_ch; ++ch) {
		float *const v = &L->buf[ch][i];
		if (!(fabsf(*v) <= cf)) {
			*v = *v > 0.0f ? cf : (*v < 0.0f ? -cf : 0.0f);
			clamped = 1;
		}
		a = fabsf(*v) > a ? fabsf(*v) : a;
	}
	L->clamp_peak += (uint64_t)clamped;
	return a;
}

/* The RMS guard (SAFETY.md 2), the last resort: frame i, whose largest |y|
 * is *a, must not carry the coil's heat over b2. After a frame at i the
 * coil's heat is, by the two steps (em first),
 *     ec' = P + Q i^2,  P = (1 - ac) ec + ac (1 - am) em,  Q = ac (am k + 1 - k);
 * if P + Q i^2 > b2, i = *a amps, the frame is scaled so that it lands on b2
 * exactly: i' = sqrt((b2 - P) / Q)  (0 when there is no room).
 * Returns the scale (1 when untouched) and updates *a. */
static float rms_guard(RefLim *L, uint32_t i, double ec, double em, double b2, float *a)
{
	const double pp = (1.0 - L->ac) * ec + L->ac * ((1.0 - L->am) * em);
	const double qq = L->ac * (L->am * L->k + (1.0 - L->k));
	const double i_a = (double)*a * L->amps;
	if (!(i_a > 0.0 && pp + qq * i_a * i_a > b2)) {
		return 1.0f;
	}
	const double room = (b2 - pp) / qq;
	const float sc = (float)((room > 0.0 ? sqrt(room) : 0.0) / i_a);
	float an = 0.0f;
	for (uint32_t ch = 0; ch < L->n_ch; ++ch) {
		float *const v = &L->buf[ch][i];
		*v *= sc;
		an = fabsf(*v) > an ? fabsf(*v) : an;
	}
	*a = an;
	++L->clamp_rms;
	return sc;
}

/* The heat after one frame whose largest |y| is a (the model above). */
static void heat_step(const RefLim *L, double *ec, double *em, float a)
{
	const double i_a = (double)a * L->amps;
	const double i2 = i_a * i_a;
	*em = *em + L->am * (L->k * i2 - *em);
	*ec = *ec + L->ac * (*em + (1.0 - L->k) * i2 - *ec);
}

/* One frame at the current i undone, under M's model (the one that counted
 * it), each stage at least 0:
 *     ec[n-1] = (ec[n] - ac (em[n] + (1 - k) i[n]^2)) / (1 - ac),
 *     em[n-1] = (em[n] - am k i[n]^2) / (1 - am). */
static void heat_unstep(const RefLim *M, double *ec, double *em, double i_a)
{
	const double ec0 = (*ec - (M->ac * *em + M->ac * (1.0 - M->k) * i_a * i_a)) / (1.0 - M->ac);
	const double em0 = (*em - M->am * M->k * (i_a * i_a)) / (1.0 - M->am);
	*ec = ec0 > 0.0 ? ec0 : 0.0;
	*em = em0 > 0.0 ? em0 : 0.0;
}

/* s seconds of no current: floor(s fs) frames of the model at i = 0,
 *     (ec, em) <- M (ec, em),  M = [[1 - ac, ac (1 - am)], [0, 1 - am]],
 * M to that power by repeated squaring. */
static void heat_idle(RefLim *L, double s)
{
	if (!(s > 0.0)) {
		return;
	}
	double frames = floor(s * L->rate);
	double m00 = 1.0 - L->ac, m01 = L->ac * (1.0 - L->am), m11 = 1.0 - L->am;
	double p00 = 1.0, p01 = 0.0, p11 = 1.0; /* the power so far */
	while (frames >= 1.0) {
		if (fmod(frames, 2.0) == 1.0) {
			const double q01 = p00 * m01 + p01 * m11;
			p00 *= m00;
			p01 = q01;
			p11 *= m11;
		}
		const double n01 = m00 * m01 + m01 * m11;
		m00 *= m00;
		m01 = n01;
		m11 *= m11;
		frames = floor(frames / 2.0);
	}
	L->ec = p00 * L->ec + p01 * L->em;
	L->em = p11 * L->em;
}

/* The RMS guard's bound on the heat estimate for the limit i_rms. */
static double guard_bound2(double irms)
{
	return TG_RMS_BOUND * TG_RMS_BOUND * (1.0 - REF_RMS_GUARD_SLACK) * irms * irms;
}

/* The thermal gain (docs/guarantees.md, RMS current): 1 up to the knee (90 % of the
 * limit), falling linearly in ms to 0 at the limit:
 *     gth = (lim^2 - ms) / (lim^2 (1 - knee^2))   for ms > knee^2 lim^2;
 * it falls at once and rises by rise_sub per sub-block at most, from no
 * lower than 1e-6; at or over the limit it is 0. */
static float thermal_gain(RefLim *L, double lim2)
{
	const double knee2 = TG_THERMAL_KNEE * TG_THERMAL_KNEE;
	double gth = 1.0;
	if (L->ec > knee2 * lim2) {
		gth = (lim2 - L->ec) / (lim2 * (1.0 - knee2));
	}
	L->thermal = glide_up(L->thermal, gth > REF_THERMAL_FLOOR ? gth : REF_THERMAL_FLOOR,
	                      L->rise_sub);
	return gth > 0.0 ? (float)L->thermal : 0.0f;
}

/* Decide sub-block b, whose first frame is at buf[.][s] (see the grid
 * above). */
static void lim_sub_block(RefLim *L, uint32_t s)
{
	const uint32_t sub = L->sub, half = TG_TP_HALF;

	/* 1. The limits glide, and the thermal gain from the heat so far. */
	L->ceiling = glide_up(L->ceiling, L->ceiling_to, L->rise_sub);
	L->irms = glide_up(L->irms, L->irms_to, L->rise_sub);
	const float gt = thermal_gain(L, L->irms * L->irms);

	/* 2. The sub-block's true peak, TG_TP_HALF frames behind the newest,
	 * and its required gain. */
	double peak = 0.0;
	for (uint32_t ch = 0; ch < L->n_ch; ++ch) {
		const double v = tg_tp_max_ref(&L->tp, L->buf[ch] + s - half, sub);
		peak = v > peak ? v : peak;
	}
	const double aim = L->ceiling * L->tp_aim;
	double need = aim / peak < 1.0 ? aim / peak : 1.0; /* 1 for silence */
	need = (double)gt < need ? (double)gt : need;

	/* 3. The hold: the least required gain of the last k_hold sub-blocks. */
	L->req[L->n_b % L->k_hold] = need;
	++L->n_b;
	const uint64_t held = L->n_b < L->k_hold ? L->n_b : L->k_hold;
	double h = need;
	for (uint64_t k = 0; k < held; ++k) {
		h = L->req[k] < h ? L->req[k] : h;
	}

	/* 4. Frame by frame: release, box average, gain; then the frame's
	 * clamp, RMS guard and heat. */
	const uint32_t q = s - half - (L->win - 1); /* the audio frame of the first gain */
	const float cf = float_at_most(L->ceiling);
	const double b2 = guard_bound2(L->irms);
	float gmin = 1.0f;
	for (uint32_t k = 0; k < sub; ++k) {
		L->r = L->r < h ? h + (L->r - h) * L->rel : h;
		L->rwin[L->t % L->win] = L->r;
		++L->t;
		double sum = 0.0;
		for (uint32_t i = 0; i < L->win; ++i) {
			sum += L->rwin[i];
		}
		const float box = (float)(sum / (double)L->win);
		const float g = gt < box ? gt : box;

		for (uint32_t ch = 0; ch < L->n_ch; ++ch) {
			L->buf[ch][q + k] *= g;
		}
		float a = clamp_frame(L, q + k, cf);
		const float sc = rms_guard(L, q + k, L->ec, L->em, b2, &a);
		const float gs = g * sc;
		gmin = gs < gmin ? gs : gmin;
		heat_step(L, &L->ec, &L->em, a);
	}

	/* 5. The true-peak guard on the gained audio, TG_TP_HALF frames
	 * behind the newest frame gained. */
	float *const gx[2] = {L->buf[0] + q - half, L->buf[L->n_ch > 1 ? 1 : 0] + q - half};
	float tpk = 0.0f;
	L->clamp_tp += tg_tp_guard_ref(&L->tp, gx, L->n_ch, sub, cf, &tpk);

	L->last_gmin = gmin;
	L->last_peak = (float)((double)tpk * L->amps);
	L->blk_gmin = gmin < L->blk_gmin ? gmin : L->blk_gmin;
	L->blk_peak = L->last_peak > L->blk_peak ? L->last_peak : L->blk_peak;
	L->blk_any = 1;
}

/* One frame in (v[ch]) and one out (y[ch]), latency frames older. */
static void lim_frame(RefLim *L, const float *v, float *y)
{
	if (L->o + L->latency == L->cap) {
		/* Out of room: the history moves back to the start. */
		for (uint32_t ch = 0; ch < L->n_ch; ++ch) {
			memmove(L->buf[ch], L->buf[ch] + L->o, L->latency * sizeof(float));
		}
		L->o = 0;
	}
	const uint32_t w = L->o + L->latency;
	for (uint32_t ch = 0; ch < L->n_ch; ++ch) {
		L->buf[ch][w] = v[ch];
	}
	if (++L->pend == L->sub) {
		L->pend = 0;
		lim_sub_block(L, w + 1 - L->sub);
	}
	for (uint32_t ch = 0; ch < L->n_ch; ++ch) {
		y[ch] = L->buf[ch][L->o];
	}
	++L->o;
}

/* New limits while running (any of vfs, z, i_peak, i_rms, v_peak, tau,
 * release, rise changed): they bind from the next frame out. The frames
 * already gained and not yet out are the oldest
 *     gained = TG_TP_HALF + TG_GUARD_BACK + sub - 1 - pend
 * of the delay (the last sub-block gained up to there; right after a clear,
 * its silence, counted at the clear). Their heat is unwound,
 * newest first, under the old current scale, time constants and share,
 *     ec[n-1] = (ec[n] - ac (em[n] + (1 - k) i[n]^2)) / (1 - ac),
 *     em[n-1] = (em[n] - am k i[n]^2) / (1 - am), each at least 0,
 * from their values now (a frame the true-peak guard scaled since counts
 * as less, which only raises the heat unwound to). Where the ceiling fell,
 * c_new = fall c_old, every gain of the gain computer (r, the box's r[t],
 * the hold's required gains) is multiplied by fall, and so are the frames
 * gained: a fade that steps at the next frame out and then follows the
 * gains, as if the new ceiling had always been in force (a clamp would add
 * content up to Nyquist, which the true-peak guard cannot read). Then,
 * oldest first, they are clamped to the new ceiling (only rounding can
 * reach it), guarded and counted under the new limits. */
static void lim_rebind(RefLim *L, double old_amps, const RefLim *old)
{
	const uint32_t gained = TG_TP_HALF + TG_GUARD_BACK + L->sub - 1 - L->pend;
	double ec = L->ec, em = L->em;
	lim_unwind(L, gained, old, old_amps, &ec, &em);
	const double fall = L->ceiling / old->ceiling;
	if (fall < 1.0) {
		L->r *= fall;
		for (uint32_t i = 0; i < L->win; ++i) {
			L->rwin[i] *= fall;
		}
		for (uint32_t i = 0; i < L->k_hold; ++i) {
			L->req[i] *= fall;
		}
	}
	const float ff = fall < 1.0 ? (float)fall : 1.0f;
	const float cf = float_at_most(L->ceiling);
	const double b2 = guard_bound2(L->irms);
	for (uint32_t j = 0; j < gained; ++j) {
		for (uint32_t ch = 0; ch < L->n_ch; ++ch) {
			L->buf[ch][L->o + j] *= ff;
		}
		float a = clamp_frame(L, L->o + j, cf);
		rms_guard(L, L->o + j, ec, em, b2, &a);
		heat_step(L, &ec, &em, a);
	}
	L->ec = ec;
	L->em = em;
}

static int lim_params_differ(const TgParams *a, const TgParams *b)
{
	return a->vfs != b->vfs || a->z_ohm != b->z_ohm || a->i_peak_ma != b->i_peak_ma ||
	       a->i_rms_ma != b->i_rms_ma || a->v_peak != b->v_peak || a->tau_s != b->tau_s ||
	       a->tau_magnet_s != b->tau_magnet_s || a->magnet_share != b->magnet_share ||
	       a->release_ms != b->release_ms || a->rise_db_s != b->rise_db_s;
}

/* ======================================================================
 * Filters (docs/controls.md, hpf_hz .. lpf_order; filter.h).
 * ====================================================================== */

typedef struct {
	double x1, x2, y1, y2;
} RefBiquad;

/* One second-order section, direct form I (RBJ audio EQ cookbook):
 *     y[n] = b0 x[n] + b1 x[n-1] + b2 x[n-2] - a1 y[n-1] - a2 y[n-2]. */
static double biquad_step(const TgBiquadCoefs *c, RefBiquad *s, double x)
{
	const double y = c->b0 * x + c->b1 * s->x1 + c->b2 * s->x2 - c->a1 * s->y1 - c->a2 * s->y2;
	s->x2 = s->x1;
	s->x1 = x;
	s->y2 = s->y1;
	s->y1 = y;
	return y;
}

/* A section that glides: its corner and Q move as a one-pole on a log
 * scale, and it is blended in or out with a linear mix
 *     y = mix H(x) + (1 - mix) x,
 * its state kept warm meanwhile. */
typedef struct {
	TgBiquadCoefs c; /* designed for freq, q */
	RefBiquad st[TG_FILTER_MAX_CH];
	double freq, freq_to;
	double q, q_to;
	double mix, mix_to; /* 0: out, 1: fully in */
} RefSection;

/* First-order DC blocker at 2 Hz, by the bilinear transform with a
 * prewarped corner: k = tan(pi fc / fs),
 *     y[n] = b0 (x[n] - x[n-1]) - a1 y[n-1],  b0 = 1 / (1 + k),
 *     a1 = (k - 1) / (k + 1);  gain exactly 1 at Nyquist. */
typedef struct {
	double x1[TG_FILTER_MAX_CH], y1[TG_FILTER_MAX_CH];
} RefDc;

static double dc_step(double b0, double a1, RefDc *dc, uint32_t ch, double x)
{
	const double y = b0 * (x - dc->x1[ch]) - a1 * dc->y1[ch];
	dc->x1[ch] = x;
	dc->y1[ch] = y;
	return y;
}

static int section_moving(const RefSection *s)
{
	return s->freq != s->freq_to || s->q != s->q_to || s->mix != s->mix_to;
}

static void section_target(RefSection *s, double freq, double q, double mix, int jump)
{
	s->freq_to = freq;
	s->q_to = q;
	s->mix_to = mix;
	if (jump) {
		s->freq = freq;
		s->q = q;
		s->mix = mix;
	}
}

/* A Butterworth high- or low-pass of order 0, 2 or 4 as two sections. An
 * order switched off fades out at the new corner with its last Q. */
static void butterworth_set(RefSection *a, RefSection *b, TgPass pass, double freq, int order,
                            int jump, double rate)
{
	switch (order) {
	case 4:
		section_target(a, freq, TG_BW4_Q0, 1.0, jump);
		section_target(b, freq, TG_BW4_Q1, 1.0, jump);
		break;
	case 2:
		section_target(a, freq, TG_BW2_Q, 1.0, jump);
		section_target(b, freq, b->q_to > 0.0 ? b->q_to : TG_BW4_Q1, 0.0, jump);
		break;
	default:
		section_target(a, freq, a->q_to > 0.0 ? a->q_to : TG_BW2_Q, 0.0, jump);
		section_target(b, freq, b->q_to > 0.0 ? b->q_to : TG_BW4_Q1, 0.0, jump);
		break;
	}
	tg_biquad_design(&a->c, pass, a->freq, a->q, rate);
	tg_biquad_design(&b->c, pass, b->freq, b->q, rate);
}

/* ======================================================================
 * The chain.
 * ====================================================================== */

struct TgRefChain {
	double rate;
	uint32_t n_in, n_out;
	int sum; /* the 2-in/1-out variant */
	int bridge; /* wiring tip-ring: the transducer across both outputs */
	TgParams cur; /* the sanitised controls in force */
	int heat_known; /* 0 until the first block of a new chain starts the heat warm */
	TgParams given; /* the controls as given at activation, before sanitising */

	RefRamp ramp;

	/* Volume: a glide towards vol_to (ramp.h, TgGlide). */
	double vol;      /* the gain in force */
	double vol_rise; /* 10^(rise_db_s / (20 fs)) per frame */
	double vol_fall; /* 1 - e^(-1/(0.0025 fs)) */
	float vol_to;    /* 10^(volume_db / 20) */

	/* Mix (mono.h): out[o] = m[o][0] L + m[o][1] R. */
	float m[2][2], from[2][2], target[2][2];
	uint32_t m_pos, m_len;

	/* Filters: DC blocker, then hpf a, hpf b, lpf a, lpf b. */
	double dc_b0, dc_a1;
	RefDc dc;
	RefSection sec[4];
	double glide;    /* 1 - e^(-1/(0.008 fs)) */
	double mix_step; /* 1 / (0.020 fs) */

	/* The dry signal for bypass: its own DC blocker (always running) and
	 * guard band (running while the dry signal is heard: xf < 1). */
	RefDc dry_dc;
	TgBiquadCoefs dry_lp[2]; /* 4th-order Butterworth: two sections */
	RefBiquad dry_st[2][2];
	int dry_was_heard;

	/* Bypass crossfade: 1 = processed, 0 = dry. */
	float xf, xf_step;

	RefLim lim;
	uint32_t lim_taken; /* frames other than faults since the limiter's last clear, up to its latency */

	TgStats stats;
};

/* The filter targets for the controls. The low-pass is never off nor
 * above the guard band, 0.45 fs (TG_BAND_LIMIT): off, or a corner above
 * it, is a 4th-order low-pass there (TG_BAND_ORDER). Every corner is held at or below 0.45 fs. */
static void filter_set(TgRefChain *c, double hpf_hz, int hpf_order, double lpf_hz, int lpf_order,
                       int jump)
{
	const double top = TG_BAND_LIMIT * c->rate;
	butterworth_set(&c->sec[0], &c->sec[1], TG_HIGHPASS, hpf_hz < top ? hpf_hz : top, hpf_order,
	                jump, c->rate);
	butterworth_set(&c->sec[2], &c->sec[3], TG_LOWPASS, lpf_hz < top ? lpf_hz : top, lpf_order,
	                jump, c->rate);
}

static void filter_reset(TgRefChain *c)
{
	memset(&c->dc, 0, sizeof(c->dc));
	for (int k = 0; k < 4; ++k) {
		memset(c->sec[k].st, 0, sizeof(c->sec[k].st));
	}
}

/* The mix matrix for a mode and route (mono.h, docs/controls.md mono and route):
 * mode 0 passes L and R; 1 sums (L+R)/2; 2 (L+R)/sqrt 2; 3 L; 4 R, on both
 * outputs; route 1 silences the right output, 2 the left. */
static void mono_set(TgRefChain *c, int mode, int route, int jump)
{
	static const float laws[TG_MONO_N_MODES][2] = {
		{1.0f, 0.0f}, {0.5f, 0.5f}, {0.70710678f, 0.70710678f}, {1.0f, 0.0f}, {0.0f, 1.0f},
	};
	float t[2][2];
	t[0][0] = laws[mode][0];
	t[0][1] = laws[mode][1];
	t[1][0] = mode == TG_MONO_STEREO ? 0.0f : laws[mode][0];
	t[1][1] = mode == TG_MONO_STEREO ? 1.0f : laws[mode][1];
	if (route == TG_ROUTE_LEFT) {
		t[1][0] = t[1][1] = 0.0f;
	} else if (route == TG_ROUTE_RIGHT) {
		t[0][0] = t[0][1] = 0.0f;
	}
	int differs = 0;
	for (int o = 0; o < 2; ++o) {
		for (int k = 0; k < 2; ++k) {
			differs |= t[o][k] != c->target[o][k];
		}
	}
	if (jump) {
		memcpy(c->m, t, sizeof(t));
		memcpy(c->target, t, sizeof(t));
		c->m_pos = c->m_len;
	} else if (differs) {
		/* A linear glide from the matrix in force, over m_len frames. */
		memcpy(c->from, c->m, sizeof(t));
		memcpy(c->target, t, sizeof(t));
		c->m_pos = 0;
	}
}

/* Take sanitised controls; jump (activation) skips every glide. */
static void apply_params(TgRefChain *c, const TgParams *p, int jump)
{
	const TgParams *const old = &c->cur;
	const int bridge = tg_bridged(p->wiring, c->n_out);
	const int rewired = !jump && bridge != c->bridge;
	c->bridge = bridge;
	const double vfs = tg_drive_vfs(p->vfs, bridge);
	if (jump || p->ramp_s != old->ramp_s) {
		ramp_set_time(&c->ramp, c->rate, p->ramp_s);
	}
	if (jump || p->rise_db_s != old->rise_db_s) {
		c->vol_rise = pow(10.0, p->rise_db_s / (20.0 * c->rate));
		c->vol_fall = 1.0 - exp(-1.0 / (REF_VOLUME_FALL_S * c->rate));
	}
	if (jump || p->volume_db != old->volume_db) {
		c->vol_to = powf(10.0f, p->volume_db / 20.0f);
	}
	if (jump || rewired || p->mono != old->mono || p->route != old->route) {
		/* The mono plugin has no mode (its one input feeds the matrix's
		 * both inputs), plugins with one output no route. Across both
		 * outputs the transducer takes one signal: no "stereo" mode (it
		 * becomes the -6 dB sum), and both outputs. */
		int mode = c->n_in == 1 ? TG_MONO_STEREO : (int)p->mono;
		int route = c->n_out == 1 ? TG_ROUTE_BOTH : (int)p->route;
		if (bridge) {
			mode = mode == TG_MONO_STEREO ? TG_MONO_SUM_6DB : mode;
			route = TG_ROUTE_BOTH;
		}
		mono_set(c, mode, route, jump);
	}
	if (jump || p->hpf_hz != old->hpf_hz || p->hpf_order != old->hpf_order ||
	    p->lpf_hz != old->lpf_hz || p->lpf_order != old->lpf_order) {
		const double band = TG_BAND_LIMIT * c->rate;
		const int below = p->lpf_order > 0.0f && p->lpf_hz < band;
		filter_set(c, p->hpf_hz, (int)p->hpf_order, below ? p->lpf_hz : band,
		           below ? (int)p->lpf_order : TG_BAND_ORDER, jump);
	}
	if (jump) {
		lim_reset(&c->lim, p, vfs);
	} else if (rewired || lim_params_differ(p, old)) {
		const RefLim old_lim = c->lim;
		lim_set_params(&c->lim, p, vfs);
		lim_rebind(&c->lim, old_lim.amps, &old_lim);
	}
	if (rewired) {
		/* A new wiring: the delay is dropped and the soft start restarts
		 * from silence (the heat stays, less the frames dropped). */
		lim_drop_waiting(&c->lim);
		lim_clear(&c->lim);
		c->lim_taken = 0;
		ramp_restart(&c->ramp);
	}
	c->cur = *p;
}

TgRefChain *tg_ref_chain_new(double rate, uint32_t n_in, uint32_t n_out)
{
	if (!(rate >= TG_RATE_MIN && rate <= TG_RATE_MAX)) {
		return NULL;
	}
	if (!((n_in == 2 && n_out == 2) || (n_in == 1 && n_out == 1) ||
	      (n_in == 2 && n_out == 1))) {
		return NULL;
	}
	TgRefChain *const c = calloc(1, sizeof(TgRefChain));
	if (!c) {
		return NULL;
	}
	c->rate = rate;
	c->n_in = n_in;
	c->n_out = n_out;
	c->sum = n_in == 2 && n_out == 1;
	c->xf_step = (float)(1.0 / (REF_BYPASS_FADE_S * rate));
	c->m_len = (uint32_t)(REF_MONO_FADE_S * rate);
	const double k = tan(REF_PI * TG_DC_BLOCK_HZ / rate);
	c->dc_b0 = 1.0 / (1.0 + k);
	c->dc_a1 = (k - 1.0) / (k + 1.0);
	c->glide = 1.0 - exp(-1.0 / (REF_FILTER_GLIDE_S * rate));
	c->mix_step = 1.0 / (REF_FILTER_MIX_S * rate);
	/* The sections start out, at Butterworth Q's: what an order switched
	 * on later glides from. */
	filter_set(c, 80.0, 0, 16000.0, 0, 1);
	/* The dry guard band: 4th-order Butterworth at 0.45 fs. */
	for (int sec = 0; sec < 2; ++sec) {
		tg_biquad_design(&c->dry_lp[sec], TG_LOWPASS, TG_BAND_LIMIT * rate, tg_band_q(sec), rate);
	}
	if (lim_init(&c->lim, rate, n_out) != 0) {
		lim_free(&c->lim);
		free(c);
		return NULL;
	}
	TgParams p;
	tg_params_default(&p);
	tg_ref_chain_activate(c, &p);
	c->heat_known = 0;
	return c;
}

void tg_ref_chain_idle(TgRefChain *c, double s)
{
	if (c->heat_known) {
		/* The delay never goes out: its heat first, then the cooling. */
		lim_drop_waiting(&c->lim);
		heat_idle(&c->lim, s);
	}
}

void tg_ref_chain_free(TgRefChain *c)
{
	if (c) {
		lim_free(&c->lim);
		free(c);
	}
}

uint32_t tg_ref_chain_latency(const TgRefChain *c) { return c->lim.latency; }

void tg_ref_chain_stats(const TgRefChain *c, TgStats *stats)
{
	*stats = c->stats;
	stats->clamp_peak = c->lim.clamp_peak;
	stats->clamp_rms = c->lim.clamp_rms;
	stats->clamp_tp = c->lim.clamp_tp;
}

void tg_ref_chain_activate(TgRefChain *c, const TgParams *params)
{
	c->given = *params;
	TgParams p = *params;
	tg_params_sanitize(&p, c->sum);
	apply_params(c, &p, 1);
	c->vol = c->vol_to;
	filter_reset(c);
	memset(&c->dry_dc, 0, sizeof(c->dry_dc));
	memset(c->dry_st, 0, sizeof(c->dry_st));
	ramp_restart(&c->ramp);
	c->lim_taken = 0;
	c->xf = p.enable;
	c->dry_was_heard = c->xf < 1.0f;
	memset(&c->stats, 0, sizeof(c->stats));
}

/* A fault clears whatever it reached and restarts the soft start (SAFETY.md
 * 3): the filters and their DC blocker, the dry DC blocker and guard band,
 * and the limiter's delay and gain computer (the heat stays: the coil is as
 * hot as it was). The limiter is cleared only when it has taken at least
 * its latency of frames other than faults since it was last cleared:
 * otherwise everything in it came after that clearing, under a soft start
 * restarted at most a latency before. */
static void clear_fault(TgRefChain *c)
{
	filter_reset(c);
	memset(&c->dry_dc, 0, sizeof(c->dry_dc));
	memset(c->dry_st, 0, sizeof(c->dry_st));
	if (c->lim_taken >= c->lim.latency) {
		lim_drop_waiting(&c->lim);
		lim_clear(&c->lim);
		c->lim_taken = 0;
	}
	ramp_restart(&c->ramp);
}

/* A volume step towards target (ramp.h, TgGlide): a rise by at most
 * vol_rise per frame; a fall as a one-pole in the log domain,
 *     ln v += vol_fall (ln target - ln v),
 * snapped to the target once within 1e-7 of it. */
static double volume_step(TgRefChain *c, double target)
{
	double v = c->vol;
	if (v < target) {
		v *= c->vol_rise;
		v = v > target ? target : v;
	} else if (v > target) {
		v = v * exp(c->vol_fall * log(target / v));
		if (v - target < REF_VOLUME_SNAP * target) {
			v = target;
		}
	}
	c->vol = v;
	return v;
}

/* One frame of the mix: the matrix glides linearly, in float, from the
 * one in force to the target over m_len frames, t = (pos + 1) / m_len. */
static void mix_frame(TgRefChain *c, float l, float r, float *w)
{
	if (c->m_pos < c->m_len) {
		const float t = (float)(c->m_pos + 1) / (float)c->m_len;
		for (int o = 0; o < 2; ++o) {
			for (int k = 0; k < 2; ++k) {
				c->m[o][k] = c->from[o][k] + t * (c->target[o][k] - c->from[o][k]);
			}
		}
		if (++c->m_pos == c->m_len) {
			memcpy(c->m, c->target, sizeof(c->m));
		}
	}
	w[0] = c->m[0][0] * l + c->m[0][1] * r;
	w[1] = c->m[1][0] * l + c->m[1][1] * r;
}

/* One frame of the filters for every output channel: the DC blocker, then
 * each section in turn (hpf a, hpf b, lpf a, lpf b), in double, rounded to
 * float at the end. A section that glides moves its corner and Q one step,
 *     f <- f (f_to / f)^glide, q <- q (q_to / q)^glide  (snapped within 1e-5),
 * and its mix by mix_step, is designed anew (tg_biquad_design) and runs
 * with that mix; once faded out it starts from rest. A settled section runs
 * when it is in and is skipped when it is out. */
static void filter_frame(TgRefChain *c, float *w)
{
	double x[2];
	for (uint32_t ch = 0; ch < c->n_out; ++ch) {
		x[ch] = dc_step(c->dc_b0, c->dc_a1, &c->dc, ch, (double)w[ch]);
	}
	for (int k = 0; k < 4; ++k) {
		RefSection *const s = &c->sec[k];
		const int moving = section_moving(s);
		if (moving) {
			const double fr = s->freq * exp(c->glide * log(s->freq_to / s->freq));
			const double q = s->q * exp(c->glide * log(s->q_to / s->q));
			s->freq = fabs(fr / s->freq_to - 1.0) < REF_FILTER_SNAP ? s->freq_to : fr;
			s->q = fabs(q / s->q_to - 1.0) < REF_FILTER_SNAP ? s->q_to : q;
			if (s->mix < s->mix_to) {
				s->mix = s->mix + c->mix_step < s->mix_to ? s->mix + c->mix_step : s->mix_to;
			} else if (s->mix > s->mix_to) {
				s->mix = s->mix - c->mix_step > s->mix_to ? s->mix - c->mix_step : s->mix_to;
			}
			tg_biquad_design(&s->c, k < 2 ? TG_HIGHPASS : TG_LOWPASS, s->freq, s->q, c->rate);
		}
		if (moving || s->mix > 0.0) {
			for (uint32_t ch = 0; ch < c->n_out; ++ch) {
				const double y = biquad_step(&s->c, &s->st[ch], x[ch]);
				x[ch] = s->mix >= 1.0 ? y : s->mix * y + (1.0 - s->mix) * x[ch];
			}
		}
		if (moving && s->mix == 0.0 && s->mix_to == 0.0) {
			memset(s->st, 0, sizeof(s->st));
		}
	}
	for (uint32_t ch = 0; ch < c->n_out; ++ch) {
		w[ch] = (float)x[ch];
	}
}

/* One frame of the whole chain: x[n_in] in, y[n_out] out. */
static void chain_frame(TgRefChain *c, const float *x, float *y)
{
	/* 1. Input checks: one predicate for every sample (tg_is_fault). */
	float v[2] = {0.0f, 0.0f};
	int fault = 0;
	for (uint32_t ch = 0; ch < c->n_in; ++ch) {
		fault |= tg_is_fault(x[ch]);
	}
	if (fault) {
		for (uint32_t ch = 0; ch < c->n_in; ++ch) {
			c->stats.nonfinite_in += (uint64_t)tg_is_fault(x[ch]);
		}
		clear_fault(c); /* the frame itself is silence in every channel */
	} else {
		for (uint32_t ch = 0; ch < c->n_in; ++ch) {
			v[ch] = x[ch];
		}
		c->lim_taken += c->lim_taken < c->lim.latency ? 1u : 0u;
	}
	const float l = v[0], r = c->n_in == 2 ? v[1] : v[0];

	/* 2. The soft-start gain. */
	const float rg = ramp_next(&c->ramp);

	/* 3. The bypass crossfade moves by xf_step per frame towards enable;
	 * this frame mixes xf of the processed signal and 1 - xf of the dry
	 * one. The dry signal: the input (the sum plugin, or the transducer
	 * across both outputs: (L+R)/2, the -6 dB sum), always without DC (DC
	 * is only heat), and through the guard band while it is heard
	 * (xf < 1); the guard band starts from rest at the first frame heard
	 * after frames that were not. */
	const float enable = c->cur.enable;
	if (c->xf < enable) {
		c->xf = c->xf + c->xf_step < enable ? c->xf + c->xf_step : enable;
	} else if (c->xf > enable) {
		c->xf = c->xf - c->xf_step > enable ? c->xf - c->xf_step : enable;
	}
	const int heard = c->xf < 1.0f;
	if (heard && !c->dry_was_heard) {
		memset(c->dry_st, 0, sizeof(c->dry_st));
	}
	c->dry_was_heard = heard;
	float dry[2] = {0.0f, 0.0f};
	for (uint32_t ch = 0; ch < c->n_out; ++ch) {
		const float d = c->sum || c->bridge ? 0.5f * (l + r) : v[ch];
		dry[ch] = (float)dc_step(c->dc_b0, c->dc_a1, &c->dry_dc, ch, (double)d);
		if (heard) {
			for (int sec = 0; sec < 2; ++sec) {
				dry[ch] = (float)biquad_step(&c->dry_lp[sec], &c->dry_st[sec][ch], (double)dry[ch]);
			}
		}
	}

	/* 4. and 5. The mix and the filters. */
	float w[2];
	mix_frame(c, l, r, w);
	filter_frame(c, w);

	/* 6. Volume and the crossfade. While bypassed the volume waits at
	 * unity or below, so enabling again never jumps over the level just
	 * heard. */
	const double target = enable > 0.0f || c->vol_to < 1.0f ? (double)c->vol_to : 1.0;
	const float vol = (float)volume_step(c, target);
	for (uint32_t ch = 0; ch < c->n_out; ++ch) {
		if (c->xf >= 1.0f) {
			w[ch] = rg * vol * w[ch];
		} else {
			w[ch] = rg * (c->xf * vol * w[ch] + (1.0f - c->xf) * dry[ch]);
		}
	}

	/* 7. The limiter. */
	lim_frame(&c->lim, w, y);

	/* 8. The wiring: across both outputs, the second is the first
	 * negated, so the transducer sees y[0] - y[1] = 2 y[0]. */
	if (c->bridge) {
		y[1] = -y[0];
	}
}

void tg_ref_chain_process(TgRefChain *c, const float *const *in, float *const *out, uint32_t n,
                          const TgParams *params, TgMeters *meters)
{
#if defined(__SSE__)
	const unsigned int csr = _mm_getcsr();
	_mm_setcsr(csr | REF_MXCSR_FTZ_DAZ);
#endif
	/* Before the first frame since activation, new controls are taken as
	 * an activation would take them: no glide from what nothing played. */
	if (c->stats.frames == 0 && memcmp(params, &c->given, sizeof(TgParams)) != 0) {
		tg_ref_chain_activate(c, params);
	}
	TgParams p = *params;
	tg_params_sanitize(&p, c->sum);
	apply_params(c, &p, 0);
	if (!c->heat_known) {
		/* A coil of unknown heat: steady at the thermal stage's onset. */
		const double i = TG_THERMAL_KNEE * c->lim.irms_to;
		c->lim.em = c->lim.k * (i * i);
		c->lim.ec = i * i;
		lim_count_cleared_silence(&c->lim); /* replaced with the warm state */
		c->heat_known = 1;
	}

	RefLim *const L = &c->lim;
	L->blk_gmin = 1.0f;
	L->blk_peak = 0.0f;
	L->blk_any = 0;
	for (uint32_t i = 0; i < n; ++i) {
		float x[2] = {0.0f, 0.0f}, y[2] = {0.0f, 0.0f};
		for (uint32_t ch = 0; ch < c->n_in; ++ch) {
			x[ch] = in[ch][i];
		}
		chain_frame(c, x, y);
		for (uint32_t ch = 0; ch < c->n_out; ++ch) {
			out[ch][i] = y[ch];
		}
	}
	c->stats.frames += n;

	if (meters) {
		/* Over the sub-blocks decided in this call; a call that took
		 * frames but decided none shows the last one's. */
		float gmin = L->blk_gmin, peak = L->blk_peak;
		if (!L->blk_any && n > 0) {
			gmin = L->last_gmin;
			peak = L->last_peak;
		}
		const float floor_db = tg_port_info[TG_P_GR_DB].min;
		float gr = 0.0f;
		if (gmin < 1.0f) {
			gr = gmin >= 1e-7f ? (float)(20.0 * log10((double)gmin)) : floor_db;
		}
		meters->latency = (float)L->latency;
		meters->gr_db = gr > floor_db ? (gr < 0.0f ? gr : 0.0f) : floor_db;
		meters->peak_ma = peak * 1e3f;
		meters->rms_ma = (float)(sqrt(L->ec) * 1e3);
		meters->ceiling_db = (float)(20.0 * log10(L->ceiling));
		meters->ramp = (float)ramp_phase(&c->ramp);
		meters->clamps = (float)(L->clamp_peak + L->clamp_rms + L->clamp_tp);
	}
#if defined(__SSE__)
	_mm_setcsr(csr);
#endif
}
