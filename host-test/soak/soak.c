/* tguard soak test: long runs of simulated audio straight through the DSP
 * chain, much faster than real time, one per plugin layout.
 *
 * Every block has a random size (0..8192) and moves every control (a
 * random walk, with jumps and now and then a NaN, an infinity or a value
 * out of range). The audio is program-like material cut by injected faults:
 * NaN and Inf bursts, silence, full-scale bursts, +-1e38 and denormals.
 * invariants.c checks every sample against docs/guarantees.md. The
 * time spent in tg_chain_process per block is measured over the first and
 * the last stretch (10 minutes of audio, or a sixth of a shorter run), to
 * show that processing does not slow down as a run goes on; it is printed,
 * never asserted, since machines are noisy.
 *
 *   soak [--minutes M] [--seed S]   default: 2 minutes of audio per layout
 */
#define _POSIX_C_SOURCE 199309L

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "greatest.h"

#include "chain.h"
#include "invariants.h"
#include "ports.h"
#include "safety.h"

#define RATE 48000.0
#define MAX_BLOCK 8192u

static double minutes = 2.0;
static uint32_t base_seed = 20240601u;

/* ---- random numbers (xorshift64*, for long periods) ---- */

typedef struct {
	uint64_t s;
} Rng;

static uint64_t rng_next(Rng *r)
{
	r->s ^= r->s >> 12;
	r->s ^= r->s << 25;
	r->s ^= r->s >> 27;
	return r->s * 0x2545F4914F6CDD1Dull;
}

/* Uniform in [0, 1). */
static double rng_unit(Rng *r)
{
	return (double)(rng_next(r) >> 11) * (1.0 / 9007199254740992.0);
}

static uint32_t rng_below(Rng *r, uint32_t n)
{
	return (uint32_t)(rng_unit(r) * n);
}

/* ---- automation: every control moves every block ---- */

typedef struct {
	double u[TG_INV_N_CONTROLS]; /* position in the range, 0..1 */
} Automation;

static float control_value(TgPortId id, double u)
{
	const TgPortInfo *const info = &tg_port_info[id];
	const double lo = info->min, hi = info->max;
	if (lo > 0.0 && hi / lo > 100.0) {
		return (float)(lo * pow(hi / lo, u)); /* decades: walk in log */
	}
	return (float)(lo + (hi - lo) * u);
}

static void automate(Automation *a, Rng *r, TgParams *p)
{
	static const float hostile[] = {NAN, INFINITY, -INFINITY, -1e30f, 1e30f, 0.0f};
	for (int k = 0; k < TG_INV_N_CONTROLS; ++k) {
		const TgPortId id = tg_inv_controls[k];
		const double roll = rng_unit(r);
		if (roll < 0.005) {
			a->u[k] = rng_unit(r); /* a jump, as when a preset loads */
		} else {
			/* Up to 1 % of the range per block (15 % for the limits,
			 * whose ranges span six decades). */
			a->u[k] += (rng_unit(r) - 0.5) * 0.02;
			a->u[k] =
			    a->u[k] < 0.0 ? -a->u[k] : (a->u[k] > 1.0 ? 2.0 - a->u[k] : a->u[k]);
		}
		float v = control_value(id, a->u[k]);
		if (id == TG_P_ENABLE) {
			v = a->u[k] < 0.15 ? 0.0f : 1.0f; /* mostly on, bypassed now and then */
		}
		if (roll > 0.9995) {
			v = hostile[rng_below(r, sizeof(hostile) / sizeof(hostile[0]))];
		}
		*tg_inv_param(p, id) = v;
	}
}

/* ---- audio: program material cut by faults ---- */

typedef enum {
	SEG_PINK,   /* pink noise, -40..+20 dBFS */
	SEG_SINE,   /* a sine anywhere in 20 Hz..20 kHz, -30..+12 dBFS */
	SEG_SQUARE, /* 50 Hz square at full scale */
	SEG_SILENCE,
	SEG_FULLSCALE, /* full-scale noise bursts */
	SEG_NANBURST,  /* program with NaN and Inf bursts */
	SEG_EXTREME,   /* +-1e38, denormals, DC */
	SEG_N
} SegKind;

typedef struct {
	SegKind kind;
	uint64_t left; /* frames to go in this segment */
	double amp, phase, step;
	double pink[2][3];
	float extreme;
	uint64_t faults; /* faults injected (tg_is_fault): NaN, Inf, +-1e38, FLT_MAX */
} Source;

