/* tguard unit tests: the DSP modules and the chain, without LV2. */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "greatest.h"
#include "tg_assert.h"

#include "analysis.h"
#include "chain.h"
#include "safety.h"
#include "truepeak.h"
#include "filter.h"
#include "limiter.h"
#include "mono.h"
#include "ports.h"
#include "ramp.h"
#include "safety.h"
#include "signals.h"

static const double RATES[] = {44100.0, 48000.0, 96000.0, 192000.0};

/* ---- helpers ---- */

typedef struct {
	uint32_t n_in, n_out;
	uint64_t n;
	float *in[2];
	float *out[2];
} Buffers;

static Buffers buffers_new(uint32_t n_in, uint32_t n_out, uint64_t n)
{
	Buffers b = {n_in, n_out, n, {NULL, NULL}, {NULL, NULL}};
	for (uint32_t ch = 0; ch < 2; ++ch) {
		b.in[ch] = calloc((size_t)n, sizeof(float));
		b.out[ch] = calloc((size_t)n, sizeof(float));
	}
	return b;
}

static void buffers_free(Buffers *b)
{
	for (uint32_t ch = 0; ch < 2; ++ch) {
		free(b->in[ch]);
		free(b->out[ch]);
	}
}

/* Run the whole buffer through a fresh chain; block 0 means random block
 * sizes 1..4096 from a fixed seed. Returns the stats of the run. */
static TgStats render(Buffers *b, double rate, const TgParams *p, uint32_t block)
{
	TgChain *const chain = tg_chain_new(rate, b->n_in, b->n_out);
	TgStats stats;
	memset(&stats, 0, sizeof(stats));
	if (!chain) {
		return stats;
	}
	tg_chain_activate(chain, p);
	TgRng rng;
	tg_rng_seed(&rng, 1234);
	for (uint64_t off = 0; off < b->n;) {
		uint32_t m = block ? block : 1u + tg_rng_next(&rng) % 4096u;
		if (m > b->n - off) {
			m = (uint32_t)(b->n - off);
		}
		const float *in[2] = {b->in[0] + off, b->in[1] + off};
		float *out[2] = {b->out[0] + off, b->out[1] + off};
		TgMeters meters;
		tg_chain_process(chain, in, out, m, p, &meters);
		off += m;
	}
	tg_chain_stats(chain, &stats);
	tg_chain_free(chain);
	return stats;
}

static double amps_of(const TgParams *p) { return (double)p->vfs / (double)p->z_ohm; }

/* Filters off, thermal out of the way: isolates the peak limiter. */
static void params_peak_only(TgParams *p)
{
	tg_params_default(p);
	p->hpf_order = 0.0f;
	p->lpf_order = 0.0f;
	p->i_rms_ma = 10000.0f;
	p->ramp_s = 0.1f;
}

/* A mono chain fed the same block again and again: for following how the
 * chain reacts over time to a control change. */
typedef struct {
	TgChain *chain;
	uint32_t n; /* frames per block */
	float in[4800];
	float out[4800];
} Rig;

static Rig *rig_new(double rate, const TgParams *p, uint32_t n)
{
	Rig *const rig = calloc(1, sizeof(Rig));
	rig->chain = tg_chain_new(rate, 1, 1);
	rig->n = n;
	tg_chain_activate(rig->chain, p);
	return rig;
}

/* Process the block `times` times; meters (may be NULL) of the last. */
static void rig_run(Rig *rig, const TgParams *p, int times, TgMeters *meters)
{
	const float *ins[1] = {rig->in};
	float *outs[1] = {rig->out};
	for (int k = 0; k < times; ++k) {
		tg_chain_process(rig->chain, ins, outs, rig->n, p, meters);
	}
}

static void rig_free(Rig *rig)
{
	tg_chain_free(rig->chain);
	free(rig);
}

/* ---- filter ---- */

/* Gain in dB of a sine through the real filter, after it settled. */
static double filter_gain_db(double rate, double hpf_hz, int hpf_order, double lpf_hz,
                             int lpf_order, double freq)
{
	TgFilter f;
	tg_filter_init(&f, rate, 1);
	tg_filter_set(&f, hpf_hz, hpf_order, lpf_hz, lpf_order, 1);
	const uint32_t n = (uint32_t)rate; /* 1 s */
	float *x = malloc(n * sizeof(float));
	tg_sig_sine(x, n, rate, freq, 0.5, 0.0);
	float *bufs[1] = {x};
	tg_filter_process(&f, bufs, 0, n);
	/* The last 0.5 s, an integer number of periods as near as possible. */
	const uint32_t periods = (uint32_t)(0.5 * freq);
	const uint32_t len = (uint32_t)lround(periods * rate / freq);
	const double rms = tg_rms(x + n - len, len);
	free(x);
	return 20.0 * log10(rms / (0.5 / sqrt(2.0)));
}

TEST filter_corner_minus_3db(void)
{
	for (size_t r = 0; r < sizeof(RATES) / sizeof(RATES[0]); ++r) {
		const double rate = RATES[r];
		for (int order = 2; order <= 4; order += 2) {
			const double hp = filter_gain_db(rate, 1000.0, order, 16000.0, 0, 1000.0);
			const double lp = filter_gain_db(rate, 80.0, 0, 1000.0, order, 1000.0);
			TG_ASSERT_NEARm("high-pass corner", -3.0103, hp, 0.05);
			TG_ASSERT_NEARm("low-pass corner", -3.0103, lp, 0.05);
		}
	}
	PASS();
}

TEST filter_hpf4_at_half_corner(void)
{
	for (size_t r = 0; r < sizeof(RATES) / sizeof(RATES[0]); ++r) {
		const double g = filter_gain_db(RATES[r], 1000.0, 4, 16000.0, 0, 500.0);
		TG_ASSERT_NEARm("4th-order HPF one octave down", -24.1, g, 0.5);
		/* The design formula agrees with the measurement. */
		TgFilter f;
		tg_filter_init(&f, RATES[r], 1);
		tg_filter_set(&f, 1000.0, 4, 16000.0, 0, 1);
		TG_ASSERT_NEAR(g, tg_filter_magnitude_db(&f, 500.0), 0.01);
	}
	PASS();
}

TEST filter_corner_clamped_below_nyquist(void)
{
	TgFilter f;
	tg_filter_init(&f, 8000.0, 1);
	tg_filter_set(&f, 5000.0, 4, 24000.0, 4, 1);
	ASSERT(f.hpf.sec[0].freq <= 0.45 * 8000.0 + 1e-9);
	ASSERT(f.lpf.sec[0].freq <= 0.45 * 8000.0 + 1e-9);
	/* Still a stable, finite filter. */
	float x[4096];
	tg_sig_pink(x, 4096, 1.0, 3);
	float *bufs[1] = {x};
	tg_filter_process(&f, bufs, 0, 4096);
	for (int i = 0; i < 4096; ++i) {
		ASSERT(isfinite(x[i]) && fabsf(x[i]) < 100.0f);
	}
	PASS();
}

/* A corner or order change must not click: no sample-to-sample jump far
 * beyond what the sine itself does. */
TEST filter_changes_glide(void)
{
	const double rate = 48000.0;
	TgFilter f;
	tg_filter_init(&f, rate, 1);
	tg_filter_set(&f, 80.0, 4, 16000.0, 2, 1);
	const uint32_t n = 48000;
	float *x = malloc(n * sizeof(float));
	tg_sig_sine(x, n, rate, 440.0, 0.5, 0.0);
	float *bufs[1] = {x};
	float max_step = 0.0f;
	for (uint32_t off = 0; off < n; off += 480) {
		const uint32_t k = off / 480;
		/* Switch something every 10 ms. */
		tg_filter_set(&f, k % 2 ? 400.0 : 80.0, (int)(k % 3) * 2, k % 2 ? 2000.0 : 16000.0,
		              (int)((k + 1) % 3) * 2, 0);
		float *b[1] = {x + off};
		tg_filter_process(&f, b, 0, 480);
	}
	(void)bufs;
	for (uint32_t i = 1; i < n; ++i) {
		const float d = fabsf(x[i] - x[i - 1]);
		max_step = d > max_step ? d : max_step;
	}
	free(x);
	/* A 440 Hz sine of 0.5 moves at most 0.029 per frame. */
	ASSERT(max_step < 0.06f);
	PASS();
}

/* The block kernels compute the steady cascade of the scalar one: for every
 * number of sections, for blocks of every length (tails, one frame, and
 * settings changed in between), and in both channels. */
static void filter_run_blocks(TgFilterKernel k, const float *x, float *y, uint32_t n,
                              int hpf_order, int lpf_order)
{
	TgFilter f;
	tg_filter_init(&f, 48000.0, 2);
	tg_filter_use(&f, k);
	tg_filter_set(&f, 120.0, hpf_order, 9000.0, lpf_order, 1);
	memcpy(y, x, n * sizeof(float));
	memcpy(y + n, x, n * sizeof(float));
	static const uint32_t lens[] = {1, 7, 8, 9, 64, 333, 512, 2, 15};
	uint32_t off = 0;
	for (uint32_t j = 0; off < n; ++j) {
		uint32_t len = lens[j % (sizeof(lens) / sizeof(lens[0]))];
		len = len < n - off ? len : n - off;
		if (j == 20) { /* a change mid-stream: glides, then steady again */
			tg_filter_set(&f, 200.0, hpf_order, 7000.0, lpf_order, 0);
		}
		float *bufs[2] = {y + off, y + n + off};
		tg_filter_process(&f, bufs, 0, len);
		off += len;
	}
}

TEST filter_block_kernels_match_scalar(void)
{
	const uint32_t n = 24000;
	float *x = malloc(n * sizeof(float));
	float *ref = malloc(2 * n * sizeof(float));
	float *y = malloc(2 * n * sizeof(float));
	tg_sig_pink(x, n, 0.5, 11);
	for (uint32_t i = 0; i < n; ++i) {
		x[i] += 0.25f; /* DC too, for the blocker */
	}
	static const int orders[][2] = {{0, 0}, {2, 0}, {0, 2}, {4, 0}, {2, 2}, {4, 2}, {2, 4}, {4, 4}};
	int kernels = 0;
	for (int k = TG_FILTER_BLOCK; k <= TG_FILTER_BLOCK_AVX2; ++k) {
		TgFilter probe;
		tg_filter_init(&probe, 48000.0, 1);
		if (!tg_filter_use(&probe, (TgFilterKernel)k)) {
			continue;
		}
		++kernels;
		for (size_t o = 0; o < sizeof(orders) / sizeof(orders[0]); ++o) {
			filter_run_blocks(TG_FILTER_SCALAR, x, ref, n, orders[o][0], orders[o][1]);
			filter_run_blocks((TgFilterKernel)k, x, y, n, orders[o][0], orders[o][1]);
			double worst = 0.0;
			for (uint32_t i = 0; i < 2 * n; ++i) {
				ASSERT(isfinite(y[i]));
				const double d = fabs((double)y[i] - (double)ref[i]);
				worst = d > worst ? d : worst;
			}
			/* Float output rounding, not filter error. */
			ASSERT_LTm("block kernel strays from the scalar cascade", worst, 1e-6);
		}
	}
	ASSERT(kernels >= 1);
	free(x);
	free(ref);
	free(y);
	PASS();
}

/* Told it is a twin, the filter runs one channel of the packed block state
 * and copies it back when told the second channel runs again: both then
 * continue exactly as two channels that were never twinned. */
TEST filter_twin_follows_first_channel(void)
{
	const uint32_t n = 9600, len = 64;
	float *x = malloc(n * sizeof(float));
	float *a0 = malloc(n * sizeof(float)), *a1 = malloc(n * sizeof(float));
	float *b0 = malloc(n * sizeof(float)), *b1 = malloc(n * sizeof(float));
	tg_sig_pink(x, n, 0.5, 13);
	memcpy(a0, x, n * sizeof(float));
	memcpy(a1, x, n * sizeof(float));
	memcpy(b0, x, n * sizeof(float));
	memcpy(b1, x, n * sizeof(float));
	TgFilter a, b;
	tg_filter_init(&a, 48000.0, 2);
	tg_filter_init(&b, 48000.0, 2);
	tg_filter_set(&a, 120.0, 4, 9000.0, 2, 1);
	tg_filter_set(&b, 120.0, 4, 9000.0, 2, 1);
	int twinned = 0;
	for (uint32_t off = 0; off < n; off += len) {
		const uint32_t k = off / len;
		if (k == 40 || k == 100) { /* twin: the memories agree */
			ASSERT(tg_filter_twin_ready(&a));
			twinned = 1;
		} else if (k == 70) { /* the second channel again */
			twinned = 0;
		}
		float *pa[2] = {a0 + off, a1 + off}, *pb[2] = {b0 + off, b1 + off};
		tg_filter_process(&a, pa, twinned, len);
		tg_filter_process(&b, pb, 0, len);
		if (twinned) {
			memcpy(a1 + off, a0 + off, len * sizeof(float));
		}
	}
	ASSERT_EQ(0, memcmp(a0, b0, n * sizeof(float)));
	ASSERT_EQ(0, memcmp(a1, b1, n * sizeof(float)));
	free(x), free(a0), free(a1), free(b0), free(b1);
	PASS();
}

/* ---- ramp and glides ---- */

