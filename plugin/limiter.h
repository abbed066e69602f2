/* tguard: peak and RMS current limiter in physical units.
 *
 * A sample y drives the current i = y * vfs / z through the transducer. The
 * peak stage looks ahead so that no output sample exceeds the peak current
 * (nor 0 dBFS); the thermal stage keeps the exponentially weighted mean of
 * i^2 (the coil's heating, time constant tau) under the RMS limit. Both act
 * on all channels with one gain, so the stereo image does not move.
 */
#ifndef TG_LIMITER_H
#define TG_LIMITER_H

#include <stdint.h>

#include "ramp.h"

#define TG_LIMITER_MAX_CH 2

/* Lookahead 1.5 ms: the attack is a linear fade over that time, slow enough
 * not to crackle, short enough for live monitoring. */
#define TG_LOOKAHEAD_S 0.0015
/* Hold: the gain stays put for 50 ms after a peak, half a period of 10 Hz
 * (the lowest high-pass corner), so the gain never follows a bass waveform,
 * nor the ripple of the heat estimate at twice the signal frequency. */
#define TG_HOLD_S 0.050
/* The thermal gain starts to act at 90 % of the RMS limit and reaches 0 at
 * the limit, so its equilibrium always sits under it. */
#define TG_THERMAL_KNEE 0.9
/* The last-resort per-sample RMS guard sits at the guaranteed bound. */
#define TG_RMS_BOUND 1.02

typedef struct {
	double vfs;       /* V peak at 0 dBFS */
	double z_ohm;     /* transducer impedance */
	double i_peak;    /* A */
	double i_rms;     /* A */
	double tau_s;     /* thermal time constant */
	double release_s; /* peak-gain recovery time constant */
	double rise_db_s; /* rate at which a raised ceiling may rise */
} TgLimiterParams;

typedef struct {
	float gain_min;     /* lowest total gain applied in the block */
	float peak_a;       /* highest |i| in the block, A */
} TgLimiterMeter;

typedef struct {
	double rate;
	uint32_t n_ch;
	uint32_t latency; /* frames of lookahead delay */
	uint32_t win;     /* box-average length: latency + 1 */
	uint32_t hold;    /* sliding-minimum window, >= win */

	/* Sliding minimum of the required gain (monotone deque). */
	float *dq_val;
	uint32_t *dq_t;
	uint32_t dq_mask, dq_head, dq_tail;
	uint32_t t;

	/* Release and box average of the gain. */
	double rel_coef;
	double r;
	double *box;
	double box_sum;
	uint32_t box_pos;

	/* Audio delay line, latency frames per channel. */
	float *delay[TG_LIMITER_MAX_CH];
	uint32_t delay_pos;

	/* Limits, as gliding targets. */
	TgGlide ceiling; /* sample ceiling, <= 1 */
	TgGlide irms;    /* RMS current limit, A */
	TgGlide thermal; /* thermal gain: falls at once, rises at rise_db_s */
	double ceiling_to, irms_to;
	double amps;     /* A per unit sample: vfs / z */

	/* Thermal state: the mean square current, A^2. */
	double alpha;
	double ms;

	uint64_t clamp_peak; /* samples the final ceiling clamp touched */
	uint64_t clamp_rms;  /* samples the RMS guard touched */

} TgLimiter;

/** Allocate for the sample rate (instantiation class); 0 on success. */
int tg_limiter_init(TgLimiter *lim, double rate, uint32_t n_ch);
void tg_limiter_free(TgLimiter *lim);

/** Clear all state: silence, no heat, limits at their targets. */
void tg_limiter_reset(TgLimiter *lim, const TgLimiterParams *p);

/** Take new limits: raised ceilings glide, lowered ones apply at once. */
void tg_limiter_set(TgLimiter *lim, const TgLimiterParams *p);

/** Limit n frames of each channel in place (output is delayed by latency). */
void tg_limiter_process(TgLimiter *lim, float *const *buf, uint32_t n, TgLimiterMeter *meter);

/** The sample ceiling now in force (linear, <= 1). */
static inline double tg_limiter_ceiling(const TgLimiter *lim) { return lim->ceiling.value; }

#endif
