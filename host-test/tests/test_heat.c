/* tguard unit tests. RMS current, the heat (SAFETY.md 2): the thermal
 * formula, a lowered limit, and the per-frame guard on a sudden burst. */
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
#include "heat.h"
#include "limiter.h"
#include "mono.h"
#include "ports.h"
#include "ramp.h"
#include "reference.h"
#include "safety.h"
#include "signals.h"
#include "truepeak.h"

#include "dsp_fixture.h"
#include "limits_fall.h"

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

/* The per-frame RMS guard: a full-scale burst after silence, with a thermal
 * time constant of 50 ms and an RMS limit far under the burst's current
 * (31 mA against 1 to 3 mA), heats the estimate by several times the bound
 * within one sub-block, before the thermal gain can act. Frame by frame,
 * the heat of the output (docs/controls.md's formula, computed here from the
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

/* ---- The coil's heat through the host's lifecycle (heat.h) ---- */

/* docs/controls.md's two-stage model, computed here outside the plugin, frame by
 * frame over its output: the coil and the magnet, warm at the start. */
typedef struct {
	double ec, em, ac, am, k;
} ExtHeat;

static void ext_heat_init(ExtHeat *h, double rate, const TgParams *p)
{
	h->ac = 1.0 - exp(-1.0 / ((double)p->tau_s * rate));
	h->am = 1.0 - exp(-1.0 / ((double)p->tau_magnet_s * rate));
	h->k = p->magnet_share;
	const double warm = 0.9 * (double)p->i_rms_ma * 1e-3;
	h->ec = warm * warm;
	h->em = h->k * warm * warm;
}

static void ext_heat_frame(ExtHeat *h, double i)
{
	h->em += h->am * (h->k * i * i - h->em);
	h->ec += h->ac * (h->em + (1.0 - h->k) * i * i - h->ec);
}

/* The whole number of silent frames, lo .. hi, after which the model from
 * *h is nearest the meter rms_ma (mA); *h becomes the model then. */
static uint32_t ext_silence_match(ExtHeat *h, float rms_ma, uint32_t lo, uint32_t hi)
{
	ExtHeat t = *h, best_h = t;
	double best = INFINITY;
	uint32_t at = lo;
	for (uint32_t k = 0; k <= hi; ++k) {
		if (k >= lo) {
			const double err = fabs(sqrt(t.ec) * 1e3 - (double)rms_ma);
			if (err < best) {
				best = err, at = k, best_h = t;
			}
		}
		ext_heat_frame(&t, 0.0);
	}
	*h = best_h;
	return at;
}

/* With no magnet share, every operation of the model is the one-pole mean
 * square the limiter always had, bit for bit: the references stay. */
TEST heat_k0_is_the_one_pole_bit_for_bit(void)
{
	TgHeatModel m;
	tg_heat_model(&m, 48000.0, 3.0, 60.0, 0.0);
	const double alpha = 1.0 - exp(-1.0 / (3.0 * 48000.0));
	TgRng rng;
	tg_rng_seed(&rng, 5);
	TgHeat h = {0.0, 0.0};
	double ms = 0.0;
	for (int n = 0; n < 100000; ++n) {
		const double i = 0.05 * fabs((double)tg_rng_uniform(&rng));
		const double b2 = 1e-4 * fabs((double)tg_rng_uniform(&rng));
		const int over_old = (1.0 - alpha) * ms + alpha * i * i > b2;
		ASSERT_EQ(over_old, tg_heat_over(&m, &h, i, b2));
		const double room = (b2 - (1.0 - alpha) * ms) / alpha;
		ASSERT_EQ(room > 0.0 ? sqrt(room) : 0.0, tg_heat_room(&m, &h, b2));
		ms += alpha * (i * i - ms);
		tg_heat_step(&m, &h, i);
		ASSERT_EQ(ms, h.ec);
		ASSERT_EQ(0.0, h.em);
		if (n % 7 == 0) {
			TgHeat u = h;
			tg_heat_unstep(&m, &u, i);
			double back = (ms - alpha * i * i) / (1.0 - alpha);
			back = back > 0.0 ? back : 0.0;
			ASSERT_EQ(back, u.ec);
		}
	}
	PASS();
}