TEST ramp_shape(void)
{
	const double rate = 48000.0, secs = 3.0;
	TgRamp ramp;
	tg_ramp_set_time(&ramp, rate, secs);
	tg_ramp_restart(&ramp);
	const uint32_t n = (uint32_t)(4.0 * rate);
	float *g = malloc(n * sizeof(float));
	tg_ramp_process(&ramp, g, n);
	ASSERT_EQ_FMT(0.0f, g[0], "%g");
	uint32_t reach = n;
	float max_slope = 0.0f;
	for (uint32_t i = 1; i < n; ++i) {
		ASSERTm("monotone", g[i] >= g[i - 1]);
		const float s = g[i] - g[i - 1];
		max_slope = s > max_slope ? s : max_slope;
		if (reach == n && g[i] >= 1.0f) {
			reach = i;
		}
	}
	TG_ASSERT_NEARm("reaches 1 at ramp_s", secs, reach / rate, 0.001);
	/* Zero slope at both ends: over the first and the last millisecond the
	 * mean slope is a small fraction of the steepest one. */
	const uint32_t ms1 = (uint32_t)(0.001 * rate);
	ASSERT(((g[ms1] - g[0]) / (float)ms1) < (1e-2f * max_slope));
	ASSERT(((g[reach] - g[reach - ms1]) / (float)ms1) < (1e-2f * max_slope));
	free(g);
	PASS();
}

/* The ramp is the raised cosine to float precision at every rate and
 * length (on the grid of straight lines or not), relatively too: its first,
 * tiny gains as well (within 1e-7 of each: the grid's 2.5e-8 and the
 * rounding to float); and each gain depends only on its frame: two ways of
 * cutting the stream give the same gains. */
TEST ramp_matches_raised_cosine(void)
{
	static const double cases[][2] = {{8000.0, 0.1}, {48000.0, 0.1}, {48000.0, 3.0},
	                                  {8000.0, 30.0}, {384000.0, 0.5}, {384000.0, 30.0}};
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); ++c) {
		const double rate = cases[c][0], secs = cases[c][1];
		const uint32_t n = (uint32_t)(secs * rate) + 1000;
		float *g = malloc(n * sizeof(float)), *h = malloc(n * sizeof(float));
		TgRamp a, b;
		tg_ramp_set_time(&a, rate, secs);
		tg_ramp_restart(&a);
		tg_ramp_set_time(&b, rate, secs);
		tg_ramp_restart(&b);
		tg_ramp_process(&a, g, n);
		for (uint32_t off = 0, j = 0; off < n; ++j) {
			uint32_t len = j % 3 == 0 ? 1 : (j % 3 == 1 ? 37 : 300);
			len = len < n - off ? len : n - off;
			tg_ramp_process(&b, h + off, len);
			off += len;
		}
		double worst = 0.0, worst_rel = 0.0;
		for (uint32_t i = 0; i < n; ++i) {
			const double t = (double)i / (secs * rate);
			const double e = t >= 1.0 ? 1.0 : 0.5 - 0.5 * cos(3.14159265358979323846 * t);
			worst = fmax(worst, fabs((double)g[i] - e));
			/* sin^2, the same curve without cancellation near 0. */
			const double root = sin(0.5 * 3.14159265358979323846 * t);
			const double er = t >= 1.0 ? 1.0 : root * root;
			if (er > 0.0) {
				worst_rel = fmax(worst_rel, fabs((double)g[i] / er - 1.0));
			}
			ASSERT_EQ_FMT(g[i], h[i], "%.9g");
			ASSERT(i == 0 || g[i] >= g[i - 1]);
		}
		ASSERT_EQ_FMT(0.0f, g[0], "%g");
		ASSERT_LT(worst, 2e-7);
		ASSERT_LT(worst_rel, 1e-7);
		free(g);
		free(h);
	}
	PASS();
}

TEST glide_rise_limited_fall_fast(void)
{
	const double rate = 48000.0;
	TgGlide glide;
	tg_glide_set_rates(&glide, rate, 10.0, 0.0025);
	tg_glide_reset(&glide, pow(10.0, -40.0 / 20.0));
	/* Rising 40 dB at 10 dB/s takes 4 s. */
	uint32_t i = 0;
	while (glide.value < 1.0 && i < 10 * 48000) {
		tg_glide_next(&glide, 1.0);
		++i;
	}
	TG_ASSERT_NEAR(4.0, i / rate, 0.002);
	/* Falling 40 dB is within 0.1 dB of the target in 20 ms. */
	const double low = pow(10.0, -40.0 / 20.0);
	for (i = 0; i < (uint32_t)(0.020 * rate); ++i) {
		tg_glide_next(&glide, low);
	}
	TG_ASSERT_NEAR(-40.0, 20.0 * log10(glide.value), 0.1);
	PASS();
}

/* Through the chain: the volume control's rise is rate-limited, its fall
 * takes effect within 20 ms. */
TEST chain_volume_rise_and_fall(void)
{
	const double rate = 48000.0;
	TgParams p;
	params_peak_only(&p);
	p.volume_db = -40.0f;
	p.i_peak_ma = 10000.0f;
	const uint32_t blk = 480; /* 10 ms */
	Rig *const rig = rig_new(rate, &p, blk);
	const float *const out = rig->out;
	tg_sig_sine(rig->in, blk, rate, 1000.0, 0.01, 0.0);
	rig_run(rig, &p, 50, NULL); /* 0.5 s: ramp done */
	const double base = tg_rms(out, blk);
	p.volume_db = 0.0f;
	double prev = base;
	for (int k = 0; k < 400; ++k) { /* 4 s */
		rig_run(rig, &p, 1, NULL);
		const double lvl = tg_rms(out, blk);
		/* At 10 dB/s, 10 ms blocks rise at most 0.1 dB (plus measuring
		 * slack for the level moving within each block). */
		ASSERT((20.0 * log10(lvl / prev)) < (0.2));
		prev = lvl;
	}
	rig_run(rig, &p, 20, NULL);
	TG_ASSERT_NEAR(40.0, 20.0 * log10(tg_rms(out, blk) / base), 0.1);
	p.volume_db = -40.0f;
	rig_run(rig, &p, 2, NULL);
	/* From 20 ms on (the lookahead delay aside) the fall is complete. */
	rig_run(rig, &p, 1, NULL);
	const uint32_t lat = tg_chain_latency(rig->chain);
	TG_ASSERT_NEAR(0.0, 20.0 * log10(tg_rms(out + lat, blk - lat) / base), 0.1);
	rig_free(rig);
	PASS();
}

/* ---- limiter invariants ---- */

static void make_pink20(Buffers *b) /* +20 dBFS RMS pink noise */
{
	tg_sig_pink(b->in[0], (uint32_t)b->n, 10.0, 11);
	tg_sig_pink(b->in[1], (uint32_t)b->n, 10.0, 12);
}

static void make_square50(Buffers *b)
{
	tg_sig_square(b->in[0], (uint32_t)b->n, 48000.0, 50.0, 1.0);
	memcpy(b->in[1], b->in[0], (size_t)b->n * sizeof(float));
}

static void make_bursts(Buffers *b)
{
	tg_sig_burst(b->in[0], (uint32_t)b->n, 48000.0, 1.0, 0.05, 0.45, 1.0, 21);
	tg_sig_burst(b->in[1], (uint32_t)b->n, 48000.0, 1.0, 0.05, 0.45, 1.0, 22);
}

typedef void (*Maker)(Buffers *);

static const Maker MAKERS[] = {make_pink20, make_square50, make_bursts};

/* Two limiters alike, from the same limits: for tests that compare them. */
static int limiter_pair(TgLimiter *a, TgLimiter *b, double rate, uint32_t n_ch,
                        const TgLimiterParams *lp)
{
	if (tg_limiter_init(a, rate, n_ch) != 0 || tg_limiter_init(b, rate, n_ch) != 0) {
		return -1;
	}
	tg_limiter_reset(a, lp);
	tg_limiter_reset(b, lp);
	return 0;
}

/* Settings that stress different corners of the limiter. */
static void stress_params(TgParams *p, int k)
{
	tg_params_default(p);
	switch (k) {
	case 1: /* dynamic mic as a speaker: small limits, high impedance */
		p->z_ohm = 300.0f, p->vfs = 2.83f, p->i_peak_ma = 10.0f, p->i_rms_ma = 4.0f;
		p->hpf_hz = 250.0f, p->lpf_hz = 10000.0f;
		break;
	case 2: /* short thermal time constant, fast release, loud volume */
		p->tau_s = 0.05f, p->release_ms = 5.0f, p->volume_db = 24.0f, p->hpf_order = 0.0f;
		p->ramp_s = 0.1f;
		break;
	case 3: /* peak limit far above the RMS limit */
		p->i_peak_ma = 1000.0f, p->i_rms_ma = 5.0f, p->mono = 2.0f;
		break;
	case 4: /* ... with a short thermal time constant */
		p->i_peak_ma = 1000.0f, p->i_rms_ma = 5.0f, p->tau_s = 0.05f, p->hpf_order = 0.0f;
		break;
	default:
		break;
	}
}

TEST limiter_peak_and_rms_invariants(void)
{
	const double rate = 48000.0;
	double worst_peak = 0.0, worst_rms = 0.0;
	for (size_t s = 0; s < sizeof(MAKERS) / sizeof(MAKERS[0]); ++s) {
		for (int k = 0; k < 5; ++k) {
			Buffers b = buffers_new(2, 2, (uint64_t)(8.0 * rate));
			MAKERS[s](&b);
			TgParams p;
			stress_params(&p, k);
			const TgStats st = render(&b, rate, &p, 512);
			TgCurrentStats cs;
			tg_current_stats((const float *const *)b.out, 2, b.n, amps_of(&p), p.tau_s, rate,
			                 &cs);
			const double peak_ratio = cs.peak_a / (p.i_peak_ma * 1e-3);
			const double rms_ratio = cs.rms_a / (p.i_rms_ma * 1e-3);
			worst_peak = peak_ratio > worst_peak ? peak_ratio : worst_peak;
			worst_rms = rms_ratio > worst_rms ? rms_ratio : worst_rms;
			ASSERT_EQ(0, (int)cs.nonfinite);
			ASSERTm("peak current", (peak_ratio) <= (1.0));
			ASSERTm("RMS current", (rms_ratio) <= (1.02));
			for (uint64_t i = 0; i < b.n; ++i) {
				ASSERT(fabsf(b.out[0][i]) <= 1.0f && fabsf(b.out[1][i]) <= 1.0f);
			}
			if (st.clamp_rms || st.clamp_peak || rms_ratio > 1.0) {
				printf("  signal %zu, settings %d: peak %.4f, RMS %.4f; clamps %llu peak, "
				       "%llu RMS\n",
				       s, k, peak_ratio, rms_ratio, (unsigned long long)st.clamp_peak,
				       (unsigned long long)st.clamp_rms);
			}
			if (s == 0 && k == 0) {
				printf("pink +20 dBFS defaults: peak %.4f, RMS %.4f of limit; clamps %llu "
				       "peak, %llu RMS over %llu frames\n",
				       peak_ratio, rms_ratio, (unsigned long long)st.clamp_peak,
				       (unsigned long long)st.clamp_rms, (unsigned long long)st.frames);
			}
			buffers_free(&b);
		}
	}
	printf("worst over signals x settings: peak %.6f, RMS %.6f of limit\n", worst_peak,
	       worst_rms);
	PASS();
}

/* Told both inputs are one signal, the limiter runs one channel and copies
 * it: the output must be that of two equal channels, bit for bit, through
 * switches between one signal and two and limit changes. */
static enum greatest_test_res one_buffer_matches_two(double rate)
{
	const uint32_t n = 96000;
	float *l = malloc(n * sizeof(float)), *r = malloc(n * sizeof(float));
	float *l2 = malloc(n * sizeof(float));
	float *oa[2] = {malloc(n * sizeof(float)), malloc(n * sizeof(float))};
	float *ob[2] = {malloc(n * sizeof(float)), malloc(n * sizeof(float))};
	tg_sig_pink(l, n, 1.5, 5);
	tg_sig_pink(r, n, 1.0, 6);
	memcpy(l2, l, n * sizeof(float));
	TgLimiter a, b;
	TgLimiterParams lp = {.vfs = 2.0, .z_ohm = 32.0, .i_peak = 0.040, .i_rms = 0.020,
	                      .v_peak = 100.0, .tau_s = 0.2, .release_s = 0.05, .rise_db_s = 20.0};
	ASSERT_EQ(0, limiter_pair(&a, &b, rate, 2, &lp));
	static const uint32_t lens[] = {512, 37, 1, 200, 16, 999, 64, 3};
	uint32_t off = 0, one = 0, two = 0;
	for (uint32_t j = 0; off < n; ++j) {
		uint32_t len = lens[j % 8];
		len = len < n - off ? len : n - off;
		/* Mostly one signal, told as a twin (a's second input is then not
		 * read: NULL), with spells of two different signals. */
		const int differ = (j / 10) % 3 == 2;
		if (j % 17 == 16) {
			lp.i_peak = lp.i_peak > 0.03 ? 0.025 : 0.040;
			lp.i_rms = lp.i_rms > 0.015 ? 0.012 : 0.020;
			tg_limiter_set(&a, &lp);
			tg_limiter_set(&b, &lp);
		}
		const float *ia[2] = {l + off, differ ? r + off : NULL};
		const float *ib[2] = {l + off, differ ? r + off : l2 + off};
		float *pa[2] = {oa[0] + off, oa[1] + off}, *pb[2] = {ob[0] + off, ob[1] + off};
		tg_limiter_process(&a, ia, pa, len, !differ, NULL);
		tg_limiter_process(&b, ib, pb, len, 0, NULL);
		one += a.n_run == 1;
		two += a.n_run == 2;
		off += len;
	}
	ASSERT(one > 10 && two > 10); /* both ways were taken */
	ASSERT_EQ(0, memcmp(oa[0], ob[0], n * sizeof(float)));
	ASSERT_EQ(0, memcmp(oa[1], ob[1], n * sizeof(float)));
	ASSERT_EQ(a.clamp_peak, b.clamp_peak);
	ASSERT_EQ(a.clamp_rms, b.clamp_rms);
	tg_limiter_free(&a);
	tg_limiter_free(&b);
	free(l), free(r), free(l2);
	free(oa[0]), free(oa[1]), free(ob[0]), free(ob[1]);
	PASS();
}

