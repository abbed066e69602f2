/* tguard: the whole protection chain. */
#include "chain.h"

#include "ports.h"
#include "safety.h"
#include "simd.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#if defined(__SSE__)
#include <xmmintrin.h>
/* Flush-to-zero and denormals-are-zero: decaying filter states must never
 * fall into the slow denormal range. */
#define TG_MXCSR_FTZ_DAZ 0x8040u
#endif

/* Frames per internal pass: scratch buffers live in the instance. */
#define CHUNK 256
/* The gain-reduction meter's table of log2: 2^TG_LOG2_BITS steps. */
#define TG_LOG2_BITS 8
#define TG_LOG2_N (1u << TG_LOG2_BITS)
/* Volume and bypass falls settle well within 20 ms. */
#define VOLUME_FALL_S 0.0025
#define BYPASS_FADE_S 0.020

struct TgChain {
	double rate;
	uint32_t n_in, n_out;
	int sum; /* the 2-in/1-out variant */
	int bridge; /* the transducer across both outputs (safety.h, tg_bridged) */
	TgParams cur;
	TgParams raw; /* the controls as last given, before sanitising */
	TgRamp ramp;
	TgGlide volume;
	float vol_to;
	TgMono mono;
	TgFilter filter;
	TgDcBlock dry_dc; /* DC is only heat: it stays out in bypass too */
	/* The guard band stays on in bypass too (safety.h, TG_BAND_LIMIT). */
	TgBiquadCoefs dry_lp[2]; /* a 4th-order Butterworth: two sections */
	TgBiquadState dry_lp_st[2][2];
	int dry_was_heard; /* the dry signal was heard at the last frame (xf < 1 or enable 0) */
	double dry_w[CHUNK + 1]; /* the dry blocker's tables (filter.h, tg_dc_weights) */
	double dry_dw[CHUNK];
	TgLimiter lim;
	/* The coil's heat is known: 0 until the first block of a new chain,
	 * which starts it warm (heat.h). */
	int heat_known;
	/* Frames other than faults the limiter has taken since it was last
	 * cleared, counted up to its latency (see clear_fault). */
	uint32_t lim_taken;
	/* Both outputs carry the same mix: decided here alone (choose_twin),
	 * and the filter and the limiter are told. */
	int twin;
	float xf;      /* bypass crossfade: 1 = processed, 0 = dry */
	float xf_step;
	TgStats stats;
	float in[2][CHUNK];
	float wet[2][CHUNK];
	float dry[2][CHUNK];
	float ramp_gain[CHUNK];
	int ramp_flat; /* the chunk's ramp gains are all 1 (and not in ramp_gain) */
	double meter_ceiling; /* the ceiling whose dB value is cached */
	float meter_ceiling_db;
	float log2_tab[TG_LOG2_N + 1]; /* meter_db */
};

/* Clamp to the port's range (NaN becomes the default), then snap by the
 * port's role: a toggle to its minimum or maximum, an enumeration to the
 * nearest scale point (ports.def). */
static float param_sanitize(float v, TgPortId id)
{
	const TgPortInfo *const info = &tg_port_info[id];
	if (isnan(v)) {
		return info->def;
	}
	v = v < info->min ? info->min : (v > info->max ? info->max : v);
	if (info->props & TG_PP_TOGGLED) {
		return v >= 0.5f * (info->min + info->max) ? info->max : info->min;
	}
	return (info->props & TG_PP_ENUM) ? tg_port_snap(id, v) : v;
}

void tg_params_default(TgParams *p)
{
#define TG_X_DEFAULT(ID, group, sym, name, field, ...) p->field = tg_port_info[TG_P_##ID].def;
	TG_PORTS(TG_X_DEFAULT, TG_X_NONE, TG_X_NONE)
#undef TG_X_DEFAULT
}

void tg_params_sanitize(TgParams *p, int sum)
{
#define TG_X_SANITIZE(ID, group, sym, name, field, ...) p->field = param_sanitize(p->field, TG_P_##ID);
	TG_PORTS(TG_X_SANITIZE, TG_X_NONE, TG_X_NONE)
#undef TG_X_SANITIZE
	/* The sum variant's mono control has no "stereo" mode. */
	const float mono_min = tg_port_min(&tg_variants[TG_VARIANT_SUM], TG_P_MONO);
	if (sum && p->mono < mono_min) {
		p->mono = mono_min;
	}
}

