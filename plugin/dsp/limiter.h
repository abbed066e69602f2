/* tguard: peak and RMS current limiter in physical units.
 *
 * A sample y drives the current i = y * vfs / z through the transducer. The
 * peak stage looks ahead so that no output sample exceeds the peak current
 * (nor 0 dBFS); the thermal stage keeps the exponentially weighted mean of
 * i^2 (the coil's heating, time constant tau) under the RMS limit. Both act
 * on all channels with one gain, so the stereo image does not move.
 *
 * TgLimiter's fields are this module's own: other modules use the functions
 * and accessors below (host-test/tests/check-private.sh, run by make check,
 * holds plugin/ to that). TgLimiterParams and TgLimiterMeter are the
 * interface: their fields are for the caller.
 */
#ifndef TG_LIMITER_H
#define TG_LIMITER_H

#include <stdint.h>

#include "heat.h"
#include "safety.h"
#include "truepeak.h"

#define TG_LIMITER_MAX_CH 2

/* Total delay 2 ms: the true-peak detector's reach ahead (TG_TP_HALF
 * frames), the guard's reach back and ahead, and the gain computer's
 * lookahead, whose attack is a linear fade over it less one sub-block: slow
 * enough not to crackle, short enough for live monitoring. */
#define TG_LATENCY_S 0.002
/* Hold: the gain stays put for 50 ms after a peak, half a period of 10 Hz
 * (the lowest high-pass corner), so the gain never follows a bass waveform,
 * nor the ripple of the heat estimate at twice the signal frequency. */
#define TG_HOLD_S 0.050
/* The thermal knee (TG_THERMAL_KNEE) and the RMS bound (TG_RMS_BOUND) are
 * in safety.h, with the code that holds them. */

typedef struct {
	double vfs;       /* V peak at 0 dBFS */
	double z_ohm;     /* transducer impedance */
	double i_peak;    /* A */
	double i_rms;     /* A */
	double tau_s;     /* the coil's thermal time constant */
	double tau_magnet_s; /* the magnet's (heat.h) */
	double magnet_share; /* the magnet path's share of the steady rise, 0 .. 0.9 */
	double release_s; /* peak-gain recovery time constant */
	double rise_db_s; /* rate at which a raised ceiling may rise */
	double v_peak;    /* V peak the transducer may see */
} TgLimiterParams;

typedef struct {
	float gain_min;     /* lowest total gain applied in the block */
	float peak_a;       /* highest |i| in the block, A */
} TgLimiterMeter;

/* The gain computer works in sub-blocks of TG_SUB_MAX frames at most,
 * aligned to the stream, so the output does not depend on host blocks. */
#define TG_SUB_MAX 16
/* Frames handled per internal pass. */
#define TG_LIM_BLOCK 256

typedef struct {
	double rate;
	uint32_t n_ch;
	uint32_t latency; /* frames of delay in all */
	uint32_t ahead;   /* of which the gain computer's lookahead */
	uint32_t sub;     /* sub-block length, a power of two */
	uint32_t win;     /* box-average length */
	uint32_t k_hold;  /* sub-blocks in the hold window */

	/* Sliding minimum of the sub-block gains over k_hold sub-blocks, in
	 * segments of k_hold: the current one's entries and running minimum,
	 * and the previous one's suffix minima (hold_min). */
	float *hold_cur; /* k_hold */
	float *hold_suf; /* k_hold + 1 */
	uint32_t hold_pos;
	float hold_pre;

	/* Release: r[k] = h + d c^(k+1) within a sub-block. */
	double rel_pow[TG_SUB_MAX];  /* c^(k+1) */
	double rel_psum[TG_SUB_MAX]; /* sum of c^(j+1), j <= k */
	double count[TG_SUB_MAX];    /* k + 1 */
	double r;

	/* Box average as differences of the running sum of r, kept twice over
	 * (ring and mirror) so every window read is contiguous. */
	double *cum;
	uint32_t cum_mask;
	uint32_t t; /* frames through the gain computer, a multiple of sub */
	double cum_last;

	/* Audio: latency frames of history, then the current block; pend
	 * frames at the end wait for their sub-block to complete. x[ch] walks
	 * along mem[ch] and moves back to its start only when the room runs
	 * out, so the history is not moved on every block. */
	float *mem[TG_LIMITER_MAX_CH];
	float *x[TG_LIMITER_MAX_CH];
	uint32_t mem_len, base;
	uint32_t pend;
	/* Channels limited: 1 once the caller has said for a whole delay that
	 * both inputs are one signal (the second output is then a copy), else
	 * n_ch. */
	uint32_t n_run;
	uint32_t same; /* frames told so, up to latency */

	/* Limits, as gliding targets, stepped once per sub-block. */
	double ceiling, irms, thermal;
	double ceiling_to, irms_to;
	double rise_sub;  /* per sub-block multiplier for rising limits */
	double cf_of;     /* the ceiling cf was made for */
	float cf;         /* the largest float not above it: the final clamp */
	double amps;      /* A per unit sample: vfs / z */

	/* Thermal state (heat.h), counted as a sub-block is gained. The
	 * closed form over a sub-block of inputs x_j = i_j^2, with b = 1 - a:
	 *   em' = bm^sub em + am k sum wm_j x_j,
	 *   ec' = bc^sub ec + ac (1 - k) sum w_j x_j + em_coef em + k sum wcm_j x_j. */
	TgHeatModel heat_m;
	TgHeat heat;
	double decay_sub;           /* bc^sub */
	float heat_w[TG_SUB_MAX];   /* bc^(sub - 1 - j) */
	double decay_m_sub;         /* bm^sub */
	float heat_wm[TG_SUB_MAX];  /* bm^(sub - 1 - j) */
	float heat_wcm[TG_SUB_MAX]; /* ac am sum_(n=j..sub-1) bc^(sub-1-n) bm^(n-j) */
	double em_coef;             /* ac sum_(n<sub) bc^(sub-1-n) bm^(n+1) */
	int dropped; /* the delay's heat was dropped (drop_waiting) since the last clear */
	/* Each frame's largest |y| in the sub-block being gained. */
	float frame_a[TG_SUB_MAX];
	/* The detector's readings of a pass's sub-blocks, taken before the
	 * pass where read_ahead says no sub-block changes what a later one
	 * reads. */
	int read_ahead;
	float in_peak[TG_LIM_BLOCK / 4 + 1], in_peak1[TG_LIM_BLOCK / 4 + 1];

	float last_gmin, last_peak; /* the last sub-block's meter values */

	TgTruePeak tp;
	double tp_aim; /* the peak stage aims this far under the ceiling */

	uint64_t clamp_peak; /* samples the final ceiling clamp touched */
	uint64_t clamp_rms;  /* samples the RMS guard touched */
	uint64_t clamp_tp;   /* intervals the true-peak guard scaled */
} TgLimiter;