/* The limiter on its own, handed what the chain never passes it: a NaN
 * in either channel, one channel or two. The final clamp must catch what
 * the gain computer cannot (NaN times a gain is NaN): every output sample
 * finite and under the ceiling, and the clamp counted. */
TEST limiter_final_clamp_catches_nan(void)
{
	const double rate = 48000.0;
	enum { N = 4800 };
	for (uint32_t n_ch = 1; n_ch <= 2; ++n_ch) {
		for (uint32_t bad_ch = 0; bad_ch < n_ch; ++bad_ch) {
			TgLimiter lim;
			ASSERT_EQ(0, tg_limiter_init(&lim, rate, n_ch));
			TgLimiterParams lp = {.vfs = 1.0, .z_ohm = 32.0, .i_peak = 0.00625, .i_rms = 10.0,
			                      .v_peak = 100.0, .tau_s = 3.0, .release_s = 0.1,
			                      .rise_db_s = 10.0};
			tg_limiter_reset(&lim, &lp);
			static float in[2][N], out[2][N];
			tg_sig_sine(in[0], N, rate, 1000.0, 0.5, 0.0);
			tg_sig_sine(in[1], N, rate, 700.0, 0.5, 0.0);
			in[bad_ch][N / 2] = NAN;
			const float *ip[2] = {in[0], in[1]};
			float *op[2] = {out[0], out[1]};
			tg_limiter_process(&lim, ip, op, N, 0, NULL);
			const float cf = 0.2f;
			for (uint32_t ch = 0; ch < n_ch; ++ch) {
				for (uint32_t i = 0; i < N; ++i) {
					ASSERT(fabsf(out[ch][i]) <= cf);
				}
			}
			ASSERT(lim.clamp_peak >= 1u);
			tg_limiter_free(&lim);
		}
	}
	PASS();
}

/* Setting the limits again as they are changes nothing: the heat of the
 * frames still waiting is unwound and counted again, not counted twice. */
TEST limiter_same_limits_change_nothing(void)
{
	const double rate = 48000.0;
	enum { N = 9600, BLK = 100 };
	TgLimiter a, b;
	TgLimiterParams lp = {.vfs = 1.0, .z_ohm = 32.0, .i_peak = 0.04, .i_rms = 0.01,
	                      .v_peak = 100.0, .tau_s = 0.05, .release_s = 0.1, .rise_db_s = 10.0};
	ASSERT_EQ(0, limiter_pair(&a, &b, rate, 1, &lp));
	static float in[N], oa[N], ob[N];
	tg_sig_sine(in, N, rate, 1000.0, 0.9, 0.0);
	double worst = 0.0;
	for (uint32_t off = 0; off < N; off += BLK) {
		if (off % 700 == 0) {
			tg_limiter_set(&b, &lp);
		}
		const float *ip[1] = {in + off};
		float *pa[1] = {oa + off}, *pb[1] = {ob + off};
		tg_limiter_process(&a, ip, pa, BLK, 0, NULL);
		tg_limiter_process(&b, ip, pb, BLK, 0, NULL);
		const double d = fabs(a.ms - b.ms) / a.ms;
		worst = d > worst ? d : worst;
	}
	for (uint32_t i = 0; i < N; ++i) {
		TG_ASSERT_NEAR((double)oa[i], (double)ob[i], 1e-6);
	}
	printf("limits set again unchanged: heat estimate within %.2g (relative)\n", worst);
	ASSERT(worst < 1e-9);
	tg_limiter_free(&a);
	tg_limiter_free(&b);
	PASS();
}

/* At 8, 24 and 48 kHz: sub-blocks of 4, 8 and 16 frames. */
TEST limiter_one_buffer_matches_two(void)
{
	static const double rates[] = {8000.0, 24000.0, 48000.0};
	for (size_t r = 0; r < sizeof(rates) / sizeof(rates[0]); ++r) {
		CHECK_CALL(one_buffer_matches_two(rates[r]));
	}
	PASS();
}

/* The thermal stage with nothing else in the way, by the formula. */
TEST limiter_rms_formula_sustained(void)
{
	const double rate = 48000.0;
	Buffers b = buffers_new(1, 1, (uint64_t)(20.0 * rate));
	tg_sig_sine(b.in[0], (uint32_t)b.n, rate, 1000.0, 0.9, 0.0);
	TgParams p;
	params_peak_only(&p);
	p.i_rms_ma = 5.0f; /* the sine is 20 mA RMS at the default 32 ohm, 1 V */
	p.tau_s = 1.0f;
	const TgStats st = render(&b, rate, &p, 256);
	TgCurrentStats cs;
	tg_current_stats((const float *const *)b.out, 1, b.n, amps_of(&p), p.tau_s, rate, &cs);
	printf("sustained sine 12 dB over the RMS limit: highest RMS %.4f mA (limit 5), "
	       "RMS guard %llu frames\n",
	       cs.rms_a * 1e3, (unsigned long long)st.clamp_rms);
	ASSERT((cs.rms_a) <= (1.02 * 5e-3));
	/* It settles under the limit, not far below it. */
	ASSERT((cs.rms_a) > (0.85 * 5e-3));
	ASSERT_EQ(0, (int)st.clamp_rms);
	buffers_free(&b);
	PASS();
}

/* THD+N of a sine 6 dB over the peak ceiling, after settling; thermal
 * selects the default RMS limit (which then acts too) and its tau. */
static double limited_sine_thdn_p(double freq, float release_ms, int thermal, float tau_s)
{
	const double rate = 48000.0;
	Buffers b = buffers_new(1, 1, (uint64_t)(8.0 * rate));
	TgParams p;
	params_peak_only(&p);
	p.release_ms = release_ms;
	if (thermal) {
		p.i_rms_ma = tg_port_info[TG_P_I_RMS_MA].def;
		p.tau_s = tau_s;
	}
	const double ceiling = p.i_peak_ma * 1e-3 / amps_of(&p);
	tg_sig_sine(b.in[0], (uint32_t)b.n, rate, freq, 2.0 * ceiling, 0.0); /* +6 dB */
	render(&b, rate, &p, 512);
	/* After settling: the last 2 s. */
	const uint64_t len = (uint64_t)(2.0 * rate);
	const double thdn = tg_thdn(b.out[0] + b.n - len, len, rate, freq);
	double peak = 0.0;
	for (uint64_t i = b.n - len; i < b.n; ++i) {
		peak = fabs((double)b.out[0][i]) > peak ? fabs((double)b.out[0][i]) : peak;
	}
	buffers_free(&b);
	/* Limiting, not just attenuating: the peak sits at the ceiling less
	 * the true-peak margin (or under it, where the thermal stage holds it
	 * lower). */
	return peak > (thermal ? 0.1 : 0.89) * ceiling ? thdn : 1.0;
}

static double limited_sine_thdn(double freq, float release_ms)
{
	return limited_sine_thdn_p(freq, release_ms, 0, 3.0f);
}

TEST limiter_thdn_100hz(void)
{
	const double thdn = limited_sine_thdn(100.0, 100.0f);
	printf("100 Hz sine 6 dB over the ceiling, release 100 ms: THD+N %.3g %%\n", thdn * 100.0);
	ASSERT(thdn <= 0.0002);
	PASS();
}

TEST limiter_thdn_50hz(void)
{
	const double thdn = limited_sine_thdn(50.0, 100.0f);
	printf("50 Hz sine 6 dB over the ceiling, HPF off: THD+N %.3g %%\n", thdn * 100.0);
	ASSERT(thdn <= 0.0005);
	PASS();
}

/* With the default RMS limit the thermal stage acts as well: its gain goes
 * through the same hold, so the heat estimate's ripple does not modulate. */
TEST limiter_thdn_thermal(void)
{
	static const struct {
		double freq;
		float tau;
		double max;
	} cases[] = {{100.0, 3.0f, 0.0002}, {50.0, 3.0f, 0.0005}, {20.0, 3.0f, 0.0005},
	             {1000.0, 0.05f, 0.0002},
	             /* Known limit: with a 50 ms time constant the thermal gain
	              * still pumps on bass (about 2 %); measured, not asserted. */
	             {100.0, 0.05f, 1.0}};
	for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); ++k) {
		const double thdn = limited_sine_thdn_p(cases[k].freq, 100.0f, 1, cases[k].tau);
		printf("%.0f Hz sine, default limits (thermal acting), tau %.2f s: THD+N %.3g %%\n",
		       cases[k].freq, (double)cases[k].tau, thdn * 100.0);
		ASSERT(thdn <= cases[k].max);
	}
	PASS();
}

/* Output side: a lowered peak limit binds from the next sample on. */
TEST limiter_ceiling_decrease_output(void)
{
	const double rate = 48000.0;
	TgParams p;
	params_peak_only(&p);
	Rig *const rig = rig_new(rate, &p, 4800);
	tg_sig_pink(rig->in, 4800, 1.0, 41);
	rig_run(rig, &p, 10, NULL);
	p.i_peak_ma = 1.0f;
	const float ceiling = 1e-3f * p.z_ohm / p.vfs;
	for (int k = 0; k < 10; ++k) {
		rig_run(rig, &p, 1, NULL);
		for (int i = 0; i < 4800; ++i) {
			ASSERT(fabsf(rig->out[i]) <= ceiling);
		}
	}
	rig_free(rig);
	PASS();
}

/* A lowered RMS limit cannot undo heat already there: the output stays
 * silent until the estimate has cooled under the new limit, and the
 * estimate only falls meanwhile. */
TEST limiter_rms_decrease_mutes_until_cool(void)
{
	const double rate = 48000.0;
	TgParams p;
	params_peak_only(&p);
	p.i_rms_ma = 10.0f;
	p.tau_s = 0.5f;
	Rig *const rig = rig_new(rate, &p, 480);
	tg_sig_sine(rig->in, 480, rate, 1000.0, 0.9, 0.0);
	TgMeters m;
	rig_run(rig, &p, 300, &m);
	ASSERT(m.rms_ma > 8.0f);
	p.i_rms_ma = 1.0f;
	float prev = m.rms_ma;
	int k = 0;
	for (; k < 1000 && m.rms_ma > 1.0f; ++k) {
		rig_run(rig, &p, 1, &m);
		ASSERT(m.rms_ma <= prev);
		prev = m.rms_ma;
		ASSERT(tg_rms(rig->out, 480) < 1e-6 || m.rms_ma <= 1.02f);
	}
	/* Cooling from about 9 mA to 1 mA at tau 0.5 s takes ln(81)/2 x 0.5 s. */
	printf("RMS limit lowered 10 -> 1 mA: silent for %.2f s while cooling\n", k * 0.01);
	ASSERT(k > 0 && k < 1000);
	rig_free(rig);
	PASS();
}

/* Lowering vfs raises the allowed sample level, by the peak and by the RMS
 * limit: both rise no faster than rise_db_s. */
TEST limiter_vfs_drop_glides(void)
{
	const double rate = 48000.0;
	TgParams p;
	tg_params_default(&p);
	p.hpf_order = 0.0f;
	p.lpf_order = 0.0f;
	p.ramp_s = 0.1f;
	Rig *const rig = rig_new(rate, &p, 480);
	tg_sig_sine(rig->in, 480, rate, 1000.0, 1.0, 0.0);
	rig_run(rig, &p, 500, NULL);
	double prev = tg_rms(rig->out, 480);
	p.vfs = 0.1f;
	double worst = 0.0;
	for (int k = 0; k < 300; ++k) {
		rig_run(rig, &p, 1, NULL);
		const double lvl = tg_rms(rig->out, 480);
		ASSERT(lvl > 0.0);
		worst = fmax(worst, 20.0 * log10(lvl / prev) / 0.01);
		prev = lvl;
	}
	printf("vfs lowered 1 -> 0.1 V: fastest level rise %.1f dB/s (rise_db_s 10)\n", worst);
	ASSERT(worst <= 10.0 * 1.5);
	rig_free(rig);
	PASS();
}

TEST limiter_ceiling_rise_glides_fall_instant(void)
{
	TgLimiter lim;
	ASSERT_EQ(0, tg_limiter_init(&lim, 48000.0, 1));
	TgLimiterParams lp = {.vfs = 1.0, .z_ohm = 32.0, .i_peak = 0.010, .i_rms = 1.0,
	                      .v_peak = 100.0, .tau_s = 3.0, .release_s = 0.1, .rise_db_s = 10.0};
	tg_limiter_reset(&lim, &lp);
	const double c_low = 0.010 * 32.0;
	TG_ASSERT_NEAR(c_low, tg_limiter_ceiling(&lim), 1e-9);
	lp.i_peak = 0.020; /* +6.02 dB: takes 0.602 s at 10 dB/s */
	tg_limiter_set(&lim, &lp);
	float x[480], y[480];
	const float *ins[1] = {x};
	float *outs[1] = {y};
	memset(x, 0, sizeof(x));
	for (int k = 0; k < 30; ++k) { /* 0.3 s */
		tg_limiter_process(&lim, ins, outs, 480, 0, NULL);
	}
	TG_ASSERT_NEAR(3.0, 20.0 * log10(tg_limiter_ceiling(&lim) / c_low), 0.05);
	lp.i_peak = 0.005;
	tg_limiter_set(&lim, &lp);
	tg_limiter_process(&lim, ins, outs, 1, 0, NULL);
	TG_ASSERT_NEAR(0.005 * 32.0, tg_limiter_ceiling(&lim), 1e-9);
	tg_limiter_free(&lim);
	PASS();
}

