/* tguard: the whole protection chain, independent of any plugin API.
 *
 * Per frame: sanitise the input (a fault, tg_is_fault in safety.h: NaN,
 * +-Inf or a magnitude over +60 dBFS, becomes 0, clears the filters, the DC
 * blockers and the limiter's lookahead, and restarts the soft start), sum
 * to mono and route, remove DC and band-limit, apply the volume and the
 * soft-start ramp, then limit peak and RMS current with a final clamp. Bypass crossfades the summing, filters and volume out, but
 * never the sanitising, the ramp after a fault, or the current limiter.
 */
#ifndef TG_CHAIN_H
#define TG_CHAIN_H

#include <stdint.h>

#include "filter.h"
#include "limiter.h"
#include "mono.h"
#include "ramp.h"

#define TG_RATE_MIN 8000.0
#define TG_RATE_MAX 384000.0

/* Control values as a host gives them; tg_chain_process() clamps them to
 * their ranges and replaces NaN by the default. */
typedef struct {
	float enable;
	float volume_db;
	float ramp_s;
	float rise_db_s;
	float hpf_hz;
	float hpf_order;
	float lpf_hz;
	float lpf_order;
	float z_ohm;
	float vfs;
	float i_peak_ma;
	float i_rms_ma;
	float tau_s;
	float release_ms;
	float mono;
	float route;
	float v_peak; /* V peak */
	float wiring; /* TG_WIRING_* (safety.h); two outputs only */
	float tau_magnet_s; /* the magnet's thermal time constant (heat.h) */
	float magnet_share; /* the magnet path's share of the steady rise */
} TgParams;

typedef struct {
	float latency;    /* frames */
	float gr_db;      /* lowest total gain in the block, dB (<= 0) */
	float peak_ma;    /* highest true-peak output current in the block */
	float rms_ma;     /* the thermal estimate at the end of the block */
	float ceiling_db; /* the sample ceiling in force, dBFS */
	float ramp;       /* soft-start progress, 0..1 */
	float clamps;     /* final-clamp, RMS-guard and true-peak-guard engagements */
} TgMeters;

typedef struct {
	uint64_t frames;
	uint64_t nonfinite_in; /* faults: input samples for which tg_is_fault() holds */
	uint64_t clamp_peak;   /* frames the final ceiling clamp touched */
	uint64_t clamp_rms;    /* frames the per-sample RMS guard touched */
	uint64_t clamp_tp;     /* intervals the true-peak guard scaled */
} TgStats;

typedef struct TgChain TgChain;

/** All controls at their defaults. */
void tg_params_default(TgParams *p);

/** Clamp every control to its range (NaN becomes the default); sum set for
 * the 2-in/1-out variant, whose mono control has no "stereo" mode. */
void tg_params_sanitize(TgParams *p, int sum);

/** n_in, n_out: 2/2 (stereo), 1/1 (mono) or 2/1 (sum). NULL for a rate
 * outside 8..384 kHz or another channel layout. Allocates: instantiation
 * class. */
TgChain *tg_chain_new(double rate, uint32_t n_in, uint32_t n_out);
void tg_chain_free(TgChain *chain);

/** Reset all state but the coil's heat, and start the soft-start ramp
 * from silence. The heat belongs to the coil (heat.h): it stays through
 * activations, control and preset changes; a new chain starts it warm at
 * its first block. */
void tg_chain_activate(TgChain *chain, const TgParams *p);

/** The chain did not run for s seconds (the host deactivated it): the
 * heat cools by that much. Call before tg_chain_activate. Instantiation
 * class: the caller reads the clock, never run(). */
void tg_chain_idle(TgChain *chain, double s);

/** Process n frames (any n, including 0). Audio class: no allocation,
 * locks or I/O. out may alias in. meters may be NULL. */
void tg_chain_process(TgChain *chain, const float *const *in, float *const *out,
                      uint32_t n, const TgParams *p, TgMeters *meters);

uint32_t tg_chain_latency(const TgChain *chain);
/** The magnet's heat (heat.h), A^2: its part of the coil's, for the display. */
double tg_chain_magnet_heat(const TgChain *chain);
void tg_chain_stats(const TgChain *chain, TgStats *stats);

#endif