/* log2 of 1 + i / TG_LOG2_N for i = 0 .. TG_LOG2_N: the gain-reduction
 * meter's table. */
static void log2_table(float *t)
{
	for (uint32_t i = 0; i <= TG_LOG2_N; ++i) {
		t[i] = (float)log2(1.0 + (double)i / TG_LOG2_N);
	}
}

TgChain *tg_chain_new(double rate, uint32_t n_in, uint32_t n_out)
{
	if (!(rate >= TG_RATE_MIN && rate <= TG_RATE_MAX)) {
		return NULL;
	}
	if (!((n_in == 2 && n_out == 2) || (n_in == 1 && n_out == 1) ||
	      (n_in == 2 && n_out == 1))) {
		return NULL;
	}
	TgChain *const chain = calloc(1, sizeof(TgChain));
	if (!chain) {
		return NULL;
	}
	chain->rate = rate;
	chain->n_in = n_in;
	chain->n_out = n_out;
	chain->sum = n_in == 2 && n_out == 1;
	chain->xf_step = (float)(1.0 / (BYPASS_FADE_S * rate));
	tg_mono_init(&chain->mono, rate);
	tg_filter_init(&chain->filter, rate, n_out);
	tg_dc_init(&chain->dry_dc, rate);
	for (int k = 0; k < 2; ++k) {
		tg_biquad_design(&chain->dry_lp[k], TG_LOWPASS, TG_BAND_LIMIT * rate, tg_band_q(k), rate);
	}
	tg_dc_weights(&chain->dry_dc, chain->dry_w, chain->dry_dw, CHUNK);
	log2_table(chain->log2_tab);
	if (tg_limiter_init(&chain->lim, rate, n_out) != 0) {
		free(chain);
		return NULL;
	}
	TgParams p;
	tg_params_default(&p);
	tg_chain_activate(chain, &p);
	chain->heat_known = 0;
	return chain;
}

void tg_chain_free(TgChain *chain)
{
	if (chain) {
		tg_limiter_free(&chain->lim);
		free(chain);
	}
}

uint32_t tg_chain_latency(const TgChain *chain) { return tg_limiter_latency(&chain->lim); }

double tg_chain_magnet_heat(const TgChain *chain) { return tg_limiter_magnet_heat(&chain->lim); }

void tg_chain_stats(const TgChain *chain, TgStats *stats)
{
	*stats = chain->stats;
	tg_limiter_counts(&chain->lim, &stats->clamp_peak, &stats->clamp_rms, &stats->clamp_tp);
}

static void limiter_params(const TgParams *p, int bridge, TgLimiterParams *lp)
{
	lp->vfs = tg_drive_vfs(p->vfs, bridge);
	lp->z_ohm = p->z_ohm;
	lp->i_peak = p->i_peak_ma * 1e-3;
	lp->i_rms = p->i_rms_ma * 1e-3;
	lp->v_peak = p->v_peak;
	lp->tau_s = p->tau_s;
	lp->tau_magnet_s = p->tau_magnet_s;
	lp->magnet_share = p->magnet_share;
	lp->release_s = p->release_ms * 1e-3;
	lp->rise_db_s = p->rise_db_s;
}

/* A change of wiring: the transducer's voltage changes form at once, so
 * whatever is in the lookahead is dropped (the heat stays) and it starts
 * again from silence. */
static void rewire(TgChain *c)
{
	tg_limiter_flush(&c->lim);
	c->lim_taken = 0;
	tg_ramp_restart(&c->ramp);
}

/* Take sanitised controls; jump (at activation) skips every glide. Only
 * what changed is recomputed. */