/* Where the limiter takes a pass's detector readings first (read_ahead,
 * from 44.1 kHz on) it gives what taking them sub-block by sub-block gives,
 * bit for bit: no sub-block changes what a later one's detector reads,
 * even where the true-peak guard scales frames (here made to act often:
 * bursts near Nyquist far over the ceiling, straight into the limiter, and
 * a gain computer aiming at the ceiling itself). At 32 kHz, where the
 * lookahead is too short for it, read_ahead is off. */
TEST limiter_read_ahead_changes_nothing(void)
{
	static const double rates[] = {44100.0, 48000.0, 96000.0, 192000.0};
	static const uint32_t blocks[] = {1, 37, 256, 700};
	uint64_t guard_acted = 0;
	TgLimiter off;
	ASSERT_EQ(0, tg_limiter_init(&off, 32000.0, 1));
	ASSERT_EQ(0, off.read_ahead);
	tg_limiter_free(&off);
	for (size_t r = 0; r < sizeof(rates) / sizeof(rates[0]); ++r) {
		const double rate = rates[r];
		const uint32_t n = (uint32_t)(0.5 * rate);
		for (uint32_t n_ch = 1; n_ch <= 2; ++n_ch) {
			float *x[2], *ya[2], *yb[2];
			for (uint32_t ch = 0; ch < 2; ++ch) {
				x[ch] = malloc(n * sizeof(float));
				ya[ch] = malloc(n * sizeof(float));
				yb[ch] = malloc(n * sizeof(float));
				tg_sig_burst(x[ch], n, rate, 0.01, 0.01, 0.02, 30.0, 40 + ch);
			}
			for (uint32_t i = 1; i < n; i += 2) { /* towards Nyquist */
				x[0][i] = -x[0][i];
			}
			const TgLimiterParams lp = {.vfs = 1.0, .z_ohm = 32.0, .i_peak = 0.010,
			                            .i_rms = 1.0, .v_peak = 100.0, .tau_s = 3.0,
			                            .release_s = 0.05, .rise_db_s = 10.0};
			TgLimiter a, b;
			ASSERT_EQ(0, limiter_pair(&a, &b, rate, n_ch, &lp));
			ASSERT_EQ(1, a.read_ahead);
			b.read_ahead = 0; /* the test's own: the sub-block by sub-block path */
			/* Aiming at the ceiling itself, without the detector's
			 * margin, the gain computer leaves the guard work to do. */
			a.tp_aim = b.tp_aim = 1.0;
			for (size_t k = 0; k < sizeof(blocks) / sizeof(blocks[0]); ++k) {
				for (uint32_t off0 = 0; off0 < n;) {
					const uint32_t m = n - off0 < blocks[k] ? n - off0 : blocks[k];
					const float *const in[2] = {x[0] + off0, x[1] + off0};
					float *const oa[2] = {ya[0] + off0, ya[1] + off0};
					float *const ob[2] = {yb[0] + off0, yb[1] + off0};
					tg_limiter_process(&a, in, oa, m, 0, NULL);
					tg_limiter_process(&b, in, ob, m, 0, NULL);
					off0 += m;
				}
				for (uint32_t ch = 0; ch < n_ch; ++ch) {
					ASSERT_EQ(0, memcmp(ya[ch], yb[ch], n * sizeof(float)));
				}
			}
			uint64_t pa, ra, ta, pb, rb, tb;
			tg_limiter_counts(&a, &pa, &ra, &ta);
			tg_limiter_counts(&b, &pb, &rb, &tb);
			ASSERT_EQ(pb, pa);
			ASSERT_EQ(rb, ra);
			ASSERT_EQ(tb, ta);
			guard_acted += ta;
			tg_limiter_free(&a);
			tg_limiter_free(&b);
			for (uint32_t ch = 0; ch < 2; ++ch) {
				free(x[ch]);
				free(ya[ch]);
				free(yb[ch]);
			}
		}
	}
	printf("read-ahead against sub-block by sub-block: the same output; the guard acted on %llu "
	       "intervals\n",
	       (unsigned long long)guard_acted);
	ASSERT(guard_acted > 0);
	PASS();
}

/* The per-frame RMS guard: a full-scale burst after silence, with a thermal
 * time constant of 50 ms and an RMS limit far under the burst's current
 * (31 mA against 1 to 3 mA), heats the estimate by several times the bound
 * within one sub-block, before the thermal gain can act. Frame by frame,
 * the heat of the output (the README's formula, computed here from the
 * output current of the louder channel) stays within 1.02 x the limit, at
 * sub-blocks of 4, 8 and 16 frames, with one and two channels, at several
 * block sizes; and the guard is what holds it there (without it, the heat
 * goes over the bound). */
TEST limiter_rms_guard_on_sudden_burst(void)
{
	static const double rates[] = {8000.0, 24000.0, 48000.0};
	static const double limits[] = {0.001, 0.003};
	static const uint32_t blocks[] = {1, 37, 256};
	double worst = 0.0;
	for (size_t r = 0; r < sizeof(rates) / sizeof(rates[0]); ++r) {
		const double rate = rates[r];
		const uint32_t n = (uint32_t)(0.8 * rate);
		float *x[2] = {malloc(n * sizeof(float)), malloc(n * sizeof(float))};
		float *y[2] = {malloc(n * sizeof(float)), malloc(n * sizeof(float))};
		/* 0.2 s of silence, 0.1 s of full-scale noise (right: a square),
		 * 0.3 s to cool (6 time constants), and again. */
		TgRng rng;
		tg_rng_seed(&rng, 71);
		for (uint32_t i = 0; i < n; ++i) {
			const double t = (double)i / rate;
			const int on = (t >= 0.2 && t < 0.3) || (t >= 0.6 && t < 0.7);
			x[0][i] = on ? (tg_rng_uniform(&rng) < 0.0f ? -1.0f : 1.0f) : 0.0f;
			x[1][i] = on ? ((i / 8) % 2 ? 0.99f : -0.99f) : 0.0f;
		}
		for (uint32_t n_ch = 1; n_ch <= 2; ++n_ch) {
			uint64_t guarded_all = 0;
			for (size_t l = 0; l < sizeof(limits) / sizeof(limits[0]); ++l) {
				for (size_t bl = 0; bl < sizeof(blocks) / sizeof(blocks[0]); ++bl) {
					TgLimiter lim;
					ASSERT_EQ(0, tg_limiter_init(&lim, rate, n_ch));
					const TgLimiterParams lp = {.vfs = 1.0, .z_ohm = 32.0, .i_peak = 1.0,
					                            .i_rms = limits[l], .v_peak = 100.0,
					                            .tau_s = 0.05, .release_s = 0.1,
					                            .rise_db_s = 10.0};
					tg_limiter_reset(&lim, &lp);
					for (uint32_t off = 0; off < n; off += blocks[bl]) {
						const uint32_t m = blocks[bl] < n - off ? blocks[bl] : n - off;
						const float *in[2] = {x[0] + off, x[1] + off};
						float *out[2] = {y[0] + off, y[1] + off};
						tg_limiter_process(&lim, in, out, m, 0, NULL);
					}
					const double amps = lp.vfs / lp.z_ohm;
					const double alpha = 1.0 - exp(-1.0 / (lp.tau_s * rate));
					const double bound = TG_RMS_BOUND * lp.i_rms;
					double ms = 0.0, high = 0.0;
					int over = 0;
					for (uint32_t i = 0; i < n; ++i) {
						float a = fabsf(y[0][i]);
						a = n_ch > 1 && fabsf(y[1][i]) > a ? fabsf(y[1][i]) : a;
						const double cur = (double)a * amps;
						ms += alpha * (cur * cur - ms);
						high = fmax(high, sqrt(ms));
						over |= !(sqrt(ms) <= bound);
					}
					const uint64_t guarded = lim.clamp_rms;
					tg_limiter_free(&lim);
					worst = fmax(worst, high / lp.i_rms);
					if (over) {
						fprintf(stderr,
						        "%.0f Hz, %u channel(s), limit %.0f mA, block %u: heat %.4f x "
						        "the limit\n",
						        rate, n_ch, lp.i_rms * 1e3, blocks[bl], high / lp.i_rms);
					}
					ASSERTm("heat over 1.02 x the RMS limit", !over);
					guarded_all += guarded;
				}
			}
			/* At 1 mA every burst needs it; at 3 mA, depending on where
			 * the burst starts in a sub-block, the thermal gain may come
			 * in time. */
			ASSERTm("the per-frame RMS guard acted", guarded_all > 0);
		}
		free(x[0]), free(x[1]), free(y[0]), free(y[1]);
	}
	printf("full-scale bursts after silence, tau 50 ms, limit 1 and 3 mA: heat at most %.6f x "
	       "the limit\n",
	       worst);
	PASS();
}

/* ---- chain ---- */

TEST chain_transparent_under_limits(void)
{
	const double rate = 48000.0;
	Buffers b = buffers_new(2, 2, (uint64_t)rate);
	tg_sig_sine(b.in[0], (uint32_t)b.n, rate, 1000.0, 0.1, 0.0);
	tg_sig_sine(b.in[1], (uint32_t)b.n, rate, 3100.0, 0.1, 0.5);
	TgParams p;
	params_peak_only(&p);
	p.mono = 0.0f;
	p.volume_db = -6.0f;
	p.ramp_s = 0.1f;
	p.i_peak_ma = 10000.0f;
	render(&b, rate, &p, 512);
	TgChain *probe = tg_chain_new(rate, 2, 2);
	const uint32_t lat = tg_chain_latency(probe);
	tg_chain_free(probe);
	/* Expected: the delayed input times the volume, through the filters
	 * that are always on: the DC blocker and the guard band. */
	TgFilter dc;
	tg_filter_init(&dc, rate, 2);
	tg_filter_set(&dc, 80.0, 0, TG_BAND_LIMIT * rate, TG_BAND_ORDER, 1);
	float *ref[2] = {malloc((size_t)b.n * sizeof(float)), malloc((size_t)b.n * sizeof(float))};
	const float vol = powf(10.0f, -6.0f / 20.0f);
	for (uint32_t ch = 0; ch < 2; ++ch) {
		for (uint64_t i = 0; i < b.n; ++i) {
			ref[ch][i] = b.in[ch][i] * vol;
		}
	}
	tg_filter_process(&dc, ref, 0, (uint32_t)b.n);
	double worst = 0.0;
	for (uint32_t ch = 0; ch < 2; ++ch) {
		for (uint64_t i = (uint64_t)(0.2 * rate); i < b.n; ++i) {
			const double e = fabs((double)b.out[ch][i] - ref[ch][i - lat]);
			worst = e > worst ? e : worst;
		}
	}
	free(ref[0]);
	free(ref[1]);
	buffers_free(&b);
	printf("transparency: worst |out - delayed input x volume| = %.3g\n", worst);
	ASSERT(worst < 1e-6);
	PASS();
}

TEST chain_nonfinite_restarts_ramp(void)
{
	const double rate = 48000.0;
	TgParams p;
	tg_params_default(&p);
	p.ramp_s = 0.5f;
	TgChain *chain = tg_chain_new(rate, 2, 2);
	tg_chain_activate(chain, &p);
	const uint32_t blk = 4800;
	float l[4800], r[4800], ol[4800], or_[4800];
	const float *in[2] = {l, r};
	float *out[2] = {ol, or_};
	TgMeters m;
	for (int k = 0; k < 10; ++k) {
		tg_sig_sine(l, blk, rate, 1000.0, 0.3, 0.0);
		tg_sig_sine(r, blk, rate, 1000.0, 0.3, 0.0);
		tg_chain_process(chain, in, out, blk, &p, &m);
	}
	ASSERT_EQ_FMT(1.0f, m.ramp, "%g");
	const double before = tg_rms(ol + blk / 2, blk / 2);
	l[100] = NAN;
	r[200] = INFINITY;
	l[300] = -INFINITY;
	tg_chain_process(chain, in, out, blk, &p, &m);
	for (uint32_t i = 0; i < blk; ++i) {
		ASSERT(isfinite(ol[i]) && isfinite(or_[i]));
	}
	/* Restarted at the last fault (frame 300): 0.1 s later the raised
	 * cosine of 0.5 s has reached 0.5 - 0.5 cos(pi/5) = 0.095. */
	ASSERT((m.ramp) < (0.2f));
	const uint32_t lat = tg_chain_latency(chain);
	ASSERT((fabsf(ol[300 + lat])) < (1e-6f));
	ASSERT((tg_rms(ol + blk - 480, 480)) < (0.15 * before));
	TgStats st;
	tg_chain_stats(chain, &st);
	ASSERT_EQ(3, (int)st.nonfinite_in);
	tg_chain_free(chain);
	PASS();
}

static void make_program(Buffers *b)
{
	/* Pink noise with bursts over it and a NaN: every stage works. */
	tg_sig_pink(b->in[0], (uint32_t)b->n, 0.5, 5);
	tg_sig_pink(b->in[1], (uint32_t)b->n, 0.5, 6);
	for (uint64_t i = 0; i < b->n; ++i) {
		if ((i / 9000) % 4 == 1) {
			b->in[0][i] *= 6.0f;
		}
	}
	b->in[1][b->n / 3] = NAN;
}