static void next_segment(Source *s, Rng *r)
{
	static const SegKind weights[] = {SEG_PINK,     SEG_PINK,      SEG_PINK,      SEG_PINK,
	                                  SEG_SINE,     SEG_SINE,      SEG_SQUARE,    SEG_SILENCE,
	                                  SEG_SILENCE,  SEG_FULLSCALE, SEG_FULLSCALE, SEG_NANBURST,
	                                  SEG_NANBURST, SEG_EXTREME};
	s->kind = weights[rng_below(r, sizeof(weights) / sizeof(weights[0]))];
	s->left = (uint64_t)(RATE * (0.05 + 5.0 * rng_unit(r) * rng_unit(r)));
	switch (s->kind) {
	case SEG_PINK:
		s->amp = pow(10.0, (-40.0 + 60.0 * rng_unit(r)) / 20.0);
		break;
	case SEG_SINE:
		s->amp = pow(10.0, (-30.0 + 42.0 * rng_unit(r)) / 20.0);
		s->step = 2.0 * 3.14159265358979 * 20.0 * pow(1000.0, rng_unit(r)) / RATE;
		break;
	case SEG_SQUARE:
		s->amp = 1.0;
		s->step = 50.0 / RATE;
		break;
	case SEG_EXTREME: {
		static const float values[] = {1e38f, -1e38f, 1e-40f, -1e-42f, 0.5f, FLT_MAX};
		s->extreme = values[rng_below(r, sizeof(values) / sizeof(values[0]))];
		break;
	}
	default:
		s->amp = 1.0;
		break;
	}
}

/* Paul Kellet's economy pink filter, per channel, streaming. */
static float pink(Source *s, uint32_t ch, Rng *r)
{
	const double w = rng_unit(r) * 2.0 - 1.0;
	double *const b = s->pink[ch];
	b[0] = 0.99765 * b[0] + w * 0.0990460;
	b[1] = 0.96300 * b[1] + w * 0.2965164;
	b[2] = 0.57000 * b[2] + w * 1.0526913;
	return (float)(s->amp * 0.25 * (b[0] + b[1] + b[2] + w * 0.1848));
}

static void fill(Source *s, Rng *r, float *const *x, uint32_t n_ch, uint32_t n)
{
	for (uint32_t i = 0; i < n; ++i) {
		if (s->left == 0) {
			next_segment(s, r);
		}
		--s->left;
		for (uint32_t ch = 0; ch < n_ch; ++ch) {
			float v = 0.0f;
			switch (s->kind) {
			case SEG_PINK:
				v = pink(s, ch, r);
				break;
			case SEG_SINE:
				v = (float)(s->amp * sin(s->phase + ch));
				break;
			case SEG_SQUARE:
				v = fmod(s->phase, 1.0) < 0.5 ? 1.0f : -1.0f;
				break;
			case SEG_SILENCE:
				break;
			case SEG_FULLSCALE:
				v = rng_unit(r) < 0.5 ? -1.0f : 1.0f;
				break;
			case SEG_NANBURST:
				v = pink(s, ch, r);
				/* About one sample in 2000 starts a short run of NaN or Inf. */
				if (rng_unit(r) < 5e-4) {
					v = rng_unit(r) < 0.5
					        ? NAN
					        : (rng_unit(r) < 0.5 ? INFINITY : -INFINITY);
				}
				break;
			case SEG_EXTREME:
				v = ch ? -s->extreme : s->extreme;
				break;
			default:
				break;
			}
			x[ch][i] = v;
			s->faults += (uint64_t)tg_is_fault(v);
		}
		s->phase += s->step;
	}
}

/* ---- the run ---- */

typedef struct {
	const char *name;
	uint32_t n_in, n_out;
} Layout;

static const Layout LAYOUTS[] = {{"stereo", 2, 2}, {"mono", 1, 1}, {"sum", 2, 1}};

typedef struct {
	double ns;
	uint64_t blocks, frames;
} Timing;

static double now_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

static uint32_t block_size(Rng *r)
{
	const double roll = rng_unit(r);
	if (roll < 0.02) {
		return 0;
	}
	if (roll < 0.07) {
		return 1 + rng_below(r, 4);
	}
	if (roll < 0.6) {
		return 1 + rng_below(r, 1024);
	}
	return 1 + rng_below(r, MAX_BLOCK);
}