static void apply_params(TgChain *chain, const TgParams *p, int jump)
{
	const TgParams *const old = &chain->cur;
	const int bridge = tg_bridged(p->wiring, chain->n_out);
	const int rewired = !jump && bridge != chain->bridge;
	chain->bridge = bridge;
	if (jump || p->ramp_s != old->ramp_s) {
		tg_ramp_set_time(&chain->ramp, chain->rate, p->ramp_s);
	}
	if (jump || p->rise_db_s != old->rise_db_s) {
		tg_glide_set_rates(&chain->volume, chain->rate, p->rise_db_s, VOLUME_FALL_S);
	}
	if (jump || p->volume_db != old->volume_db) {
		chain->vol_to = powf(10.0f, p->volume_db / 20.0f);
	}
	if (jump || rewired || p->mono != old->mono || p->route != old->route) {
		TgMonoMode mode = chain->n_in == 1 ? TG_MONO_STEREO : (TgMonoMode)p->mono;
		TgRoute route = chain->n_out == 1 ? TG_ROUTE_BOTH : (TgRoute)p->route;
		if (bridge) {
			/* One transducer across both outputs: one mono signal. */
			mode = mode == TG_MONO_STEREO ? TG_MONO_SUM_6DB : mode;
			route = TG_ROUTE_BOTH;
		}
		tg_mono_set(&chain->mono, mode, route, jump);
	}
	if (jump || p->hpf_hz != old->hpf_hz || p->hpf_order != old->hpf_order ||
	    p->lpf_hz != old->lpf_hz || p->lpf_order != old->lpf_order) {
		/* The low-pass is never off nor above the guard band: there it is
		 * the guard band itself, 4th order. */
		const double band = TG_BAND_LIMIT * chain->rate;
		const int below = p->lpf_order > 0.0f && p->lpf_hz < band;
		tg_filter_set(&chain->filter, p->hpf_hz, (int)p->hpf_order, below ? p->lpf_hz : band,
		              below ? (int)p->lpf_order : TG_BAND_ORDER, jump);
	}
	TgLimiterParams lp;
	limiter_params(p, bridge, &lp);
	if (jump) {
		tg_limiter_reset(&chain->lim, &lp);
	} else if (rewired || p->vfs != old->vfs || p->z_ohm != old->z_ohm ||
	           p->i_peak_ma != old->i_peak_ma || p->i_rms_ma != old->i_rms_ma || p->v_peak != old->v_peak ||
	           p->tau_s != old->tau_s || p->tau_magnet_s != old->tau_magnet_s ||
	           p->magnet_share != old->magnet_share || p->release_ms != old->release_ms ||
	           p->rise_db_s != old->rise_db_s) {
		tg_limiter_set(&chain->lim, &lp);
	}
	if (rewired) {
		rewire(chain);
	}
	chain->cur = *p;
}

void tg_chain_idle(TgChain *chain, double s)
{
	if (chain->heat_known) {
		tg_limiter_cool(&chain->lim, s);
	}
}

void tg_chain_activate(TgChain *chain, const TgParams *params)
{
	TgParams p = *params;
	chain->raw = p;
	tg_params_sanitize(&p, chain->sum);
	apply_params(chain, &p, 1);
	tg_glide_reset(&chain->volume, chain->vol_to);
	tg_filter_reset(&chain->filter);
	tg_dc_reset(&chain->dry_dc);
	tg_ramp_restart(&chain->ramp);
	chain->lim_taken = 0;
	chain->twin = 0;
	chain->xf = p.enable;
	memset(chain->dry_lp_st, 0, sizeof(chain->dry_lp_st));
	chain->dry_was_heard = p.enable < 1.0f;
	memset(&chain->stats, 0, sizeof(chain->stats));
}

/* Faults, four samples at a time: lanes where !(|x| <= TG_FAULT_MAX). This
 * is tg_is_fault (safety.h), the one definition, lane by lane: the same
 * comparison, and tg_v4_abs clears the sign bit as fabsf does, so NaN
 * stays NaN and fails the comparison, and an infinity exceeds the bound. A
 * unit test holds both paths to tg_is_fault on the values at the edges. */
static inline TgV4i fault4(TgV4f v)
{
	return ~(tg_v4_abs(v) <= tg_v4_set(TG_FAULT_MAX));
}

/* The chunk's soft-start gains; none are written once the ramp is over. */
static void ramp_chunk(TgChain *chain, uint32_t m)
{
	chain->ramp_flat = !(tg_ramp_phase(&chain->ramp) < 1.0);
	if (!chain->ramp_flat) {
		tg_ramp_process(&chain->ramp, chain->ramp_gain, m);
	}
}

/* m frames other than faults go to the limiter in this pass. */
static void count_taken(TgChain *chain, uint32_t m)
{
	const uint32_t lat = tg_limiter_latency(&chain->lim);
	chain->lim_taken = m < lat - chain->lim_taken ? chain->lim_taken + m : lat;
}