/* Cooling in closed form is the model's own recursion over whole frames of
 * silence, for coil and magnet constants far apart, crossed, equal and
 * nearly equal; steady drive settles each stage where heat.h says. */
TEST heat_cooling_is_the_recursion(void)
{
	static const double taus[][2] = {{3.0, 60.0}, {0.05, 3600.0}, {60.0, 1.0},
	                                 {3.0, 3.0},  {3.0, 3.000001}, {2.31, 61.0}};
	/* 100 s: at tau 0.05 s the coil's power underflows to 0 (a NaN, had
	 * the formula multiplied it by the magnet's overflowing ratio). */
	static const double secs[] = {0.0001, 0.2, 1.0, 7.5, 100.0};
	const double rate = 8000.0;
	double worst = 0.0;
	for (size_t t = 0; t < sizeof(taus) / sizeof(taus[0]); ++t) {
		TgHeatModel m;
		tg_heat_model(&m, rate, taus[t][0], taus[t][1], 0.58);
		for (size_t s = 0; s < sizeof(secs) / sizeof(secs[0]); ++s) {
			TgHeat h = {2e-4, 1e-4}, r = h;
			tg_heat_cool(&m, &h, secs[s]);
			const double n = floor(secs[s] * rate);
			for (double f = 0.0; f < n; f += 1.0) {
				tg_heat_step(&m, &r, 0.0);
			}
			ASSERT(isfinite(h.ec) && isfinite(h.em));
			worst = fmax(worst, fabs(h.ec - r.ec) / (r.ec + 1e-300));
			worst = fmax(worst, fabs(h.em - r.em) / (r.em + 1e-300));
		}
		/* Steady drive: ec -> i^2, em -> k i^2. */
		TgHeat h = {0.0, 0.0};
		const double i = 0.01;
		for (int f = 0; f < (int)(25.0 * fmax(taus[t][0], fmin(taus[t][1], 100.0)) * rate); ++f) {
			tg_heat_step(&m, &h, i);
		}
		if (taus[t][1] <= 100.0) {
			TG_ASSERT_NEAR(h.ec, i * i, 1e-6 * i * i);
			TG_ASSERT_NEAR(h.em, 0.58 * i * i, 1e-6 * i * i);
		}
		/* And the warm state is that steady state. */
		TgHeat w;
		tg_heat_warm(&m, &w, i);
		ASSERT_EQ(i * i, w.ec);
		ASSERT_EQ(0.58 * (i * i), w.em);
	}
	printf("closed-form cooling against the frame recursion: within %.2g (relative)\n", worst);
	ASSERT(worst < 1e-9);
	/* No time, negative or NaN time: no cooling. */
	TgHeatModel m;
	tg_heat_model(&m, rate, 3.0, 60.0, 0.5);
	TgHeat h = {1.0, 0.5};
	tg_heat_cool(&m, &h, 0.0);
	tg_heat_cool(&m, &h, -1.0);
	tg_heat_cool(&m, &h, NAN);
	ASSERT_EQ(1.0, h.ec);
	ASSERT_EQ(0.5, h.em);
	PASS();
}

/* The first block of a new chain starts the coil warm, at the thermal
 * onset of that block's limits; activation keeps the heat of the frames
 * that went out (the delay's frames, gained but never out, are dropped
 * with their heat); idle time cools it by the model, once; new thermal
 * controls keep it. Read on the heat meter against the model computed over
 * the output frames. */
