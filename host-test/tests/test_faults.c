/* tguard unit tests. Faults (SAFETY.md 3): NaN, Inf and garbage become
 * silence, clear what they reached and restart the soft start. */
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

SUITE(fault_suite)
{
	RUN_TEST(chain_fault_leaves_silence);
	RUN_TEST(chain_fault_clears_state);
	RUN_TEST(chain_fault_rule_is_tg_is_fault);
	RUN_TEST(chain_fault_restarts_soft_start);
}