/* A fault: clear whatever it reached and start the soft start again from
 * silence. It becomes 0, so only the state before it matters: the filters
 * and their DC blocker, the bypass path's DC blocker, and the limiter's
 * lookahead and gain state (the audio still in the delay is dropped: the
 * output is silent right after a fault; the heat estimate stays, the coil
 * is as hot as it was). None of this allocates.
 *
 * The limiter is cleared unless it has taken fewer than its latency of
 * frames other than faults since it was last cleared: then every frame in
 * it came after that clearing under a soft start restarted at most that
 * many frames before (at most 9.9e-4 of the signal at the shortest ramp,
 * 0.1 s, and 2 ms of latency), and clearing again would change nothing but the cost. So a run
 * of faults clears it once, and a stream of faults, however dense, at most
 * once per latency. */
static void clear_fault(TgChain *chain)
{
	tg_filter_reset(&chain->filter); /* and its DC blocker */
	tg_dc_reset(&chain->dry_dc);
	memset(chain->dry_lp_st, 0, sizeof(chain->dry_lp_st));
	if (chain->lim_taken >= tg_limiter_latency(&chain->lim)) {
		tg_limiter_flush(&chain->lim);
		chain->lim_taken = 0;
	}
	tg_ramp_restart(&chain->ramp); /* from silence again */
}

/* Whether frame i of the input holds a fault in any channel. */
static int frame_fault(const TgChain *chain, const float *const *in, uint32_t i)
{
	int bad = 0;
	for (uint32_t ch = 0; ch < chain->n_in; ++ch) {
		bad |= tg_is_fault(in[ch][i]);
	}
	return bad;
}

/* Copy the input for one pass of the chain over up to m frames from off,
 * and make the pass's soft-start gains (in chain->ramp_gain); returns the
 * frames the pass takes. A fault must clear the chain between the frames
 * before it, which the pass before has taken through the filters and the
 * limiter, and the frames after it. So a frame with a fault in any channel
 * ends the pass before it; at the start of a pass, it and the faults right
 * after it clear the chain (clear_fault) and become silence in every
 * channel (the restarted soft start silences the frame anyway; this way
 * no half of a broken frame enters the cleared filters), and the pass
 * takes them and the frames up to the next fault. Each faulty sample is
 * counted. */
static uint32_t sanitize_input(TgChain *chain, const float *const *in, uint32_t off, uint32_t m)
{
	/* Almost always there is no fault: one vector pass tells. */
	TgV4i bad4 = {0, 0, 0, 0};
	const uint32_t m4 = m & ~3u;
	int bad = 0;
	for (uint32_t ch = 0; ch < chain->n_in; ++ch) {
		const float *const x = in[ch] + off;
		for (uint32_t i = 0; i < m4; i += 4) {
			bad4 |= fault4(tg_v4_load(x + i));
		}
		for (uint32_t i = m4; i < m; ++i) {
			bad |= tg_is_fault(x[i]);
		}
	}
	if (!bad && !tg_v4_any(bad4)) {
		for (uint32_t ch = 0; ch < chain->n_in; ++ch) {
			memcpy(chain->in[ch], in[ch] + off, m * sizeof(float));
		}
		ramp_chunk(chain, m);
		count_taken(chain, m);
		return m;
	}
	uint32_t run = 0;
	for (; run < m && frame_fault(chain, in, off + run); ++run) {
		for (uint32_t ch = 0; ch < chain->n_in; ++ch) {
			chain->stats.nonfinite_in += (uint64_t)tg_is_fault(in[ch][off + run]);
			chain->in[ch][run] = 0.0f;
		}
	}
	uint32_t i = run;
	for (; i < m && !frame_fault(chain, in, off + i); ++i) {
		for (uint32_t ch = 0; ch < chain->n_in; ++ch) {
			chain->in[ch][i] = in[ch][off + i];
		}
	}
	if (run > 0) {
		/* Each fault restarts the soft start, whose first gain is 0:
		 * the last fault of the run is its frame 0. */
		clear_fault(chain);
		for (uint32_t k = 0; k + 1 < run; ++k) {
			chain->ramp_gain[k] = 0.0f;
		}
		tg_ramp_process(&chain->ramp, chain->ramp_gain + run - 1, i - run + 1);
		chain->ramp_flat = 0;
	} else {
		ramp_chunk(chain, i);
	}
	count_taken(chain, i - run);
	return i;
}