TEST chain_heat_warm_kept_and_cooled(void)
{
	static const float shares[] = {0.0f, 0.58f};
	const double rate = 48000.0;
	for (size_t s = 0; s < 2; ++s) {
		TgParams p;
		tg_params_default(&p);
		p.tau_s = 0.5f;
		p.tau_magnet_s = 20.0f;
		p.magnet_share = shares[s];
		TgChain *const c = tg_chain_new(rate, 1, 1);
		ASSERT(c);
		p.i_rms_ma = 50.0f; /* activated under one limit... */
		tg_chain_activate(c, &p);
		tg_chain_idle(c, 100.0); /* nothing to cool yet */
		p.i_rms_ma = 20.0f; /* ...and run under another: warm under this */
		float x[480], y[480];
		memset(x, 0, sizeof(x));
		const float *in[1] = {x};
		float *out[1] = {y};
		TgMeters mt;
		tg_chain_process(c, in, out, 0, &p, &mt);
		/* Warm, 18 mA, and the silence of the cleared delay, which will go
		 * out ungained, counted: a whole number of silent frames of the
		 * model, fewer than a delay (ext_silence_match). */
		ExtHeat e;
		ext_heat_init(&e, rate, &p);
		const uint32_t lat = tg_chain_latency(c);
		uint32_t counted = ext_silence_match(&e, mt.rms_ma, 0, lat);
		ASSERT(counted < lat);
		TG_ASSERT_NEAR((double)mt.rms_ma, sqrt(e.ec) * 1e3, 1e-6 * sqrt(e.ec) * 1e3);
		printf("warm: %.5f mA after %u silent frames\n", (double)mt.rms_ma, counted);
		TG_ASSERT_NEAR((double)mt.rms_ma, 18.0, 0.1);
		/* 10 ms of silence out, then activation: the heat of the frames
		 * that went out, and of the new clear's silence; the frames
		 * gained but never out dropped. */
		tg_chain_process(c, in, out, 480, &p, &mt);
		tg_chain_activate(c, &p);
		tg_chain_process(c, in, out, 0, &p, &mt);
		ext_heat_init(&e, rate, &p);
		counted = ext_silence_match(&e, mt.rms_ma, 480, 480 + lat);
		TG_ASSERT_NEAR((double)mt.rms_ma, sqrt(e.ec) * 1e3, 1e-6 * sqrt(e.ec) * 1e3);
		printf("activation after 480 frames out: the heat of %u silent frames\n", counted);
		/* 1.5 s idle: cooled by 72000 frames of the model, once. */
		tg_chain_idle(c, 1.5);
		tg_chain_activate(c, &p);
		for (int k = 0; k < 72000; ++k) {
			ext_heat_frame(&e, 0.0);
		}
		tg_chain_process(c, in, out, 0, &p, &mt);
		printf("magnet share %.2f: warm 18 mA at a 20 mA limit; after 10 ms and 1.5 s idle "
		       "%.5f mA, the model %.5f mA\n",
		       (double)shares[s], (double)mt.rms_ma, sqrt(e.ec) * 1e3);
		TG_ASSERT_NEAR((double)mt.rms_ma, sqrt(e.ec) * 1e3, 1e-6 * sqrt(e.ec) * 1e3);
		/* New thermal controls and limits keep the heat: only the frames
		 * waiting (here the clear's silence) are counted again under the
		 * new constants. */
		TgParams q = p;
		q.tau_s = 2.0f, q.tau_magnet_s = 100.0f, q.magnet_share = 0.3f, q.i_rms_ma = 5.0f;
		TgMeters m2;
		tg_chain_process(c, in, out, 0, &q, &m2);
		TG_ASSERT_NEAR((double)m2.rms_ma, (double)mt.rms_ma, 1e-2 * (double)mt.rms_ma);
		tg_chain_free(c);
	}
	PASS();
}

/* A magnet share set back to 0 leaves the magnet's heat to cool into the
 * coil, as the model says: the sub-block's closed form must not drop it
 * (the differential test found it dropped). */