TEST chain_block_size_invariance(void)
{
	const double rate = 48000.0;
	static const uint32_t sizes[] = {37, 512, 4096, 0};
	for (int k = 0; k < 4; ++k) {
		TgParams p;
		stress_params(&p, k);
		p.ramp_s = 0.2f;
		Buffers ref = buffers_new(2, 2, (uint64_t)(1.5 * rate));
		make_program(&ref);
		render(&ref, rate, &p, 1);
		for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); ++s) {
			Buffers b = buffers_new(2, 2, ref.n);
			make_program(&b);
			render(&b, rate, &p, sizes[s]);
			double worst = 0.0;
			for (uint32_t ch = 0; ch < 2; ++ch) {
				for (uint64_t i = 0; i < b.n; ++i) {
					const double e = fabs((double)b.out[ch][i] - ref.out[ch][i]);
					worst = e > worst ? e : worst;
				}
			}
			buffers_free(&b);
			ASSERT(worst <= 1e-6);
		}
		buffers_free(&ref);
	}
	PASS();
}

TEST chain_block_size_zero(void)
{
	TgParams p;
	tg_params_default(&p);
	TgChain *chain = tg_chain_new(48000.0, 2, 2);
	ASSERT(chain != NULL);
	TgMeters m;
	tg_chain_process(chain, (const float *const[]){NULL, NULL}, (float *const[]){NULL, NULL}, 0,
	                 &p, &m);
	ASSERT_EQ_FMT((float)tg_chain_latency(chain), m.latency, "%g");
	tg_chain_free(chain);
	PASS();
}

TEST chain_dc_removed(void)
{
	const double rate = 48000.0;
	for (int hpf = 0; hpf <= 4; hpf += 4) {
		Buffers b = buffers_new(1, 1, (uint64_t)(2.0 * rate));
		for (uint64_t i = 0; i < b.n; ++i) {
			b.in[0][i] = 0.5f;
		}
		TgParams p;
		tg_params_default(&p);
		p.hpf_order = (float)hpf;
		p.ramp_s = 0.1f;
		p.i_rms_ma = 10000.0f;
		p.i_peak_ma = 10000.0f;
		render(&b, rate, &p, 512);
		double mean = 0.0;
		for (uint64_t i = (uint64_t)rate; i < b.n; ++i) {
			mean += b.out[0][i];
		}
		mean /= (double)(b.n - (uint64_t)rate);
		printf("DC 0.5 with HPF order %d: |mean| after 1 s = %.3g\n", hpf, fabs(mean));
		ASSERT((fabs(mean)) < (1e-4));
		buffers_free(&b);
	}
	PASS();
}

TEST mono_laws(void)
{
	static const struct {
		TgMonoMode mode;
		TgRoute route;
		float l, r; /* expected gains for out_l from (in_l, in_r) = (1, 0) and (0, 1) */
		float out_r_from_l, out_r_from_r;
	} cases[] = {
		{TG_MONO_STEREO, TG_ROUTE_BOTH, 1.0f, 0.0f, 0.0f, 1.0f},
		{TG_MONO_SUM_6DB, TG_ROUTE_BOTH, 0.5f, 0.5f, 0.5f, 0.5f},
		{TG_MONO_SUM_3DB, TG_ROUTE_BOTH, 0.70710678f, 0.70710678f, 0.70710678f, 0.70710678f},
		{TG_MONO_LEFT, TG_ROUTE_BOTH, 1.0f, 0.0f, 1.0f, 0.0f},
		{TG_MONO_RIGHT, TG_ROUTE_BOTH, 0.0f, 1.0f, 0.0f, 1.0f},
		{TG_MONO_SUM_6DB, TG_ROUTE_LEFT, 0.5f, 0.5f, 0.0f, 0.0f},
		{TG_MONO_SUM_6DB, TG_ROUTE_RIGHT, 0.0f, 0.0f, 0.5f, 0.5f},
		{TG_MONO_STEREO, TG_ROUTE_LEFT, 1.0f, 0.0f, 0.0f, 0.0f},
	};
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); ++c) {
		TgMono mono;
		tg_mono_init(&mono, 48000.0);
		tg_mono_set(&mono, cases[c].mode, cases[c].route, 1);
		const float l[2] = {1.0f, 0.0f}, r[2] = {0.0f, 1.0f};
		float ol[2], orr[2];
		tg_mono_process(&mono, l, r, ol, orr, 2);
		TG_ASSERT_NEAR(cases[c].l, ol[0], 1e-6);
		TG_ASSERT_NEAR(cases[c].r, ol[1], 1e-6);
		TG_ASSERT_NEAR(cases[c].out_r_from_l, orr[0], 1e-6);
		TG_ASSERT_NEAR(cases[c].out_r_from_r, orr[1], 1e-6);
	}
	PASS();
}

/* The sum variant: a centred source keeps its level at -6 dB law; a mode
 * of 0 (stereo) is not available and reads as 1. */
TEST chain_sum_variant(void)
{
	const double rate = 48000.0;
	Buffers b = buffers_new(2, 1, (uint64_t)rate);
	tg_sig_sine(b.in[0], (uint32_t)b.n, rate, 1000.0, 0.1, 0.0);
	memcpy(b.in[1], b.in[0], (size_t)b.n * sizeof(float));
	TgParams p;
	params_peak_only(&p);
	p.mono = 0.0f;
	render(&b, rate, &p, 512);
	const uint64_t tail = (uint64_t)(0.5 * rate);
	TG_ASSERT_NEAR(0.1 / sqrt(2.0), tg_rms(b.out[0] + b.n - tail, tail), 1e-4);
	buffers_free(&b);
	PASS();
}

TEST chain_bypass_keeps_protection(void)
{
	const double rate = 48000.0;
	Buffers b = buffers_new(2, 2, (uint64_t)(3.0 * rate));
	tg_sig_pink(b.in[0], (uint32_t)b.n, 3.0, 31);
	tg_sig_pink(b.in[1], (uint32_t)b.n, 3.0, 32);
	TgParams p;
	tg_params_default(&p);
	p.enable = 0.0f;
	p.ramp_s = 0.1f;
	render(&b, rate, &p, 512);
	TgCurrentStats cs;
	tg_current_stats((const float *const *)b.out, 2, b.n, amps_of(&p), p.tau_s, rate, &cs);
	ASSERT((cs.peak_a) <= (p.i_peak_ma * 1e-3));
	ASSERT((cs.rms_a) <= (1.02 * p.i_rms_ma * 1e-3));
	buffers_free(&b);

	/* Bypassed and under the limits: the dry input, delayed. */
	Buffers d = buffers_new(2, 2, (uint64_t)rate);
	tg_sig_sine(d.in[0], (uint32_t)d.n, rate, 50.0, 0.05, 0.0);
	tg_sig_sine(d.in[1], (uint32_t)d.n, rate, 70.0, 0.05, 0.0);
	params_peak_only(&p);
	p.enable = 0.0f;
	p.hpf_order = 4.0f;
	p.volume_db = 12.0f;
	p.mono = 1.0f;
	render(&d, rate, &p, 512);
	TgChain *probe = tg_chain_new(rate, 2, 2);
	const uint32_t lat = tg_chain_latency(probe);
	tg_chain_free(probe);
	double worst = 0.0;
	for (uint64_t i = (uint64_t)(0.5 * rate); i < d.n; ++i) {
		worst = fmax(worst, fabs((double)d.out[1][i] - d.in[1][i - lat]));
	}
	/* Only the 2 Hz DC blocker differs from the dry input: at 70 Hz that
	 * is a phase shift of 0.03 rad. */
	ASSERT(worst < 0.05 * 0.035);
	buffers_free(&d);
	PASS();
}

/* While a twin runs enabled, its single input pass keeps the bypass path's
 * DC blockers up to date in closed form: switched to bypass after a second
 * of DC under a signal, the output follows the crossfade from the
 * processed signal to the dry input through a plain DC blocker run from
 * the start, from the first frame of the fade on (a blocker starting from
 * rest would let 0.25 of DC through, decaying over 80 ms). */
TEST chain_bypass_dry_dc_tracked_by_twin(void)
{
	const double rate = 48000.0;
	const uint32_t blk = 480, sw = 48000, n = sw + 9600;
	Buffers a = buffers_new(2, 2, n), b = buffers_new(2, 2, n);
	tg_sig_sine(a.in[0], n, rate, 300.0, 0.1, 0.0);
	tg_sig_sine(a.in[1], n, rate, 1100.0, 0.1, 0.3);
	for (uint32_t i = 0; i < n; ++i) {
		a.in[0][i] += 0.25f;
		a.in[1][i] -= 0.15f;
	}
	memcpy(b.in[0], a.in[0], n * sizeof(float));
	memcpy(b.in[1], a.in[1], n * sizeof(float));
	TgParams p; /* the defaults (a twin: both outputs the -6 dB sum), limits out of the way */
	tg_params_default(&p);
	p.ramp_s = 0.1f;
	p.i_peak_ma = 10000.0f;
	p.i_rms_ma = 10000.0f;
	TgParams q = p;
	TgChain *const ca = tg_chain_new(rate, 2, 2), *const cb = tg_chain_new(rate, 2, 2);
	tg_chain_activate(ca, &p);
	tg_chain_activate(cb, &p);
	for (uint32_t off = 0; off < n; off += blk) {
		q.enable = off < sw ? 1.0f : 0.0f;
		const float *ia[2] = {a.in[0] + off, a.in[1] + off}, *ib[2] = {b.in[0] + off, b.in[1] + off};
		float *oa[2] = {a.out[0] + off, a.out[1] + off}, *ob[2] = {b.out[0] + off, b.out[1] + off};
		tg_chain_process(ca, ia, oa, blk, &p, NULL);
		tg_chain_process(cb, ib, ob, blk, &q, NULL);
	}
	const uint32_t lat = tg_chain_latency(ca);
	tg_chain_free(ca);
	tg_chain_free(cb);
	/* The dry signal: each input through its own DC blocker from the start. */
	float *dry[2] = {malloc(n * sizeof(float)), malloc(n * sizeof(float))};
	TgDcBlock dc;
	tg_dc_init(&dc, rate);
	/* Then the guard band, from rest where the crossfade starts. */
	TgBiquadCoefs band[2];
	for (int k = 0; k < 2; ++k) {
		tg_biquad_design(&band[k], TG_LOWPASS, TG_BAND_LIMIT * rate, tg_band_q(k), rate);
	}
	for (uint32_t ch = 0; ch < 2; ++ch) {
		memcpy(dry[ch], a.in[ch], n * sizeof(float));
		tg_dc_process(&dc, dry[ch], ch, n);
		for (int k = 0; k < 2; ++k) {
			TgBiquadState st = {0.0, 0.0, 0.0, 0.0};
			tg_biquad_process(&band[k], &st, dry[ch] + sw, n - sw);
		}
	}
	/* The chain's crossfade, frame by frame from the switch: the enabled
	 * chain's output (the processed signal, limiter transparent) to dry. */
	const float step = (float)(1.0 / (0.020 * rate));
	float xf = 1.0f;
	double worst = 0.0, worst_fade = 0.0;
	for (uint32_t i = sw; i + lat < n; ++i) {
		xf = xf - step > 0.0f ? xf - step : 0.0f;
		for (uint32_t ch = 0; ch < 2; ++ch) {
			const double e = (double)xf * a.out[ch][i + lat] + (1.0 - (double)xf) * dry[ch][i];
			const double d = fabs((double)b.out[ch][i + lat] - e);
			worst = fmax(worst, d);
			worst_fade = xf > 0.0f ? fmax(worst_fade, d) : worst_fade;
		}
	}
	printf("bypass after a twin: worst |out - fade to DC-blocked dry| %.3g in the fade, %.3g "
	       "in all 200 ms\n",
	       worst_fade, worst);
	free(dry[0]);
	free(dry[1]);
	buffers_free(&a);
	buffers_free(&b);
	ASSERT_LT(worst, 1e-5);
	PASS();
}

/* Toggling bypass crossfades: no step larger than the signal's own. */
TEST chain_bypass_is_click_free(void)
{
	const double rate = 48000.0;
	TgParams p;
	params_peak_only(&p);
	p.hpf_order = 4.0f;
	p.hpf_hz = 2000.0f;
	TgChain *chain = tg_chain_new(rate, 2, 2);
	tg_chain_activate(chain, &p);
	const uint32_t blk = 480;
	float l[480], ol[480], orr[480];
	const float *in[2] = {l, l};
	float *out[2] = {ol, orr};
	float prev = 0.0f, max_step = 0.0f;
	for (int k = 0; k < 200; ++k) {
		tg_sig_sine(l, blk, rate, 100.0, 0.3, 0.0);
		if (k >= 50) {
			p.enable = (k / 25) % 2 ? 0.0f : 1.0f;
		}
		tg_chain_process(chain, in, out, blk, &p, NULL);
		for (uint32_t i = 0; i < blk; ++i) {
			if (k >= 50) {
				max_step = fmaxf(max_step, fabsf(ol[i] - prev));
			}
			prev = ol[i];
		}
	}
	tg_chain_free(chain);
	/* A 100 Hz sine of 0.3 moves at most 0.004 per frame. */
	ASSERT(max_step < 0.01f);
	PASS();
}