/* Whether the dry signal is the -6 dB sum: for the variant with one
 * output, and for a transducer across both outputs (one signal). */
static int dry_sums(const TgChain *chain) { return chain->sum || chain->bridge; }

/* The dry signal for bypass: the input itself, or the -6 dB sum (dry_sums),
 * without DC. */
static void make_dry(TgChain *chain, uint32_t m)
{
	for (uint32_t ch = 0; ch < chain->n_out; ++ch) {
		float *const d = chain->dry[ch];
		if (dry_sums(chain)) {
			for (uint32_t i = 0; i < m; ++i) {
				d[i] = 0.5f * (chain->in[0][i] + chain->in[1][i]);
			}
		} else {
			memcpy(d, chain->in[ch], m * sizeof(float));
		}
		tg_dc_process(&chain->dry_dc, d, ch, m);
		for (int k = 0; k < 2; ++k) {
			tg_biquad_process(&chain->dry_lp[k], &chain->dry_lp_st[k][ch], d, m);
		}
	}
}

/* Two frames of x in double. */
static inline TgV2d v2_from_floats(const float *x) { return (TgV2d){(double)x[0], (double)x[1]}; }

/* sum over i < n of dw[i] v[i], v = x or 0.5f (x + y), in double, two lanes
 * and two sums. Double because the result places the bypass path's DC
 * blocker, whose error then lasts with it: in float it would be relative
 * to the input, DC included, and a loud DC input (up to +60 dBFS is not a
 * fault) left 5e-4 of full scale in the dry signal at the next bypass. The
 * sum of the two inputs is the float one make_dry takes while heard. */
static double dry_weighted(const double *dw, const float *x, const float *y, uint32_t n)
{
	TgV2d a0 = {0.0, 0.0}, a1 = a0;
	const uint32_t n4 = n & ~3u;
	double tail = 0.0;
	if (y) {
		const TgV4f half = tg_v4_set(0.5f);
		for (uint32_t i = 0; i < n4; i += 4) {
			float v[4];
			tg_v4_store(v, half * (tg_v4_load(x + i) + tg_v4_load(y + i)));
			a0 += tg_v2_load(dw + i) * v2_from_floats(v);
			a1 += tg_v2_load(dw + i + 2) * v2_from_floats(v + 2);
		}
		for (uint32_t i = n4; i < n; ++i) {
			tail += dw[i] * (double)(0.5f * (x[i] + y[i]));
		}
	} else {
		for (uint32_t i = 0; i < n4; i += 4) {
			a0 += tg_v2_load(dw + i) * v2_from_floats(x + i);
			a1 += tg_v2_load(dw + i + 2) * v2_from_floats(x + i + 2);
		}
		for (uint32_t i = n4; i < n; ++i) {
			tail += dw[i] * (double)x[i];
		}
	}
	const TgV2d a = a0 + a1;
	return (a[0] + a[1]) + tail;
}

/* While fully enabled the dry signal is not heard, but its DC blocker must
 * be ready for a bypass: it advances in closed form (filter.h,
 * tg_dc_advance), from the weighted sums of each channel's input. */
static void dry_advance(TgChain *chain, const double *sums, const float *last, uint32_t m)
{
	for (uint32_t ch = 0; ch < chain->n_out; ++ch) {
		tg_dc_advance(&chain->dry_dc, ch, chain->dry_w, m, sums[ch], last[ch]);
	}
}

static void track_dry(TgChain *chain, uint32_t m)
{
	if (m == 0) {
		return;
	}
	const double *const dw = chain->dry_dw + CHUNK - m;
	double sums[2] = {0.0, 0.0};
	float last[2] = {0.0f, 0.0f};
	for (uint32_t ch = 0; ch < chain->n_out; ++ch) {
		const float *const x = dry_sums(chain) ? chain->in[0] : chain->in[ch];
		const float *const y = dry_sums(chain) ? chain->in[1] : NULL;
		sums[ch] = dry_weighted(dw, x, y, m);
		last[ch] = y ? 0.5f * (x[m - 1] + y[m - 1]) : x[m - 1];
	}
	dry_advance(chain, sums, last, m);
}