TEST chain_magnet_heat_outlives_its_share(void)
{
	const double rate = 48000.0;
	TgParams p;
	tg_params_default(&p);
	p.i_rms_ma = 20.0f, p.tau_s = 0.5f, p.tau_magnet_s = 20.0f, p.magnet_share = 0.58f;
	TgChain *const c = tg_chain_new(rate, 1, 1);
	ASSERT(c);
	tg_chain_activate(c, &p);
	float x[480], y[480];
	memset(x, 0, sizeof(x));
	const float *in[1] = {x};
	float *out[1] = {y};
	TgMeters mt;
	tg_chain_process(c, in, out, 0, &p, &mt); /* warm */
	ExtHeat e;
	ext_heat_init(&e, rate, &p);
	p.magnet_share = 0.0f;
	e.k = 0.0;
	for (int k = 0; k < 100; ++k) {
		tg_chain_process(c, in, out, 480, &p, &mt);
	}
	double best = INFINITY;
	for (uint32_t f = 0; f < 48000 + tg_chain_latency(c) + TG_SUB_MAX; ++f) {
		ext_heat_frame(&e, 0.0);
		if (f + 1 >= 48000) {
			best = fmin(best, fabs(sqrt(e.ec) * 1e3 - (double)mt.rms_ma) / (sqrt(e.ec) * 1e3));
		}
	}
	printf("magnet share 0.58 -> 0, 1 s of silence: heat meter %.5f mA, the model within %.2g\n",
	       (double)mt.rms_ma, best);
	ASSERT(best < 1e-6);
	tg_chain_free(c);
	PASS();
}

/* Played, paused and re-activated as PipeWire does on every pause: a
 * 1 kHz sine 20 dB into the limiter, stereo, on for 4 to 6 s, then idle.
 * The coil's heat, computed here over the continuous output and cooled over
 * each pause, stays under 1.02 x the RMS limit. */
static enum greatest_test_res reactivated(const char *label, const TgParams *p, double pause,
                                          double seconds, double *worst)
{
	const double rate = 48000.0;
	TgChain *const c = tg_chain_new(rate, 2, 2);
	ASSERT(c);
	enum { BLK = 480 };
	float x[BLK], y0[BLK], y1[BLK];
	const double amps = (double)p->vfs / (double)p->z_ohm;
	/* 20 dB over the level whose RMS current is the limit. */
	const double amp = 10.0 * sqrt(2.0) * (double)p->i_rms_ma * 1e-3 / amps;
	ExtHeat e;
	ext_heat_init(&e, rate, p);
	TgRng rng;
	tg_rng_seed(&rng, 17);
	double high = 0.0;
	uint64_t frame = 0;
	int restarts = 0;
	tg_chain_activate(c, p);
	TgParams q = *p;
	q.volume_db = 0.0f;
	while ((double)frame < seconds * rate) {
		const double on = 4.0 + 2.0 * (0.5 + 0.5 * (double)tg_rng_uniform(&rng));
		for (uint64_t f = 0; (double)f < on * rate; f += BLK, frame += BLK) {
			for (uint32_t i = 0; i < BLK; ++i) {
				x[i] = (float)(fmin(amp, 900.0) *
				               sin(6.283185307179586 * 1000.0 * (double)((f + i) % 48000) / rate));
			}
			const float *in[2] = {x, x};
			float *out[2] = {y0, y1};
			tg_chain_process(c, in, out, BLK, &q, NULL);
			for (uint32_t i = 0; i < BLK; ++i) {
				const double a = fmax(fabs((double)y0[i]), fabs((double)y1[i]));
				ext_heat_frame(&e, a * amps);
				high = fmax(high, sqrt(e.ec));
			}
		}
		tg_chain_idle(c, pause);
		for (double f = floor(pause * rate); f > 0.0; f -= 1.0) {
			ext_heat_frame(&e, 0.0);
		}
		tg_chain_activate(c, &q);
		++restarts;
	}
	tg_chain_free(c);
	const double r = high / ((double)p->i_rms_ma * 1e-3);
	printf("%-40s re-activated %2d times after %.1f s pauses: heat at most %.4f x the limit\n",
	       label, restarts, pause, r);
	*worst = fmax(*worst, r);
	ASSERT(r <= 1.02);
	PASS();
}