/* At activation the output starts from silence and follows the ramp. */
TEST chain_soft_start_at_activate(void)
{
	const double rate = 48000.0;
	Buffers b = buffers_new(2, 2, (uint64_t)(1.5 * rate));
	tg_sig_sine(b.in[0], (uint32_t)b.n, rate, 1000.0, 0.1, 0.0);
	tg_sig_sine(b.in[1], (uint32_t)b.n, rate, 1000.0, 0.1, 0.0);
	TgParams p;
	params_peak_only(&p);
	p.ramp_s = 1.0f;
	render(&b, rate, &p, 512);
	TgChain *probe = tg_chain_new(rate, 2, 2);
	const uint32_t lat = tg_chain_latency(probe);
	tg_chain_free(probe);
	/* The first 10 ms after the latency: the raised cosine has reached
	 * 0.5 - 0.5 cos(pi 0.01) = 2.5e-4. */
	for (uint32_t i = 0; i < lat + 480; ++i) {
		ASSERT(fabsf(b.out[0][i]) <= 0.1f * 2.5e-4f + 1e-7f);
	}
	/* Halfway, half the level; after 1 s, all of it. */
	const uint32_t half = lat + (uint32_t)(0.5 * rate);
	TG_ASSERT_NEAR(0.05, tg_rms(b.out[0] + half - 24, 48) * sqrt(2.0), 0.002);
	TG_ASSERT_NEAR(0.1, tg_rms(b.out[0] + b.n - 4800, 4800) * sqrt(2.0), 1e-4);
	buffers_free(&b);
	PASS();
}

/* Routing through the whole chain: the other output is silent. */
TEST chain_route(void)
{
	const double rate = 48000.0;
	for (int route = 1; route <= 2; ++route) {
		Buffers b = buffers_new(2, 2, (uint64_t)rate);
		tg_sig_sine(b.in[0], (uint32_t)b.n, rate, 1000.0, 0.2, 0.0);
		tg_sig_sine(b.in[1], (uint32_t)b.n, rate, 1000.0, 0.2, 0.0);
		TgParams p;
		params_peak_only(&p);
		p.route = (float)route;
		render(&b, rate, &p, 512);
		const uint64_t tail = (uint64_t)(0.5 * rate);
		const float *const on = b.out[route - 1], *const off = b.out[2 - route];
		TG_ASSERT_NEAR(0.2 / sqrt(2.0), tg_rms(on + b.n - tail, tail), 1e-4);
		ASSERT_EQ_FMT(0.0, tg_rms(off, b.n), "%g");
		buffers_free(&b);
	}
	PASS();
}

/* The voltage limit: the sample ceiling is min(1, i_peak z / vfs, v_peak /
 * vfs). With vfs 10 V, z 8 ohm and the current limits out of the way, v_peak
 * 2 V holds a full-scale sine to 0.2 of full scale, and the ceiling meter
 * says so. A lowered v_peak binds from the next block on; a raised one
 * glides at rise_db_s. */
TEST chain_v_peak_limits(void)
{
	const double rate = 48000.0;
	TgParams p;
	params_peak_only(&p);
	p.vfs = 10.0f;
	p.z_ohm = 8.0f;
	p.i_peak_ma = 10000.0f; /* 10 A: 8 x full scale */
	p.v_peak = 2.0f;
	Rig *const rig = rig_new(rate, &p, 480); /* 10 ms blocks */
	tg_sig_sine(rig->in, 480, rate, 1000.0, 1.0, 0.0);
	TgMeters m;
	rig_run(rig, &p, 50, &m); /* 0.5 s: the 0.1 s soft start is over */
	float peak = 0.0f;
	for (int k = 0; k < 20; ++k) {
		rig_run(rig, &p, 1, &m);
		for (int i = 0; i < 480; ++i) {
			ASSERT(fabsf(rig->out[i]) <= 0.2f + 1e-6f);
			peak = fmaxf(peak, fabsf(rig->out[i]));
		}
		TG_ASSERT_NEAR(20.0 * log10(0.2), (double)m.ceiling_db, 1e-4);
	}
	/* Limited to the ceiling less the true-peak margin, not silenced. */
	ASSERT(peak > 0.2f * 0.895f);
	TG_ASSERT_NEAR(0.2 * 0.9016 * 10.0 / 8.0 * 1e3, (double)m.peak_ma, 0.01 * 250.0);

	/* Lowered to 1 V: the next block is under 0.1 of full scale. */
	p.v_peak = 1.0f;
	rig_run(rig, &p, 1, &m);
	for (int i = 0; i < 480; ++i) {
		ASSERT(fabsf(rig->out[i]) <= 0.1f + 1e-6f);
	}
	TG_ASSERT_NEAR(-20.0, (double)m.ceiling_db, 1e-4);

	/* Raised to 4 V (+12.04 dB): at 10 dB/s the ceiling has risen 3 dB
	 * after 0.3 s, never more than 0.1 dB per 10 ms block, and the output
	 * stays under the ceiling in force. */
	p.v_peak = 4.0f;
	double prev_db = m.ceiling_db;
	for (int k = 0; k < 30; ++k) {
		rig_run(rig, &p, 1, &m);
		ASSERT((double)m.ceiling_db >= prev_db - 1e-6);
		ASSERT((double)m.ceiling_db <= prev_db + 0.1 + 1e-3);
		const float ceiling = powf(10.0f, m.ceiling_db / 20.0f);
		for (int i = 0; i < 480; ++i) {
			ASSERT(fabsf(rig->out[i]) <= ceiling * (1.0f + 1e-5f));
		}
		prev_db = m.ceiling_db;
	}
	TG_ASSERT_NEAR(-20.0 + 3.0, (double)m.ceiling_db, 0.05);
	rig_run(rig, &p, 200, &m); /* 2 s more: the glide (1.2 s) and the release are over */
	TG_ASSERT_NEAR(20.0 * log10(0.4), (double)m.ceiling_db, 1e-4);
	float top = 0.0f;
	for (int i = 0; i < 480; ++i) {
		top = fmaxf(top, fabsf(rig->out[i]));
	}
	ASSERT(top <= 0.4f + 1e-6f && top > 0.4f * 0.895f); /* the true-peak margin */
	printf("v_peak 2 V at vfs 10 V: sample peak %.4f (ceiling 0.2); raised 1 -> 4 V: "
	       "+3 dB in 0.3 s\n",
	       (double)peak);
	rig_free(rig);
	PASS();
}

TEST chain_sample_rate_range(void)
{
	ASSERT_EQ(NULL, tg_chain_new(7999.0, 2, 2));
	ASSERT_EQ(NULL, tg_chain_new(384001.0, 2, 2));
	ASSERT_EQ(NULL, tg_chain_new(NAN, 2, 2));
	ASSERT_EQ(NULL, tg_chain_new(48000.0, 1, 2));
	static const double ok[] = {8000.0, 22050.0, 44100.0, 48000.0, 96000.0, 384000.0};
	for (int k = 0; k < 6; ++k) {
		TgChain *c = tg_chain_new(ok[k], 2, 2);
		ASSERT(c != NULL);
		const double lat_s = tg_chain_latency(c) / ok[k];
		printf("latency at %.0f Hz: %u frames, %.3f ms\n", ok[k], tg_chain_latency(c), lat_s * 1e3);
		/* Within 2 ms from 44.1 kHz on. Below, the true-peak detector's
		 * and guard's reach (43 frames) and the shortest lookahead (12)
		 * take longer: 55 frames. */
		ASSERT(lat_s <= (ok[k] >= 44100.0 ? 0.002 : 55.0 / ok[k] + 1e-9));
		tg_chain_free(c);
	}
	PASS();
}

TEST params_sanitized(void)
{
	TgParams p;
	tg_params_default(&p);
	p.volume_db = NAN;
	p.i_peak_ma = -5.0f;
	p.hpf_hz = 1e9f;
	p.hpf_order = 3.1f;
	p.tau_s = INFINITY;
	p.mono = 0.0f;
	p.v_peak = -1.0f;
	tg_params_sanitize(&p, 1);
	ASSERT_EQ_FMT(0.0f, p.volume_db, "%g");
	ASSERT_EQ_FMT(0.01f, p.i_peak_ma, "%g");
	ASSERT_EQ_FMT(5000.0f, p.hpf_hz, "%g");
	ASSERT_EQ_FMT(4.0f, p.hpf_order, "%g");
	ASSERT_EQ_FMT(60.0f, p.tau_s, "%g");
	ASSERT_EQ_FMT(1.0f, p.mono, "%g");
	ASSERT_EQ_FMT(0.01f, p.v_peak, "%g");
	p.v_peak = NAN;
	tg_params_sanitize(&p, 0);
	ASSERT_EQ_FMT(100.0f, p.v_peak, "%g");
	p.v_peak = 1e9f;
	tg_params_sanitize(&p, 0);
	ASSERT_EQ_FMT(100.0f, p.v_peak, "%g");
	PASS();
}

/* Hostile controls and samples: the output stays finite and limited. */
TEST chain_hostile_values(void)
{
	const double rate = 96000.0;
	TgParams p;
	tg_params_default(&p);
	TgChain *chain = tg_chain_new(rate, 2, 2);
	tg_chain_activate(chain, &p);
	float l[1024], r[1024], ol[1024], orr[1024];
	const float *in[2] = {l, r};
	float *out[2] = {ol, orr};
	TgRng rng;
	tg_rng_seed(&rng, 77);
	static const float specials[] = {NAN, INFINITY, -INFINITY, 1e38f, -1e38f, 1e-40f, 0.0f};
	for (int k = 0; k < 200; ++k) {
		for (int i = 0; i < 1024; ++i) {
			const uint32_t u = tg_rng_next(&rng);
			l[i] = u % 7 == 0 ? specials[u % 6] : tg_rng_uniform(&rng) * 4.0f;
			r[i] = u % 11 == 0 ? specials[(u >> 3) % 7] : tg_rng_uniform(&rng);
		}
		p.volume_db = k % 3 ? 24.0f : NAN;
		p.z_ohm = k % 5 ? 1.0f : 1e9f;
		p.vfs = k % 4 ? 50.0f : -1.0f;
		const uint32_t n = tg_rng_next(&rng) % 1025u;
		tg_chain_process(chain, in, out, n, &p, NULL);
		for (uint32_t i = 0; i < n; ++i) {
			ASSERT(isfinite(ol[i]) && isfinite(orr[i]));
			ASSERT(fabsf(ol[i]) <= 1.0f && fabsf(orr[i]) <= 1.0f);
		}
	}
	tg_chain_free(chain);
	PASS();
}

/* ---- faults ---- */

/* Faults (tg_is_fault): every kind a host may hand over. */
static const float FAULT_VALUES[] = {NAN, INFINITY, -INFINITY, 1e30f, -1e30f, 1e4f};
static const char *const FAULT_NAMES[] = {"NaN", "+Inf", "-Inf", "+1e30", "-1e30", "1e4"};
#define N_FAULT_VALUES 6

/* One faulty sample, a 1 ms burst of one kind, a 1 ms burst mixing all
 * kinds over the channels, and 1 ms with a fault in every channel every
 * third frame and program in between. */
enum { FP_SINGLE, FP_BURST, FP_MIX, FP_SPARSE };
#define N_FAULT_PATTERNS (2 * N_FAULT_VALUES + 2)

static void fault_pattern(int k, int *kind, int *value)
{
	*kind = k < N_FAULT_VALUES           ? FP_SINGLE
	        : k < 2 * N_FAULT_VALUES     ? FP_BURST
	        : k == 2 * N_FAULT_VALUES    ? FP_MIX
	                                     : FP_SPARSE;
	*value = k % N_FAULT_VALUES;
}

static void fault_pattern_name(int k, char *name, size_t size)
{
	int kind, v;
	fault_pattern(k, &kind, &v);
	if (kind == FP_SINGLE) {
		snprintf(name, size, "one %s", FAULT_NAMES[v]);
	} else if (kind == FP_BURST) {
		snprintf(name, size, "1 ms of %s", FAULT_NAMES[v]);
	} else {
		snprintf(name, size, kind == FP_MIX ? "1 ms mixed" : "1 ms sparse mixed");
	}
}

/* Write pattern k into the input from frame at; the last faulty frame. */
static uint32_t put_faults(float *const *x, uint32_t n_in, uint32_t at, uint32_t len, int k)
{
	int kind, v;
	fault_pattern(k, &kind, &v);
	uint32_t last = at;
	for (uint32_t j = 0; j < len; ++j) {
		if (kind == FP_SINGLE && j > 0) {
			break;
		}
		if (kind == FP_SINGLE || kind == FP_BURST) {
			x[0][at + j] = FAULT_VALUES[v];
		} else if (kind == FP_MIX) {
			x[j % n_in][at + j] = FAULT_VALUES[j % N_FAULT_VALUES];
		} else if (j % 3 == 0) {
			for (uint32_t ch = 0; ch < n_in; ++ch) {
				x[ch][at + j] = FAULT_VALUES[(j / 3 + ch) % N_FAULT_VALUES];
			}
		} else {
			continue;
		}
		last = at + j;
	}
	return last;
}

/* Program material, with the chain's controls in force at the fault. */
typedef struct {
	const char *name;
	int pink; /* else a 1 kHz sine at -6 dBFS */
	int filtered;
} FaultConfig;

static const FaultConfig FAULT_CONFIGS[] = {
	{"sine, defaults", 0, 0}, {"sine, filtered", 0, 1}, {"pink, filtered", 1, 1}};

static void fault_params(const FaultConfig *c, TgParams *p)
{
	tg_params_default(p);
	if (c->filtered) {
		/* Both filters at 24 dB/oct around the program, which rings
		 * longest, and two channels of their own in the stereo chain. */
		p->hpf_hz = 300.0f;
		p->hpf_order = 4.0f;
		p->lpf_hz = 3000.0f;
		p->lpf_order = 4.0f;
		p->mono = 0.0f;
	}
}

/* The output's peak in the 1-11 ms after the last faulty sample over its
 * peak in the 20 ms before the first, as the transducer gets them (not
 * compensated for the latency). The soft start runs with ramp_s 0.1 s for
 * the first 0.25 s, then with the configuration's (the default 3 s), so
 * that the restarted soft start does not hide what the fault left behind
 * in the window. */