/* The usual case in one pass over the host's input, for a twin with the
 * dry signal unheard: check for faults, track the dry DC blockers and mix.
 * 0 when there is a fault: nothing was kept, the general path runs (and
 * clears the chain at it, see sanitize_input). */
static int twin_input(TgChain *chain, const float *const *in, uint32_t off, uint32_t m)
{
	const float *const l = in[0] + off, *const r = in[1] + off;
	const double *const dw = chain->dry_dw + CHUNK - m;
	float *const wet = chain->wet[0];
	const float g0 = tg_mono_gain(&chain->mono, 0, 0), g1 = tg_mono_gain(&chain->mono, 0, 1);
	const TgV4f m0 = tg_v4_set(g0), m1 = tg_v4_set(g1);
	/* The dry blocker's sums in double (see dry_weighted). */
	TgV2d acc_l0 = {0.0, 0.0}, acc_l1 = acc_l0, acc_r0 = acc_l0, acc_r1 = acc_l0;
	TgV4i bad4 = {0, 0, 0, 0};
	const uint32_t m4 = m & ~3u;
	for (uint32_t i = 0; i < m4; i += 4) {
		const TgV4f vl = tg_v4_load(l + i), vr = tg_v4_load(r + i);
		bad4 |= fault4(vl) | fault4(vr);
		const TgV2d w0 = tg_v2_load(dw + i), w1 = tg_v2_load(dw + i + 2);
		acc_l0 += w0 * v2_from_floats(l + i);
		acc_l1 += w1 * v2_from_floats(l + i + 2);
		acc_r0 += w0 * v2_from_floats(r + i);
		acc_r1 += w1 * v2_from_floats(r + i + 2);
		tg_v4_store(wet + i, m0 * vl + m1 * vr);
	}
	double tail_l = 0.0, tail_r = 0.0;
	int bad = 0;
	for (uint32_t i = m4; i < m; ++i) {
		bad |= tg_is_fault(l[i]) | tg_is_fault(r[i]);
		tail_l += dw[i] * (double)l[i];
		tail_r += dw[i] * (double)r[i];
		wet[i] = g0 * l[i] + g1 * r[i];
	}
	if (bad || tg_v4_any(bad4)) {
		return 0;
	}
	const TgV2d al = acc_l0 + acc_l1, ar = acc_r0 + acc_r1;
	const double sums[2] = {(al[0] + al[1]) + tail_l, (ar[0] + ar[1]) + tail_r};
	const float last[2] = {l[m - 1], r[m - 1]};
	dry_advance(chain, sums, last, m);
	ramp_chunk(chain, m);
	count_taken(chain, m);
	return 1;
}

/* Both outputs carry the same mix once the matrix has settled, the filters
 * are steady and the two channels' memories agree: then one channel is
 * mixed and filtered, and the limiter is told (not while the dry signal is
 * heard: it keeps its two channels). The one place this is decided. */
static void choose_twin(TgChain *chain, int dry_heard)
{
	const int can = chain->n_out == 2 && !dry_heard && tg_mono_twin(&chain->mono) &&
	                tg_filter_steady(&chain->filter);
	if (can && !chain->twin && tg_filter_twin_ready(&chain->filter)) {
		chain->twin = 1;
	} else if (!can && chain->twin) {
		chain->twin = 0;
	}
}

/* The limiter reads the mix (the first channel for both, as a twin) and
 * writes the host's output. */
static void limit(TgChain *chain, float *const *out, uint32_t off, uint32_t m,
                  TgLimiterMeter *meter)
{
	const float *const src[2] = {chain->wet[0], chain->wet[1]};
	float *const dst[2] = {out[0] + off, chain->n_out > 1 ? out[1] + off : NULL};
	tg_limiter_process(&chain->lim, src, dst, m, chain->twin, meter);
	if (chain->bridge) {
		tg_bridge_out(dst[1], dst[0], m);
	}
}

/* One pass over up to m frames from off; returns the frames it took, at
 * least one (fewer than m when a fault ends it, see sanitize_input). */