/** Allocate for the sample rate (instantiation class); 0 on success. */
int tg_limiter_init(TgLimiter *lim, double rate, uint32_t n_ch);
void tg_limiter_free(TgLimiter *lim);

/** Clear the audio and gain state: silence, limits at their targets. The
 * heat stays (heat.h): the coil is as hot as it was. */
void tg_limiter_reset(TgLimiter *lim, const TgLimiterParams *p);

/** A coil of unknown heat: each stage at its steady state for the thermal
 * stage's onset, TG_THERMAL_KNEE of the RMS limit in force (heat.h), then
 * the clear's silence counted. Right after a reset, before any frame. */
void tg_limiter_warm(TgLimiter *lim);

/** The limiter will not run for s seconds (deactivated): the delay's frames
 * never go out, so their heat is dropped, and the rest cools by s seconds
 * without current (heat.h). An activation (tg_limiter_reset) follows. */
void tg_limiter_cool(TgLimiter *lim, double s);

/** Take new limits: raised ceilings glide, lowered ones apply at once. */
void tg_limiter_set(TgLimiter *lim, const TgLimiterParams *p);

/** After a fault: clear the audio history (the lookahead) and the gain
 * state; the heat estimate and the limits stay (the coil is as hot as it
 * was). Audio class. */
void tg_limiter_flush(TgLimiter *lim);

/** Limit n frames of each channel from in to out (delayed by latency); out
 * must not overlap in. twin is the caller's decision that the second
 * channel carries the same signal as the first: in[1] is then not read, and
 * once the delay holds nothing else, one channel is limited for both. */
void tg_limiter_process(TgLimiter *lim, const float *const *in, float *const *out, uint32_t n,
                        int twin, TgLimiterMeter *meter);

/** The sample ceiling now in force (linear, <= 1). */
static inline double tg_limiter_ceiling(const TgLimiter *lim) { return lim->ceiling; }

/** Frames of delay in all. */
static inline uint32_t tg_limiter_latency(const TgLimiter *lim) { return lim->latency; }

/** The heat estimate the RMS limit applies to: the coil's, A^2. */
static inline double tg_limiter_heat(const TgLimiter *lim) { return lim->heat.ec; }

/** The magnet's share of it, A^2 (0 with no magnet path). */
static inline double tg_limiter_magnet_heat(const TgLimiter *lim) { return lim->heat.em; }

/** Since the last reset: samples the final clamp touched, samples the RMS
 * guard touched, intervals the true-peak guard scaled. */
static inline void tg_limiter_counts(const TgLimiter *lim, uint64_t *peak, uint64_t *rms,
                                     uint64_t *tp)
{
	*peak = lim->clamp_peak;
	*rms = lim->clamp_rms;
	*tp = lim->clamp_tp;
}

#endif