static double fault_ratio(uint32_t n_in, uint32_t n_out, const FaultConfig *c, int pattern,
                          uint32_t block, uint32_t seed)
{
	const double rate = 48000.0;
	const uint32_t ms1 = 48, warm = 12000, at = 14400;
	const uint32_t n = at + ms1 + 12 * ms1;
	Buffers b = buffers_new(n_in, n_out, n);
	for (uint32_t ch = 0; ch < n_in; ++ch) {
		if (c->pink) {
			tg_sig_pink(b.in[ch], n, 0.25, 61 + ch);
		} else {
			tg_sig_sine(b.in[ch], n, rate, 1000.0, 0.5, 0.7 * ch);
		}
	}
	const uint32_t last = put_faults(b.in, n_in, at, ms1, pattern);
	TgParams p, run;
	fault_params(c, &run);
	p = run;
	p.ramp_s = 0.1f;
	TgChain *const chain = tg_chain_new(rate, n_in, n_out);
	tg_chain_activate(chain, &p);
	TgRng rng;
	tg_rng_seed(&rng, seed);
	for (uint32_t off = 0; off < n;) {
		uint32_t m = block ? block : 1u + tg_rng_next(&rng) % 4096u;
		m = m < n - off ? m : n - off;
		if (off < warm) {
			m = m < warm - off ? m : warm - off;
		} else {
			p = run;
		}
		const float *in[2] = {b.in[0] + off, b.in[1] + off};
		float *out[2] = {b.out[0] + off, b.out[1] + off};
		tg_chain_process(chain, in, out, m, &p, NULL);
		off += m;
	}
	tg_chain_free(chain);
	double before = 0.0, after = 0.0;
	int sane = 1;
	for (uint32_t ch = 0; ch < n_out; ++ch) {
		for (uint32_t i = 0; i < n; ++i) {
			sane &= isfinite(b.out[ch][i]) && fabsf(b.out[ch][i]) <= 1.0f;
		}
		for (uint32_t i = at - 20 * ms1; i < at; ++i) {
			before = fmax(before, fabs((double)b.out[ch][i]));
		}
		for (uint32_t i = last + ms1; i <= last + 11 * ms1; ++i) {
			after = fmax(after, fabs((double)b.out[ch][i]));
		}
	}
	buffers_free(&b);
	return sane && before > 0.1 ? after / before : INFINITY;
}

/* After any fault, in the 1-11 ms after the last faulty sample, the output
 * peak is at most 0.05 x its peak just before the fault: for every kind of
 * fault, alone, in bursts and mixed, at block sizes 1, 37, 512 and random,
 * in the three chains, on program material through the defaults and
 * through steep filters. */
TEST chain_fault_leaves_silence(void)
{
	static const uint32_t layouts[][2] = {{2, 2}, {1, 1}, {2, 1}};
	static const char *const layout_names[] = {"stereo", "mono", "sum"};
	static const uint32_t blocks[] = {1, 37, 512, 0};
	double worst_all = 0.0;
	for (int k = 0; k < N_FAULT_PATTERNS; ++k) {
		double worst[3] = {0.0, 0.0, 0.0};
		for (size_t l = 0; l < 3; ++l) {
			for (size_t c = 0; c < sizeof(FAULT_CONFIGS) / sizeof(FAULT_CONFIGS[0]); ++c) {
				for (size_t bl = 0; bl < sizeof(blocks) / sizeof(blocks[0]); ++bl) {
					const double r = fault_ratio(layouts[l][0], layouts[l][1], &FAULT_CONFIGS[c],
					                             k, blocks[bl], 100u + (uint32_t)k);
					if (!(r <= 0.05)) {
						char name[64];
						fault_pattern_name(k, name, sizeof(name));
						fprintf(stderr, "%s, %s chain, %s, block %u: ratio %g\n", name,
						        layout_names[l], FAULT_CONFIGS[c].name, blocks[bl], r);
					}
					worst[l] = fmax(worst[l], r);
				}
			}
		}
		char name[64];
		fault_pattern_name(k, name, sizeof(name));
		printf("fault %-20s peak 1-11 ms after / before: stereo %.3g, mono %.3g, sum %.3g\n", name,
		       worst[0], worst[1], worst[2]);
		for (int l = 0; l < 3; ++l) {
			worst_all = fmax(worst_all, worst[l]);
		}
	}
	ASSERT_LTm("output after a fault not near silence", worst_all, 0.05 + 1e-12);
	PASS();
}

/* A fault clears what the program before it left in the chain: when the
 * input is silent from the fault on, so is the output from the fault on,
 * exactly. Nothing rings out of the filters or either DC blocker, and
 * nothing is left in the lookahead, enabled and bypassed. */
TEST chain_fault_clears_state(void)
{
	const double rate = 48000.0;
	static const uint32_t layouts[][2] = {{2, 2}, {1, 1}, {2, 1}};
	static const uint32_t blocks[] = {37, 512};
	static const float kinds[] = {NAN, -1e30f};
	const uint32_t at = 14400, n = at + 4800;
	for (size_t l = 0; l < 3; ++l) {
		for (int enable = 0; enable <= 1; ++enable) {
			for (size_t bl = 0; bl < 2; ++bl) {
				for (size_t k = 0; k < 2; ++k) {
					Buffers b = buffers_new(layouts[l][0], layouts[l][1], n);
					for (uint32_t ch = 0; ch < 2; ++ch) {
						tg_sig_sine(b.in[ch], at, rate, 440.0, 0.3, 0.5 * ch);
						for (uint32_t i = 0; i < at; ++i) {
							b.in[ch][i] += 0.2f; /* DC: the blockers' state */
						}
					}
					b.in[0][at] = kinds[k];
					TgParams p;
					tg_params_default(&p);
					p.ramp_s = 0.1f;
					p.enable = (float)enable;
					render(&b, rate, &p, blocks[bl]);
					double worst = 0.0;
					for (uint32_t ch = 0; ch < layouts[l][1]; ++ch) {
						for (uint32_t i = at; i < n; ++i) {
							worst = fmax(worst, fabs((double)b.out[ch][i]));
						}
					}
					buffers_free(&b);
					if (worst != 0.0) {
						fprintf(stderr, "%u/%u, enable %d, block %u, fault %g: %g after it\n",
						        layouts[l][0], layouts[l][1], enable, blocks[bl],
						        (double)kinds[k], worst);
					}
					ASSERT_EQ_FMTm("output after a fault and silence", 0.0, worst, "%g");
				}
			}
		}
	}
	PASS();
}

/* The fast path for twins (a vector test) and the general path (scalar
 * and vector) count exactly the samples tg_is_fault calls faults, at the
 * edges too, wherever they fall in a block. */
TEST chain_fault_rule_is_tg_is_fault(void)
{
	static const float values[] = {0.0f,        -0.0f,    1000.0f,  -1000.0f, 999.99994f,
	                               1000.0001f,  -1000.0001f, 1e4f,  FLT_MAX,  -FLT_MAX,
	                               1e-40f,      -1e-40f,  NAN,      -NAN,     INFINITY,
	                               -INFINITY,   1e30f,    -1e30f};
	static const uint32_t layouts[][2] = {{2, 2}, {1, 1}, {2, 1}};
	for (size_t l = 0; l < 3; ++l) {
		for (int mono = 0; mono <= 1; ++mono) {
			for (size_t v = 0; v < sizeof(values) / sizeof(values[0]); ++v) {
				for (uint32_t pos = 0; pos < 37; pos += 12) { /* vector part and tail */
					TgParams p;
					tg_params_default(&p);
					p.ramp_s = 0.1f;
					p.mono = (float)mono;
					TgChain *const chain = tg_chain_new(48000.0, layouts[l][0], layouts[l][1]);
					tg_chain_activate(chain, &p);
					float x[2][37], y[2][37];
					const float *in[2] = {x[0], x[1]};
					float *out[2] = {y[0], y[1]};
					TgMeters m;
					for (int k = 0; k < 200; ++k) { /* past the soft start, twin settled */
						tg_sig_sine(x[0], 37, 48000.0, 997.0, 0.3, 0.1 * k);
						memcpy(x[1], x[0], sizeof(x[0]));
						tg_chain_process(chain, in, out, 37, &p, &m);
					}
					ASSERT_EQ_FMT(1.0f, m.ramp, "%g");
					x[0][pos] = values[v];
					x[layouts[l][0] - 1][36 - pos] = values[v];
					tg_chain_process(chain, in, out, 37, &p, &m);
					TgStats st;
					tg_chain_stats(chain, &st);
					/* Two samples (pos is never 36 - pos). */
					const uint64_t expect = 2u * (uint64_t)tg_is_fault(values[v]);
					ASSERT_EQm("faults counted", expect, st.nonfinite_in);
					/* A fault restarts the soft start; anything else does not. */
					ASSERT_EQm("soft start restarted", tg_is_fault(values[v]) ? 1 : 0, m.ramp < 1.0f);
					tg_chain_free(chain);
				}
			}
		}
	}
	PASS();
}

/* After a fault of any kind the soft start restarts from silence: the ramp
 * meter goes back to about 0, rises again and completes ramp_s after the
 * fault; the output follows it. */
/* Wired tip-ring, the transducer sees the difference of the outputs: the
 * right output is exactly the left negated, and every limit holds on that
 * difference, 2 y: the samples against the ceiling of 2 vfs, the true peak
 * and the heat (the same formula as the README, on 2 y vfs / z). Driven
 * 24 dB into the limits, with the input in stereo (mono 0: the wiring
 * makes it a sum), at blocks 37 and 512. A change of wiring restarts the
 * soft start from silence: exactly 0 for the delay and a frame. */
TEST chain_tip_ring_limits_across(void)
{
	const double rate = 48000.0;
	static const uint32_t blocks[] = {37, 512};
	TgTruePeak tp;
	tg_tp_init(&tp);
	for (size_t b = 0; b < 2; ++b) {
		TgParams p;
		tg_params_default(&p);
		p.ramp_s = 0.1f;
		p.volume_db = 24.0f;
		p.mono = 0.0f;
		p.wiring = 1.0f;
		p.z_ohm = 150.0f;
		p.vfs = 1.41f;
		p.i_peak_ma = 10.0f;
		p.i_rms_ma = 2.0f; /* under the peak-limited noise's: the thermal stage acts */
		p.tau_s = 0.5f;
		TgChain *const chain = tg_chain_new(rate, 2, 2);
		ASSERT(chain != NULL);
		tg_chain_activate(chain, &p);
		const uint32_t n = (uint32_t)(3.0 * rate);
		float *x[2] = {malloc(n * sizeof(float)), malloc(n * sizeof(float))};
		float *y[2] = {malloc(n * sizeof(float)), malloc(n * sizeof(float))};
		ASSERT(x[0] && x[1] && y[0] && y[1]);
		tg_sig_pink(x[0], n, 0.5, 7);
		tg_sig_sine(x[1], n, rate, 440.0, 0.7, 0.0);
		const uint32_t lat = tg_chain_latency(chain);
		const uint32_t rewire = (uint32_t)(2.0 * rate) / blocks[b] * blocks[b];
		for (uint32_t off = 0; off < n; off += blocks[b]) {
			const uint32_t m = n - off < blocks[b] ? n - off : blocks[b];
			p.wiring = off < rewire ? 1.0f : 0.0f;
			const float *in[2] = {x[0] + off, x[1] + off};
			float *out[2] = {y[0] + off, y[1] + off};
			tg_chain_process(chain, in, out, m, &p, NULL);
		}
		uint64_t not_negated = 0;
		double peak = 0.0, ms = 0.0, heat = 0.0;
		const double amps = 1.41 / 150.0, alpha = 1.0 - exp(-1.0 / (0.5 * rate));
		for (uint32_t i = 0; i < rewire; ++i) {
			not_negated += y[1][i] != -y[0][i];
			const double d = (double)y[0][i] - (double)y[1][i];
			peak = fmax(peak, fabs(d));
			ms += alpha * (d * d * amps * amps - ms);
			heat = fmax(heat, ms);
		}
		/* The true peak of the difference, from its own 4x reading. */
		float *d = malloc(rewire * sizeof(float));
		ASSERT(d != NULL);
		for (uint32_t i = 0; i < rewire; ++i) {
			d[i] = y[0][i] - y[1][i];
		}
		float tpk = 0.0f;
		for (uint32_t i = TG_TP_HALF; i + TG_TP_HALF < rewire; ++i) {
			for (unsigned k = 0; k < TG_TP_OVERSAMPLE; ++k) {
				const float v = fabsf(k ? tg_tp_point(&tp, d + i, k) : d[i]);
				tpk = v > tpk ? v : tpk;
			}
		}
		free(d);
		const double ceiling = 10e-3 * 150.0 / 1.41; /* across, in samples */
		uint64_t loud_after = 0;
		for (uint32_t i = rewire; i <= rewire + lat; ++i) {
			loud_after += y[0][i] != 0.0f || y[1][i] != 0.0f;
		}
		printf("tip-ring, block %u: peak across %.6f of the ceiling (true peak %.4f dB), heat "
		       "%.4f of the limit; after the change of wiring: %llu of %u frames not silent\n",
		       blocks[b], peak / ceiling, 20.0 * log10((double)tpk / ceiling),
		       sqrt(heat) / 2e-3, (unsigned long long)loud_after, lat + 1);
		for (int ch = 0; ch < 2; ++ch) {
			free(x[ch]);
			free(y[ch]);
		}
		tg_chain_free(chain);
		ASSERT_EQ_FMT(0ull, (unsigned long long)not_negated, "%llu");
		ASSERT(peak <= ceiling * (1.0 + 1e-6));
		ASSERT(peak > 0.5 * ceiling); /* driven into it */
		ASSERT((double)tpk <= ceiling * pow(10.0, 0.05 / 20.0));
		ASSERT(sqrt(heat) <= 1.02 * 2e-3);
		ASSERT(sqrt(heat) >= 0.9 * 2e-3);
		ASSERT_EQ_FMT(0ull, (unsigned long long)loud_after, "%llu");
	}
	/* The mono and sum chains have one output: no wiring across two. */
	TgParams p;
	tg_params_default(&p);
	p.wiring = 1.0f;
	ASSERT(!tg_bridged(p.wiring, 1));
	ASSERT(tg_bridged(p.wiring, 2));
	ASSERT(!tg_bridged(0.0f, 2));
	PASS();
}