TEST chain_heat_through_reactivations(void)
{
	double worst = 0.0;
	TgParams p;
	tg_params_default(&p);
	static const float taus[] = {0.05f, 3.0f, 20.0f, 60.0f};
	for (size_t t = 0; t < sizeof(taus) / sizeof(taus[0]); ++t) {
		p.tau_s = taus[t];
		char label[64];
		snprintf(label, sizeof(label), "defaults, tau_s %g", (double)taus[t]);
		CHECK_CALL(reactivated(label, &p, 0.2, fmax(30.0, 4.0 * (double)taus[t]), &worst));
	}
	/* Two stages: the magnet keeps the coil warm through the pauses. */
	tg_params_default(&p);
	p.tau_s = 3.0f, p.tau_magnet_s = 60.0f, p.magnet_share = 0.58f;
	CHECK_CALL(reactivated("tau_s 3, magnet 60 s, share 0.58", &p, 0.5, 240.0, &worst));
	p.tau_s = 0.05f, p.tau_magnet_s = 1.0f, p.magnet_share = 0.9f;
	CHECK_CALL(reactivated("tau_s 0.05, magnet 1 s, share 0.9", &p, 0.2, 30.0, &worst));
	printf("re-activated: heat at most %.4f x the RMS limit\n", worst);
	PASS();
}

/* The closed form over a sub-block follows the two-stage model: under the
 * limits (no gain change), the heat meter is the model computed over the
 * output, at 8, 48 and 192 kHz (sub-blocks of 4 and 16 frames). The meter
 * counts frames as they are gained, up to a delay ahead of the output, so
 * it is read in silence, where that is only a few frames of cooling: it
 * must meet the model at one of them. */
TEST chain_two_stage_heat_follows_the_model(void)
{
	static const double rates[] = {8000.0, 48000.0, 192000.0};
	enum { BLK = 1000 };
	double worst = 0.0;
	int read = 0;
	for (size_t r = 0; r < sizeof(rates) / sizeof(rates[0]); ++r) {
		const double rate = rates[r];
		TgParams p;
		params_peak_only(&p);
		p.i_rms_ma = 1000.0f;
		p.tau_s = 0.2f, p.tau_magnet_s = 2.0f, p.magnet_share = 0.6f;
		const uint32_t n = (uint32_t)(3.0 * rate);
		Buffers b = buffers_new(1, 1, n);
		tg_sig_burst(b.in[0], n, rate, 0.5, 0.1, 0.3, 0.8, 3);
		TgChain *const c = tg_chain_new(rate, 1, 1);
		tg_chain_activate(c, &p);
		const uint32_t lat = tg_chain_latency(c);
		float *const meter = calloc(n / BLK + 1, sizeof(float));
		for (uint32_t off = 0, k = 0; off < n; off += BLK, ++k) {
			const uint32_t m = n - off < BLK ? n - off : BLK;
			const float *in[1] = {b.in[0] + off};
			float *out[1] = {b.out[0] + off};
			TgMeters mt;
			tg_chain_process(c, in, out, m, &p, &mt);
			meter[k] = mt.rms_ma;
		}
		tg_chain_free(c);
		/* The model's heat after each output frame. */
		double *const ec = malloc(n * sizeof(double));
		ExtHeat e;
		ext_heat_init(&e, rate, &p);
		for (uint32_t i = 0; i < n; ++i) {
			ext_heat_frame(&e, fabs((double)b.out[0][i]) * amps_of(&p));
			ec[i] = e.ec;
		}
		for (uint32_t k = 1; (k + 1) * BLK + 2 * lat < n; ++k) {
			const uint32_t end = (k + 1) * BLK; /* input frames taken */
			int silent = 1;
			for (uint32_t i = end - 2 * lat; i < end + 2 * lat; ++i) {
				silent &= b.in[0][i] == 0.0f;
			}
			if (!silent) {
				continue;
			}
			double best = INFINITY;
			/* The meter counts the frames gained, up to TG_TP_HALF +
			 * TG_GUARD_BACK + a sub-block ahead of the output. */
			for (uint32_t j = 0; j <= lat + TG_SUB_MAX + TG_TP_HALF + TG_GUARD_BACK; ++j) {
				const double v = sqrt(ec[end - lat + j - 1]) * 1e3;
				best = fmin(best, fabs((double)meter[k] - v) / v);
			}
			worst = fmax(worst, best);
			++read;
		}
		free(ec);
		free(meter);
		buffers_free(&b);
	}
	printf("two-stage heat meter against the model over the output, read %d times in "
	       "silence: within %.2g\n",
	       read, worst);
	ASSERT(read > 50);
	ASSERT(worst < 1e-5);
	PASS();
}