static uint32_t process_chunk(TgChain *chain, const float *const *in, float *const *out,
                              uint32_t off, uint32_t m, TgLimiterMeter *meter)
{
	const uint32_t n_out = chain->n_out;
	const float enable = chain->cur.enable;
	float xf = chain->xf;
	const int dry_heard = xf < 1.0f || enable < 1.0f;
	if (dry_heard && !chain->dry_was_heard) {
		/* The dry guard band starts from rest as the crossfade starts. */
		memset(chain->dry_lp_st, 0, sizeof(chain->dry_lp_st));
	}
	/* As a twin only the first output's mix is made and filtered. */
	choose_twin(chain, dry_heard);
	const uint32_t n_run = chain->twin ? 1 : n_out;
	float *const wet[2] = {chain->wet[0], chain->wet[1]};
	/* twin_input tracks each channel's own dry signal: not the bridged sum. */
	if (!chain->twin || chain->bridge || !twin_input(chain, in, off, m)) {
		m = sanitize_input(chain, in, off, m);
		if (dry_heard) {
			make_dry(chain, m);
		} else {
			track_dry(chain, m);
		}
		const float *const src_r = chain->n_in == 2 ? chain->in[1] : chain->in[0];
		tg_mono_process(&chain->mono, chain->in[0], src_r, wet[0], chain->twin ? NULL : wet[1],
		                m);
	}
	tg_filter_process(&chain->filter, wet, chain->twin, m);

	/* While bypassed the volume waits at no more than unity, so enabling
	 * again never jumps over the level just heard: it rises at rise_db_s. */
	const double vol_to = enable > 0.0f || chain->vol_to < 1.0f ? chain->vol_to : 1.0;
	float *const ramp = chain->ramp_gain;
	if (!dry_heard && tg_glide_value(&chain->volume) == vol_to) {
		/* Settled: one gain for the chunk, none at all at unity once the
		 * soft start is over. */
		const float vol = (float)vol_to;
		for (uint32_t ch = 0; ch < n_run; ++ch) {
			float *const w = wet[ch];
			if (!chain->ramp_flat) {
				for (uint32_t i = 0; i < m; ++i) {
					w[i] = ramp[i] * vol * w[i];
				}
			} else if (vol != 1.0f) {
				for (uint32_t i = 0; i < m; ++i) {
					w[i] = vol * w[i];
				}
			}
		}
		limit(chain, out, off, m, meter);
		chain->dry_was_heard = 0;
		return m;
	}
	if (chain->ramp_flat) {
		for (uint32_t i = 0; i < m; ++i) {
			ramp[i] = 1.0f;
		}
	}
	for (uint32_t i = 0; i < m; ++i) {
		const float vol = (float)tg_glide_next(&chain->volume, vol_to);
		if (xf < enable) {
			xf = xf + chain->xf_step < enable ? xf + chain->xf_step : enable;
		} else if (xf > enable) {
			xf = xf - chain->xf_step > enable ? xf - chain->xf_step : enable;
		}
		if (xf >= 1.0f) {
			for (uint32_t ch = 0; ch < n_run; ++ch) {
				wet[ch][i] = ramp[i] * vol * wet[ch][i];
			}
		} else {
			for (uint32_t ch = 0; ch < n_run; ++ch) {
				const float dry = chain->dry[ch][i];
				wet[ch][i] = ramp[i] * (xf * vol * wet[ch][i] + (1.0f - xf) * dry);
			}
		}
	}
	chain->xf = xf;
	/* Whether the next frame follows a frame with the dry signal heard:
	 * as the chunk ends, not as it began, so that the guard band starts
	 * from rest however the host cut the stream. */
	chain->dry_was_heard = xf < 1.0f || enable < 1.0f;
	limit(chain, out, off, m, meter);
	return m;
}

/* 20 log10 g for the gain-reduction meter, within 3e-5 dB and without a
 * libm call or a division per block: g = m 2^e with m in [1, 2), and log2 m
 * by straight lines between TG_LOG2_N + 1 points, which stray from it by at
 * most h^2 / (8 ln 2) = 2.8e-6 (h = 1 / TG_LOG2_N; its second derivative is
 * at most 1 / ln 2), times 20 log10 2 = 6.02 dB, plus float rounding
 * (measured: 2.7e-5 dB at most, at -138 dB). Below floor_db (and for 0
 * or NaN) the floor. */