TEST chain_fault_restarts_soft_start(void)
{
	const double rate = 48000.0;
	static const uint32_t layouts[][2] = {{2, 2}, {1, 1}, {2, 1}};
	for (size_t l = 0; l < 3; ++l) {
		for (int v = 0; v < N_FAULT_VALUES; ++v) {
			TgParams p;
			tg_params_default(&p);
			p.ramp_s = 0.5f;
			TgChain *const chain = tg_chain_new(rate, layouts[l][0], layouts[l][1]);
			tg_chain_activate(chain, &p);
			enum { BLK = 480 };
			float x[2][BLK], y[2][BLK];
			const float *in[2] = {x[0], x[1]};
			float *out[2] = {y[0], y[1]};
			TgMeters m;
			for (uint32_t ch = 0; ch < 2; ++ch) {
				tg_sig_sine(x[ch], BLK, rate, 1000.0, 0.3, 0.0); /* 10 ms: whole periods */
			}
			for (int k = 0; k < 60; ++k) {
				tg_chain_process(chain, in, out, BLK, &p, &m);
			}
			ASSERT_EQ_FMT(1.0f, m.ramp, "%g");
			const double level = tg_rms(y[0], BLK);
			const uint32_t at = 100;
			const float keep = x[0][at];
			x[0][at] = FAULT_VALUES[v];
			tg_chain_process(chain, in, out, BLK, &p, &m);
			x[0][at] = keep;
			/* 380 frames into the new ramp of 24000. */
			TG_ASSERT_NEARm("ramp meter back to about 0", 380.0 / 24000.0, m.ramp, 1e-4);
			float prev = m.ramp;
			int k = 1;
			for (; k < 60 && m.ramp < 1.0f; ++k) {
				tg_chain_process(chain, in, out, BLK, &p, &m);
				ASSERTm("ramp meter rises again", m.ramp > prev);
				prev = m.ramp;
				if (k == 25) { /* half way: the raised cosine at 0.5 */
					TG_ASSERT_NEAR(0.5, tg_rms(y[0], BLK) / level, 0.05);
				}
			}
			/* Complete 0.5 s after the fault, within a block. */
			ASSERT_EQ_FMT(1.0f, m.ramp, "%g");
			TG_ASSERT_NEAR(50, k, 1);
			tg_chain_process(chain, in, out, BLK, &p, &m);
			TG_ASSERT_NEAR(1.0, tg_rms(y[0], BLK) / level, 0.01);
			TgStats st;
			tg_chain_stats(chain, &st);
			ASSERT_EQ(1, (int)st.nonfinite_in);
			tg_chain_free(chain);
		}
	}
	PASS();
}

SUITE(filter_suite)
{
	RUN_TEST(filter_corner_minus_3db);
	RUN_TEST(filter_hpf4_at_half_corner);
	RUN_TEST(filter_corner_clamped_below_nyquist);
	RUN_TEST(filter_changes_glide);
	RUN_TEST(filter_block_kernels_match_scalar);
	RUN_TEST(filter_twin_follows_first_channel);
}

SUITE(ramp_suite)
{
	RUN_TEST(ramp_shape);
	RUN_TEST(ramp_matches_raised_cosine);
	RUN_TEST(glide_rise_limited_fall_fast);
	RUN_TEST(chain_volume_rise_and_fall);
}


/* The detector against its plain definition, and its reading of tones: at
 * most TG_TP_MARGIN_DB low up to Nyquist, and at most 0.05 dB high. */
TEST truepeak_fast_equals_reference(void)
{
	TgTruePeak tp;
	tg_tp_init(&tp);
	enum { N = 4096 };
	static float x[N];
	tg_sig_pink(x, N, 1.0, 11);
	double worst = 0.0;
	for (uint32_t off = 64; off + 64 < N; off += 16) {
		const double r = tg_tp_max_ref(&tp, x + off, 16);
		const double f = (double)tg_tp_max(&tp, x + off, 16);
		worst = fabs(f - r) / r > worst ? fabs(f - r) / r : worst;
		/* Sub-blocks of 4 and 8 (low rates) take the same kernel. */
		TG_ASSERT_NEAR(tg_tp_max_ref(&tp, x + off, 4), (double)tg_tp_max(&tp, x + off, 4),
		               1e-5);
	}
	printf("true-peak detector: fast vs reference, worst relative difference %.2g\n", worst);
	ASSERT(worst < 1e-5);
	PASS();
}

/* Every length the limiter asks for (multiples of 4, in pieces of 16, 8
 * and 4), through the kernel the CPU gets and through the portable one:
 * each within 1e-5 of the definition, and a frame reads the same whatever
 * piece it falls in, so the maximum over a span is the maximum over any
 * cut of it into parts; and tg_tp_max_each gives each piece's reading. */
TEST truepeak_lengths_and_kernels(void)
{
	TgTruePeak fast, portable;
	tg_tp_init(&fast);
	portable = fast;
	portable.avx2 = 0; /* the test's own copy: the vector kernel every CPU has */
	enum { N = 2048 };
	static float x[N];
	tg_sig_pink(x, N, 2.0, 5);
	double worst = 0.0;
	for (uint32_t len = 4; len <= 44; len += 4) {
		for (uint32_t off = 32; off + len + 32 < N; off += 52) {
			const double r = tg_tp_max_ref(&fast, x + off, len);
			const TgTruePeak *const kinds[2] = {&fast, &portable};
			for (int k = 0; k < 2; ++k) {
				const double f = (double)tg_tp_max(kinds[k], x + off, len);
				ASSERT(isfinite(f));
				worst = fabs(f - r) / r > worst ? fabs(f - r) / r : worst;
				float parts = 0.0f;
				for (uint32_t p = 0; p < len; p += 4) {
					const float v = tg_tp_max(kinds[k], x + off + p, 4);
					parts = v > parts ? v : parts;
				}
				ASSERT_EQ_FMT((double)parts, f, "%.9g");
			}
		}
	}
	/* The readings of consecutive sub-blocks in one pass: the same values. */
	for (uint32_t len = 4; len <= 16; len += 4) {
		for (uint32_t count = 1; count <= 7; ++count) {
			const TgTruePeak *const kinds[2] = {&fast, &portable};
			for (int k = 0; k < 2; ++k) {
				float each[7];
				tg_tp_max_each(kinds[k], x + 100, count, len, each);
				for (uint32_t j = 0; j < count; ++j) {
					ASSERT_EQ_FMT((double)tg_tp_max(kinds[k], x + 100 + j * len, len),
					              (double)each[j], "%.9g");
				}
			}
		}
	}
	printf("true-peak detector, lengths 4..44, both kernels: worst relative difference %.2g\n",
	       worst);
	ASSERT(worst < 1e-5);
	PASS();
}

TEST truepeak_reads_tones(void)
{
	TgTruePeak tp;
	tg_tp_init(&tp);
	enum { N = 1024 };
	static float x[N];
	double lo = 0.0, hi = -100.0;
	for (double f = 0.01; f < 0.5; f += 0.01) {
		for (int ph = 0; ph < 16; ++ph) {
			for (int i = 0; i < N; ++i) {
				x[i] = (float)cos(2.0 * 3.14159265358979 * f * i + ph * 3.14159265358979 / 16.0);
			}
			/* Over 64 frames: what one sub-block and its neighbours see. */
			const double db = 20.0 * log10(tg_tp_max_ref(&tp, x + 512, 64));
			lo = db < lo ? db : lo;
			hi = db > hi ? db : hi;
		}
	}
	/* fs/4 with a 45 degree phase: every sample at -3.01 dB, the true
	 * peak exactly between them, on a point the 4x grid reads. */
	for (int i = 0; i < N; ++i) {
		x[i] = (float)cos(3.14159265358979 / 2.0 * i + 3.14159265358979 / 4.0);
	}
	const double q = 20.0 * log10(tg_tp_max_ref(&tp, x + 512, 64));
	printf("true-peak detector on tones to 0.49 fs: reads %+.3f .. %+.3f dB; fs/4 at 45 deg: %+.3f dB\n",
	       lo, hi, q);
	ASSERT(lo >= -TG_TP_MARGIN_DB);
	ASSERT(hi <= 0.05);
	TG_ASSERT_NEAR(0.0, q, 0.02);
	PASS();
}

/* The guard alone, with no gain computer: a pattern whose interpolated
 * peak is far over the ceiling between two frames comes out reading at
 * most the ceiling, frames far away untouched. */
TEST truepeak_guard_alone(void)
{
	TgTruePeak tp;
	tg_tp_init(&tp);
	enum { N = 256, C = 128 };
	static float a[N], b[N];
	for (int k = 0; k < N; ++k) {
		const double u = 0.5 - (double)(k - C);
		const int near = abs(k - C) < 8;
		a[k] = near ? (float)(0.5 * (sin(3.14159265358979 * u) / u > 0.0 ? 1.0 : -1.0)) : 0.01f;
		b[k] = a[k];
	}
	const float cg = 0.5f;
	const double before = tg_tp_max_ref(&tp, a + 64, 128);
	float *const x[1] = {a + 64};
	float pk = 0.0f;
	const uint32_t engaged = tg_tp_guard(&tp, x, 1, 128, cg, &pk);
	const double after = tg_tp_max_ref(&tp, a + 64, 128);
	printf("true-peak guard: pattern %.3f x the ceiling before, %.5f after, %u intervals scaled\n",
	       before / cg, after / cg, engaged);
	ASSERT(before > 1.5 * cg);
	ASSERT(engaged > 0);
	ASSERT(after <= (double)cg * (1.0 + 1e-5));
	ASSERT(pk <= cg);
	/* Frames beyond its reach and fade are untouched. */
	ASSERT_EQ_FMT(b[10], a[10], "%g");
	ASSERT_EQ_FMT(b[N - 10], a[N - 10], "%g");
	/* Under the ceiling it changes nothing. */
	float *const y[1] = {b + 64};
	ASSERT_EQ(0u, tg_tp_guard(&tp, y, 1, 128, 2.0f, &pk));
	TG_ASSERT_NEAR(before, (double)pk, 1e-5);
	PASS();
}

SUITE(limiter_suite)
{
	RUN_TEST(truepeak_fast_equals_reference);
	RUN_TEST(truepeak_lengths_and_kernels);
	RUN_TEST(truepeak_reads_tones);
	RUN_TEST(truepeak_guard_alone);
	RUN_TEST(limiter_peak_and_rms_invariants);
	RUN_TEST(limiter_one_buffer_matches_two);
	RUN_TEST(limiter_final_clamp_catches_nan);
	RUN_TEST(limiter_same_limits_change_nothing);
	RUN_TEST(limiter_rms_formula_sustained);
	RUN_TEST(limiter_thdn_100hz);
	RUN_TEST(limiter_thdn_50hz);
	RUN_TEST(limiter_thdn_thermal);
	RUN_TEST(limiter_ceiling_decrease_output);
	RUN_TEST(limiter_rms_decrease_mutes_until_cool);
	RUN_TEST(limiter_vfs_drop_glides);
	RUN_TEST(limiter_ceiling_rise_glides_fall_instant);
	RUN_TEST(limiter_rms_guard_on_sudden_burst);
	RUN_TEST(limiter_read_ahead_changes_nothing);
}

SUITE(chain_suite)
{
	RUN_TEST(chain_transparent_under_limits);
	RUN_TEST(chain_nonfinite_restarts_ramp);
	RUN_TEST(chain_fault_leaves_silence);
	RUN_TEST(chain_fault_clears_state);
	RUN_TEST(chain_fault_rule_is_tg_is_fault);
	RUN_TEST(chain_fault_restarts_soft_start);
	RUN_TEST(chain_tip_ring_limits_across);
	RUN_TEST(chain_block_size_invariance);
	RUN_TEST(chain_block_size_zero);
	RUN_TEST(chain_dc_removed);
	RUN_TEST(mono_laws);
	RUN_TEST(chain_sum_variant);
	RUN_TEST(chain_bypass_keeps_protection);
	RUN_TEST(chain_bypass_dry_dc_tracked_by_twin);
	RUN_TEST(chain_bypass_is_click_free);
	RUN_TEST(chain_soft_start_at_activate);
	RUN_TEST(chain_route);
	RUN_TEST(chain_v_peak_limits);
	RUN_TEST(chain_sample_rate_range);
	RUN_TEST(params_sanitized);
	RUN_TEST(chain_hostile_values);
}

GREATEST_MAIN_DEFS();

int main(int argc, char **argv)
{
	GREATEST_MAIN_BEGIN();
	RUN_SUITE(filter_suite);
	RUN_SUITE(ramp_suite);
	RUN_SUITE(limiter_suite);
	RUN_SUITE(chain_suite);
	GREATEST_MAIN_END();
}