/* Right after a clear, the oldest of the frames waiting are the clear's
 * silence, which goes out never gained: it is counted at the clear, so
 * that new limits (here a shorter tau_s) and a drop of the delay (here an
 * activation) undo and count again only frames that were counted (undoing
 * uncounted ones under one time constant and counting them under another
 * cooled the coil by frames that never went out: fuzz_chain found the
 * estimate 0.27 % low at 96 kHz, and the coil 1.0209 x the RMS limit).
 * Both chains, at 96 kHz: a warm coil, 33 frames of silence (fewer than
 * the frames waiting), tau_s 60 -> 0.05 s, an activation; the heat is the
 * coil's over the 33 frames out and the new clear's silence, within 1e-6. */
TEST chain_heat_of_frames_never_counted(void)
{
	const double rate = 96000.0;
	for (int which = 0; which < 2; ++which) {
		TgChain *const fast = which == 0 ? tg_chain_new(rate, 1, 1) : NULL;
		TgRefChain *const ref = which == 1 ? tg_ref_chain_new(rate, 1, 1) : NULL;
		ASSERT(fast || ref);
		TgParams p;
		tg_params_default(&p);
		p.tau_s = 60.0f;
		p.i_rms_ma = 10.0f;
		float x[64] = {0.0f}, y[64];
		const float *in[1] = {x};
		float *out[1] = {y};
		TgMeters m;
		if (fast) {
			tg_chain_activate(fast, &p);
			tg_chain_process(fast, in, out, 33, &p, &m);
		} else {
			tg_ref_chain_activate(ref, &p);
			tg_ref_chain_process(ref, in, out, 33, &p, &m);
		}
		/* The warm coil, (0.9 i_rms)^2, cooled by the 33 frames out. */
		const double warm = 0.9 * 10.0 * 0.9 * 10.0;
		double coil = warm * pow(exp(-1.0 / (60.0 * rate)), 33.0);
		p.tau_s = 0.05f;
		if (fast) {
			tg_chain_process(fast, in, out, 0, &p, &m);
			tg_chain_activate(fast, &p);
			tg_chain_process(fast, in, out, 0, &p, &m);
		} else {
			tg_ref_chain_process(ref, in, out, 0, &p, &m);
			tg_ref_chain_activate(ref, &p);
			tg_ref_chain_process(ref, in, out, 0, &p, &m);
		}
		/* and by the silence of the new clear, to go out next, under
		 * the new constant: TG_TP_HALF + TG_GUARD_BACK + a sub-block
		 * (16 frames at 96 kHz) less one. */
		const double silence = TG_TP_HALF + TG_GUARD_BACK + TG_SUB_MAX - 1;
		coil *= pow(exp(-1.0 / (0.05 * rate)), silence);
		const double est = (double)m.rms_ma * (double)m.rms_ma;
		printf("%s: the heat after new limits and an activation %.9g mA^2, the coil's %.9g "
		       "(%.3g)\n",
		       fast ? "fast" : "reference", est, coil, est / coil - 1.0);
		/* Never under; and over only by the frames that went out uncounted. */
		ASSERT(est >= coil * (1.0 - 1e-6));
		ASSERT(est <= coil * (1.0 + 1e-6));
		tg_chain_free(fast);
		tg_ref_chain_free(ref);
	}
	PASS();
}

