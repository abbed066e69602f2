/* tguard unit tests: what the DSP test files share (dsp_fixture.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "chain.h"
#include "limiter.h"
#include "signals.h"

#include "dsp_fixture.h"

const double RATES[TG_FIXTURE_N_RATES] = {44100.0, 48000.0, 96000.0, 192000.0};

Buffers buffers_new(uint32_t n_in, uint32_t n_out, uint64_t n)
{
	Buffers b = {n_in, n_out, n, {NULL, NULL}, {NULL, NULL}};
	for (uint32_t ch = 0; ch < 2; ++ch) {
		b.in[ch] = calloc((size_t)n, sizeof(float));
		b.out[ch] = calloc((size_t)n, sizeof(float));
	}
	return b;
}

void buffers_free(Buffers *b)
{
	for (uint32_t ch = 0; ch < 2; ++ch) {
		free(b->in[ch]);
		free(b->out[ch]);
	}
}

/* Run the whole buffer through a fresh chain; block 0 means random block
 * sizes 1..4096 from a fixed seed. Returns the stats of the run. */
TgStats render(Buffers *b, double rate, const TgParams *p, uint32_t block)
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

double amps_of(const TgParams *p) { return (double)p->vfs / (double)p->z_ohm; }

/* Filters off, thermal out of the way: isolates the peak limiter. */
void params_peak_only(TgParams *p)
{
	tg_params_default(p);
	p->hpf_order = 0.0f;
	p->lpf_order = 0.0f;
	p->i_rms_ma = 10000.0f;
	p->ramp_s = 0.1f;
}

Rig *rig_new(double rate, const TgParams *p, uint32_t n)
{
	Rig *const rig = calloc(1, sizeof(Rig));
	rig->chain = tg_chain_new(rate, 1, 1);
	rig->n = n;
	tg_chain_activate(rig->chain, p);
	return rig;
}

/* Process the block `times` times; meters (may be NULL) of the last. */
void rig_run(Rig *rig, const TgParams *p, int times, TgMeters *meters)
{
	const float *ins[1] = {rig->in};
	float *outs[1] = {rig->out};
	for (int k = 0; k < times; ++k) {
		tg_chain_process(rig->chain, ins, outs, rig->n, p, meters);
	}
}

void rig_free(Rig *rig)
{
	tg_chain_free(rig->chain);
	free(rig);
}

void make_pink20(Buffers *b) /* +20 dBFS RMS pink noise */
{
	tg_sig_pink(b->in[0], (uint32_t)b->n, 10.0, 11);
	tg_sig_pink(b->in[1], (uint32_t)b->n, 10.0, 12);
}

void make_square50(Buffers *b)
{
	tg_sig_square(b->in[0], (uint32_t)b->n, 48000.0, 50.0, 1.0);
	memcpy(b->in[1], b->in[0], (size_t)b->n * sizeof(float));
}

void make_bursts(Buffers *b)
{
	tg_sig_burst(b->in[0], (uint32_t)b->n, 48000.0, 1.0, 0.05, 0.45, 1.0, 21);
	tg_sig_burst(b->in[1], (uint32_t)b->n, 48000.0, 1.0, 0.05, 0.45, 1.0, 22);
}

const Maker MAKERS[TG_FIXTURE_N_MAKERS] = {make_pink20, make_square50, make_bursts};

/* Two limiters alike, from the same limits: for tests that compare them. */
int limiter_pair(TgLimiter *a, TgLimiter *b, double rate, uint32_t n_ch,
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
void stress_params(TgParams *p, int k)
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

void make_program(Buffers *b)
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
