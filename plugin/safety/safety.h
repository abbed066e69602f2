/* tguard: the code the protection guarantees rest on.
 *
 * (The argument for each guarantee is written here as the module grows;
 * SAFETY.md maps each guarantee to these lines and the tests that guard
 * them.)
 *
 * Faults. A host may hand over NaN, +-Inf or uninitialised memory (finite
 * garbage such as -1e30). Any sample whose magnitude is not at most
 * TG_FAULT_MAX (+60 dBFS) is a fault: it becomes 0, the chain clears every
 * state the fault reached and restarts the soft start from silence.
 */
#ifndef TG_SAFETY_H
#define TG_SAFETY_H

#include <math.h>
#include <stdint.h>

#include "filter.h"
#include "truepeak.h"

/* +60 dBFS: far beyond any program level (a 24 dB volume boost of a full
 * scale signal is 16), so only garbage gets here. */
#define TG_FAULT_MAX 1000.0f

/* The guard band. A short interpolator cannot read content near Nyquist
 * (the half-sample phase of any symmetric one is blind at fs / 2), and a
 * crafted pattern there builds its inter-sample peak over many frames: an
 * alternating pattern of +-1 with a sign flip reaches 2.1 to 3.3 x between
 * two frames. So the low-pass is never off and never above 0.45 fs, on the
 * dry path too: where the user's low-pass is off or above it, a 4th-order
 * Butterworth at 0.45 fs takes 19 dB off at 0.47 fs and 55 dB at 0.49 fs
 * (the bilinear transform puts its zeros at Nyquist), and the detector
 * reads within 0.1 dB up to 0.42 fs. */
#define TG_BAND_LIMIT 0.45
#define TG_BAND_ORDER 4
/* Its two sections' Q, a 4th-order Butterworth's (filter.h). */
static inline double tg_band_q(int k) { return k == 0 ? TG_BW4_Q0 : TG_BW4_Q1; }

/** A fault: NaN, +-Inf, or a finite magnitude over TG_FAULT_MAX. */
static inline int tg_is_fault(float x) { return !(fabsf(x) <= TG_FAULT_MAX); }

/** The sample ceiling, linear: min(1, i_peak z / vfs, v_peak / vfs). */
static inline double tg_sample_ceiling(double i_peak, double z_ohm, double vfs, double v_peak)
{
	const double ci = i_peak * z_ohm / vfs, cv = v_peak / vfs;
	const double c = ci < cv ? ci : cv;
	return c < 1.0 ? c : 1.0;
}

/* Wiring. Tip-sleeve: the transducer between one output and ground sees
 * y vfs. Tip-ring (bridged): it sits across the two outputs, which carry
 * +y and -y, so it sees 2 y vfs. The chain then limits one mono signal y
 * with the full-scale voltage taken as 2 vfs (tg_drive_vfs), so every
 * limit, peak, RMS and voltage, true peak included, holds on the voltage
 * across the transducer; the second output is the first negated
 * (tg_bridge_out), which IEEE arithmetic does exactly, so the difference of
 * the two outputs is exactly 2 y. Only a plugin with two outputs can. */
#define TG_WIRING_TIP_SLEEVE 0
#define TG_WIRING_TIP_RING 1

/** Whether the transducer is across both outputs (wiring tip-ring). */
static inline int tg_bridged(float wiring, uint32_t n_out)
{
	return n_out == 2 && wiring >= (float)TG_WIRING_TIP_RING;
}

/** Volts across the transducer for a sample of 1 (0 dBFS) on each output. */
static inline double tg_drive_vfs(double vfs, int bridged) { return bridged ? 2.0 * vfs : vfs; }

/** The bridged second output: r[i] = -l[i], exactly. */
void tg_bridge_out(float *r, const float *l, uint32_t n);

/* The true-peak guard fades in and out over this many frames around the
 * frames it scales. */
#define TG_GUARD_FADE 8
/* Frames of audio the guard may still scale behind the first interval it
 * checks: the interpolator's reach back and the fade. */
#define TG_GUARD_BACK (TG_TP_HALF - 1 + TG_GUARD_FADE)

/** The true-peak guard, last of the peak stage and independent of the gain
 * computer: for each interval [n, n + 1), n in [0, count), of the n_ch
 * buffers x[ch] (frame n at x[ch][n]), read the true peak as the detector
 * does; where it is over cg, scale the frames the reading rests on
 * (n - TG_TP_HALF + 1 .. n + TG_TP_HALF) by cg / peak, with a linear fade
 * over TG_GUARD_FADE frames on each side, so the interval then reads at
 * most cg. Frames x[ch][-TG_GUARD_BACK .. count - 1 + TG_TP_HALF +
 * TG_GUARD_FADE] must be there and not yet out. Returns the number of
 * intervals scaled; *peak is the highest reading after the guard. */
uint32_t tg_tp_guard(const TgTruePeak *tp, float *const *x, uint32_t n_ch, uint32_t count,
                     float cg, float *peak);

/** The same, interval by interval with no shortcut: the reference. */
uint32_t tg_tp_guard_ref(const TgTruePeak *tp, float *const *x, uint32_t n_ch, uint32_t count,
                         float cg, float *peak);

#endif
