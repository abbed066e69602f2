/* tguard unit tests: the fixture the DSP test files share (test_dsp.c
 * runs them all): buffers, a chain run over a whole buffer, a rig that
 * feeds one block again and again, test signals and limiter settings. */
#ifndef TG_DSP_FIXTURE_H
#define TG_DSP_FIXTURE_H

#include <stdint.h>

#include "chain.h"
#include "limiter.h"

#define TG_FIXTURE_N_RATES 4
/* 44.1, 48, 96 and 192 kHz. */
extern const double RATES[TG_FIXTURE_N_RATES];

typedef struct {
	uint32_t n_in, n_out;
	uint64_t n;
	float *in[2];
	float *out[2];
} Buffers;

/** Two channels of n frames in and out, zeroed (n_in, n_out: the layout). */
Buffers buffers_new(uint32_t n_in, uint32_t n_out, uint64_t n);
void buffers_free(Buffers *b);

/** Run the whole buffer through a fresh chain; block 0 means random block
 * sizes 1..4096 from a fixed seed. Returns the stats of the run. */
TgStats render(Buffers *b, double rate, const TgParams *p, uint32_t block);

/** A per unit sample: vfs / z. */
double amps_of(const TgParams *p);

/** Filters off, thermal out of the way: isolates the peak limiter. */
void params_peak_only(TgParams *p);

/* A mono chain fed the same block again and again: for following how the
 * chain reacts over time to a control change. */
typedef struct {
	TgChain *chain;
	uint32_t n; /* frames per block */
	float in[4800];
	float out[4800];
} Rig;

Rig *rig_new(double rate, const TgParams *p, uint32_t n);
/** Process the block `times` times; meters (may be NULL) of the last. */
void rig_run(Rig *rig, const TgParams *p, int times, TgMeters *meters);
void rig_free(Rig *rig);

/* Inputs that drive the limiter hard: +20 dBFS pink noise, a 50 Hz square
 * at full scale, full-scale noise bursts. */
typedef void (*Maker)(Buffers *);
#define TG_FIXTURE_N_MAKERS 3
extern const Maker MAKERS[TG_FIXTURE_N_MAKERS];
void make_pink20(Buffers *b);
void make_square50(Buffers *b);
void make_bursts(Buffers *b);

/** Pink noise with bursts over it and a NaN: every stage works. */
void make_program(Buffers *b);

/** Two limiters alike, from the same limits: for tests that compare them. */
int limiter_pair(TgLimiter *a, TgLimiter *b, double rate, uint32_t n_ch,
                 const TgLimiterParams *lp);

/** Settings that stress different corners of the limiter (k = 0..4). */
void stress_params(TgParams *p, int k);

#endif