static float meter_db(const float *log2_tab, float g, float floor_db)
{
	if (!(g >= 1e-7f)) {
		return floor_db;
	}
	uint32_t bits;
	memcpy(&bits, &g, sizeof(bits));
	const int e = (int)((bits >> 23) & 0xffu) - 127;
	const uint32_t i = (bits >> (23 - TG_LOG2_BITS)) & (TG_LOG2_N - 1);
	const float f = (float)(bits & ((1u << (23 - TG_LOG2_BITS)) - 1u)) *
	                (1.0f / (float)(1u << (23 - TG_LOG2_BITS)));
	const float l2 = log2_tab[i] + f * (log2_tab[i + 1] - log2_tab[i]);
	return 6.0205999f * ((float)e + l2);
}

/* Whether the controls are bit for bit those of the last call (a NaN as
 * well): a word-by-word comparison the compiler keeps inline. */
static int params_same(const TgParams *a, const TgParams *b)
{
	uint32_t wa[sizeof(TgParams) / 4], wb[sizeof(TgParams) / 4];
	memcpy(wa, a, sizeof(wa));
	memcpy(wb, b, sizeof(wb));
	uint32_t diff = 0;
	for (size_t k = 0; k < sizeof(TgParams) / 4; ++k) {
		diff |= wa[k] ^ wb[k];
	}
	return diff == 0;
}

void tg_chain_process(TgChain *chain, const float *const *in, float *const *out,
                      uint32_t n, const TgParams *params, TgMeters *meters)
{
#if defined(__SSE__)
	/* Most hosts run with FTZ and DAZ on already: then the control
	 * register, slow to write, is left alone. */
	const unsigned int csr = _mm_getcsr();
	const int set_csr = (csr & TG_MXCSR_FTZ_DAZ) != TG_MXCSR_FTZ_DAZ;
	if (set_csr) {
		_mm_setcsr(csr | TG_MXCSR_FTZ_DAZ);
	}
#endif
	/* Controls rarely change between blocks: compare before clamping.
	 * Before the first frame since activation there is no audio to glide
	 * from: controls set after activate() (a preset a host applies then)
	 * take effect as if given to it. */
	if (!params_same(params, &chain->raw)) {
		if (chain->stats.frames == 0) {
			tg_chain_activate(chain, params);
		} else {
			chain->raw = *params;
			TgParams p = *params;
			tg_params_sanitize(&p, chain->sum);
			apply_params(chain, &p, 0);
		}
	}
	if (!chain->heat_known) {
		/* A new chain cannot know how hot the coil is: warm, under the
		 * limits of its first block, whatever came before it. */
		tg_limiter_warm(&chain->lim);
		chain->heat_known = 1;
	}

	TgLimiterMeter meter = {1.0f, 0.0f};
	for (uint32_t off = 0; off < n;) {
		const uint32_t m = n - off < CHUNK ? n - off : CHUNK;
		off += process_chunk(chain, in, out, off, m, &meter);
	}
	chain->stats.frames += n;

	if (meters) {
		const double ceiling = tg_limiter_ceiling(&chain->lim);
		const float floor_db = tg_port_info[TG_P_GR_DB].min;
		const float gr =
		    meter.gain_min < 1.0f ? meter_db(chain->log2_tab, meter.gain_min, floor_db) : 0.0f;
		uint64_t peak, rms, tp;
		tg_limiter_counts(&chain->lim, &peak, &rms, &tp);
		meters->latency = (float)tg_limiter_latency(&chain->lim);
		meters->gr_db = gr > floor_db ? (gr < 0.0f ? gr : 0.0f) : floor_db;
		meters->peak_ma = meter.peak_a * 1e3f;
		meters->rms_ma = (float)(sqrt(tg_limiter_heat(&chain->lim)) * 1e3);
		if (ceiling != chain->meter_ceiling) { /* a log per change, not per block */
			chain->meter_ceiling = ceiling;
			chain->meter_ceiling_db = (float)(20.0 * log10(ceiling));
		}
		meters->ceiling_db = chain->meter_ceiling_db;
		meters->ramp = (float)tg_ramp_phase(&chain->ramp);
		meters->clamps = (float)(peak + rms + tp);
	}
#if defined(__SSE__)
	if (set_csr) {
		_mm_setcsr(csr);
	}
#endif
}