TEST soak_layout(const Layout *lay)
{
	const uint64_t total = (uint64_t)(minutes * 60.0 * RATE);
	/* First and last stretch for the timing: 10 minutes, or a sixth. */
	uint64_t window = (uint64_t)(600.0 * RATE);
	if (window > total / 6) {
		window = total / 6;
	}
	Rng r = {((uint64_t)base_seed << 8) ^ (uint64_t)(lay->n_in * 3 + lay->n_out) ^
	         0x9E3779B97F4A7C15ull};
	TgChain *const chain = tg_chain_new(RATE, lay->n_in, lay->n_out);
	ASSERT(chain != NULL);
	TgParams p;
	tg_params_default(&p);
	Automation a;
	for (int k = 0; k < TG_INV_N_CONTROLS; ++k) {
		a.u[k] = rng_unit(&r);
	}
	automate(&a, &r, &p);
	tg_chain_activate(chain, &p);
	TgInv inv;
	ASSERT_EQ(0, tg_inv_init(&inv, RATE, lay->n_in, lay->n_out, tg_chain_latency(chain), 0));
	float *in[2], *out[2];
	for (int ch = 0; ch < 2; ++ch) {
		in[ch] = malloc(MAX_BLOCK * sizeof(float));
		out[ch] = malloc(MAX_BLOCK * sizeof(float));
		ASSERT(in[ch] && out[ch]);
	}
	Source src;
	memset(&src, 0, sizeof(src));
	Timing first = {0, 0, 0}, last = {0, 0, 0};
	uint64_t done = 0, blocks = 0;
	while (done < total) {
		uint32_t n = block_size(&r);
		if (n > total - done) {
			n = (uint32_t)(total - done);
		}
		automate(&a, &r, &p);
		fill(&src, &r, in, lay->n_in, n);
		if (tg_inv_input(&inv, (const float *const *)in, n) != 0) {
			FAILm("out of memory");
		}
		TgMeters m;
		const double t0 = now_ns();
		tg_chain_process(chain, (const float *const *)in, out, n, &p, &m);
		const double dt = now_ns() - t0;
		tg_inv_output(&inv, &p, (const float *const *)out, n);
		tg_inv_meters(&inv, &m);
		Timing *const t = done < window ? &first : (done >= total - window ? &last : NULL);
		if (t) {
			t->ns += dt;
			++t->blocks;
			t->frames += n;
		}
		done += n;
		++blocks;
	}
	TgStats st;
	tg_chain_stats(chain, &st);
	const double win_s = (double)window / RATE;
	printf("%s: %.0f min of audio in %llu blocks; %llu frames checked, %llu of them had to be "
	       "silent (soft start) and were\n",
	       lay->name, minutes, (unsigned long long)blocks, (unsigned long long)inv.checked,
	       (unsigned long long)inv.zero_checked);
	printf("%s: worst peak current %.6f x the limit (i_peak_ma, or v_peak / z_ohm when lower), "
	       "worst thermal estimate %.7f x the limit "
	       "(bound 1.02); %llu frames over the bound while cooling after a lowered limit\n",
	       lay->name, inv.worst_peak, inv.worst_rms, (unsigned long long)inv.cooling);
	printf("%s: %llu faults injected (%llu seen by the chain), clamp "
	       "engagements %llu peak + %llu RMS\n",
	       lay->name, (unsigned long long)src.faults, (unsigned long long)st.nonfinite_in,
	       (unsigned long long)st.clamp_peak, (unsigned long long)st.clamp_rms);
	printf("%s: per block, first %.0f s: %.2f us (%.1f ns/frame, %llu blocks); last %.0f s: "
	       "%.2f us (%.1f ns/frame, %llu blocks); last/first %.2f\n",
	       lay->name, win_s, first.ns / 1e3 / (double)first.blocks,
	       first.ns / (double)first.frames, (unsigned long long)first.blocks, win_s,
	       last.ns / 1e3 / (double)last.blocks, last.ns / (double)last.frames,
	       (unsigned long long)last.blocks,
	       (last.ns / (double)last.frames) / (first.ns / (double)first.frames));
	if (inv.violations) {
		fprintf(stderr, "%s: %llu violations, the first: %s\n", lay->name,
		        (unsigned long long)inv.violations, inv.first);
	}
	const uint64_t violations = inv.violations;
	tg_inv_free(&inv);
	tg_chain_free(chain);
	for (int ch = 0; ch < 2; ++ch) {
		free(in[ch]);
		free(out[ch]);
	}
	ASSERT_EQ_FMT(0ull, (unsigned long long)violations, "%llu");
	ASSERT_EQ_FMT((unsigned long long)total, (unsigned long long)st.frames, "%llu");
	PASS();
}

SUITE(soak_suite)
{
	for (size_t i = 0; i < sizeof(LAYOUTS) / sizeof(LAYOUTS[0]); ++i) {
		greatest_set_test_suffix(LAYOUTS[i].name);
		RUN_TEST1(soak_layout, &LAYOUTS[i]);
	}
}

GREATEST_MAIN_DEFS();

int main(int argc, char **argv)
{
	/* Take our own options out before greatest reads the rest. */
	int kept = 1;
	for (int i = 1; i < argc; ++i) {
		if (strcmp(argv[i], "--minutes") == 0 && i + 1 < argc) {
			minutes = atof(argv[++i]);
		} else if (strcmp(argv[i], "--seed") == 0 && i + 1 < argc) {
			base_seed = (uint32_t)strtoul(argv[++i], NULL, 10);
		} else {
			argv[kept++] = argv[i];
		}
	}
	argc = kept;
	if (!(minutes > 0.0)) {
		fprintf(stderr, "soak: --minutes must be positive\n");
		return 1;
	}
	printf("soak: %.0f min of audio at 48 kHz per layout, seed %u\n", minutes, base_seed);
	GREATEST_MAIN_BEGIN();
	RUN_SUITE(soak_suite);
	GREATEST_MAIN_END();
}