/* New limits far under a heat the fast chain summed in float: rebind
 * unwinds the frames waiting, which cancels the estimate but not its float
 * error (up to 1.07e-6 of the heat before), so it adds that bound back: the
 * heat of the frames already out is never under-counted. 8 kHz mono: a
 * cooled coil, the lookahead filled with 3 mA^2 of heat at tau 0.01 s, then
 * i_rms 3.2 -> 0.1 mA and tau 0.01 -> 60 s. Block by block after it the
 * fast chain's heat is never under the reference's (exact, in double); and
 * while the frames rebound still weigh, the error bound is there: the fast
 * heat stands over the reference's by at least 1e-6 of it (its float sums
 * happen to be exact here, so without the add-back the two are equal). */
TEST chain_heat_after_limits_fall_under_it(void)
{
	TgChain *const fast = tg_chain_new(TG_FALL_RATE, 1, 1);
	TgRefChain *const ref = tg_ref_chain_new(TG_FALL_RATE, 1, 1);
	ASSERT(fast && ref);
	TgParams p;
	tg_fall_params(&p);
	tg_chain_activate(fast, &p);
	tg_ref_chain_activate(ref, &p);
	enum { B = 512 };
	float x[B], ya[B], yb[B];
	const float *in[1] = {x};
	float *oa[1] = {ya}, *ob[1] = {yb};
	double worst = INFINITY, first5 = INFINITY;
	for (uint32_t b = 0; b < 60; ++b) {
		for (uint32_t i = 0; i < B; ++i) {
			x[i] = tg_fall_input((uint64_t)b * B + i);
		}
		if (b * B == TG_FALL_AT) {
			tg_fall_lower(&p);
		}
		TgMeters ma, mb;
		tg_chain_process(fast, in, oa, B, &p, &ma);
		tg_ref_chain_process(ref, in, ob, B, &p, &mb);
		if (b * B >= TG_FALL_AT) {
			const double ha = (double)ma.rms_ma * ma.rms_ma, hb = (double)mb.rms_ma * mb.rms_ma;
			worst = fmin(worst, (ha - hb) / hb);
			first5 = b * B < TG_FALL_AT + 5 * B ? fmin(first5, (ha - hb) / hb) : first5;
		}
	}
	printf("limits fallen under the heat: the fast chain's heat over the reference's by at "
	       "least %.3g of it (%.3g over the first 5 blocks)\n",
	       worst, first5);
	ASSERT(worst >= -1e-9);
	ASSERT(first5 >= 1e-6);
	tg_chain_free(fast);
	tg_ref_chain_free(ref);
	PASS();
}

SUITE(heat_suite)
{
	RUN_TEST(limiter_rms_formula_sustained);
	RUN_TEST(limiter_rms_decrease_mutes_until_cool);
	RUN_TEST(limiter_rms_guard_on_sudden_burst);
	RUN_TEST(heat_k0_is_the_one_pole_bit_for_bit);
	RUN_TEST(heat_cooling_is_the_recursion);
	RUN_TEST(chain_heat_warm_kept_and_cooled);
	RUN_TEST(chain_magnet_heat_outlives_its_share);
	RUN_TEST(chain_heat_through_reactivations);
	RUN_TEST(chain_two_stage_heat_follows_the_model);
	RUN_TEST(chain_heat_of_frames_never_counted);
	RUN_TEST(chain_heat_after_limits_fall_under_it);
}
