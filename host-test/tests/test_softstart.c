/* tguard unit tests. Soft start and finite output (SAFETY.md 4): the
 * ramp, rate-limited rises, and sanitised controls. */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "greatest.h"
#include "tg_assert.h"

#include "analysis.h"
#include "chain.h"
#include "filter.h"
#include "limiter.h"
#include "mono.h"
#include "ports.h"
#include "ramp.h"
#include "safety.h"
#include "signals.h"
#include "truepeak.h"

#include "dsp_fixture.h"

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

SUITE(softstart_suite)
{
	RUN_TEST(ramp_shape);
	RUN_TEST(ramp_matches_raised_cosine);
	RUN_TEST(glide_rise_limited_fall_fast);
	RUN_TEST(chain_volume_rise_and_fall);
	RUN_TEST(chain_nonfinite_restarts_ramp);
	RUN_TEST(chain_soft_start_at_activate);
	RUN_TEST(params_sanitized);
	RUN_TEST(chain_hostile_values);
}
