/* tguard: the code the protection guarantees rest on.
 *
 * The limiter (plugin/dsp/limiter.c) is about speed: it computes gains and
 * the heat's closed form. What the guarantees rest on, whatever the gains,
 * is here, each with its argument: faults, the guard band, the ceiling,
 * wiring, the true-peak guard, the sample clamp, the RMS guard and its
 * bound, the thermal gain, and the heat through new limits (heat.h holds
 * the model and its lifecycle). SAFETY.md maps each guarantee to these
 * lines and the tests that guard them.
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
#include "heat.h"
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

/* ---- The sample clamp, last of all ----
 *
 * No sample leaves above the ceiling c: the limiter clamps to the largest
 * float not above c (tg_float_at_most: a clamp to it never rounds over),
 * and NaN becomes 0. Never needed by construction; counted when it is. */

/** The largest float not above c. */
float tg_float_at_most(double c);

/** Clamp frame i of the n_ch channels x[ch] to cf (NaN becomes 0); returns
 * the frame's largest |y| and adds 1 to *count when it touched it. */
float tg_clamp_frame(float *const *x, uint32_t n_ch, uint32_t i, float cf, uint64_t *count);

/* ---- The RMS guard ----
 *
 * The claim: the coil's heat ec stays at most TG_RMS_BOUND^2 times the RMS
 * limit squared, lim2. The thermal gain (below) keeps it under the limit
 * on music; the guard holds the bound whatever the gains: it sits a hair
 * under it, b2 = TG_RMS_BOUND^2 (1 - 2e-6) lim2, for the float rounding of
 * the closed form's sums, and scales any frame that would carry ec over
 * b2 to the current that lands on it (heat.h: ec' = P + Q i^2, so
 * i' = sqrt((b2 - P) / Q), 0 when there is no room).
 * The limiter counts a sub-block's heat in closed form, without the guard,
 * only where even the whole sub-block at its full current could not reach
 * b2 (tg_heat_closed_form_safe, heat.h): over a sub-block of sum i^2 = x, em stays
 * under em + am k x, and ec under max(ec, that) + ac (1 - k) x, since each
 * step of ec is a mean of ec and em plus its own input; 1.0001 covers the
 * float sum of x. Elsewhere the guard runs frame by frame. */

/* 1.02: the bound the estimate is guaranteed under. */
#define TG_RMS_BOUND 1.02

/** b2, the guard's bound on the heat (A^2) for the limit squared lim2. */
static inline double tg_rms_bound2(double lim2)
{
	return TG_RMS_BOUND * TG_RMS_BOUND * (1.0 - 2e-6) * lim2;
}

/** The guard for frame i of x[ch] (n_ch channels), whose largest |y| is *a,
 * after the heat h: where the frame at *a amps would carry ec over b2, it
 * is scaled to land on b2; *a is updated and 1 added to *count. Returns
 * the scale (1 when untouched). */
float tg_rms_guard_frame(const TgHeatModel *m, const TgHeat *h, double amps, double b2,
                         float *const *x, uint32_t n_ch, uint32_t i, float *a, uint64_t *count);

/* ---- The thermal gain ----
 *
 * 1 up to the knee, TG_THERMAL_KNEE of the RMS limit (81 % of the allowed
 * heating), then falling linearly in the heat to 0 at the limit, so that
 * its equilibrium always sits under the limit:
 *     g = (lim2 - ec) / (lim2 (1 - knee^2)).
 * It falls at once and rises no faster than the limits do (rise per
 * sub-block), from no lower than 1e-6, so that neither a cooling coil nor
 * a lowered vfs makes the level jump; at or over the limit it is 0. */

/* The knee: 90 % of the RMS limit. */
#define TG_THERMAL_KNEE 0.9

/** A value that may fall at once and rise by the factor rise at most. */
static inline double tg_rise_at_most(double v, double to, double rise)
{
	return v < to ? (v * rise < to ? v * rise : to) : to;
}

/** The thermal gain for the heat ec against the limit squared lim2; *held
 * is the gain in force, risen at most by rise since the last call. */
static inline float tg_thermal_gain(double *held, double ec, double lim2, double rise)
{
	const double knee2 = TG_THERMAL_KNEE * TG_THERMAL_KNEE;
	double gth = 1.0;
	if (ec > knee2 * lim2) {
		gth = (lim2 - ec) / (lim2 * (1.0 - knee2));
	}
	*held = tg_rise_at_most(*held, gth > 1e-6 ? gth : 1e-6, rise);
	return gth > 0.0 ? (float)*held : 0.0f;
}

/* ---- The heat through new limits, and a dropped delay ----
 *
 * The limiter counts a frame's heat when it gains it, some frames before
 * the frame goes out. When the limits change, the new ones bind from the
 * next frame out: the heat of the frames gained but still waiting is
 * undone, newest first, under the current scale and model that counted
 * them (tg_heat_unwind; a frame the guards scaled since counts as less,
 * which only raises the heat undone to), and counted again under the new
 * ones. When the delay is dropped (activation, fault, wiring), their heat
 * is undone for good: they never reach the coil. After a clear, the frames
 * from the next out to the first the limiter will gain are the clear's
 * silence, which goes out never gained: its heat is counted at the clear
 * (tg_heat_silence), so that every frame waiting is counted, and every
 * frame out was. With one stage silence only cools; with two, the
 * magnet's heat flows back into the coil through it (fuzz_chain found the
 * coil 1.0002 x the bound when it was left out). The closed form summed a
 * sub-block's heat in float, up to (sub + 2) 2^-24 of itself under the
 * exact heat; under the bound that is within the guard's hair, but where
 * the new limit is under the heat, undoing cancels the estimate and not
 * its error: the error bound is then added back (tg_heat_float_allowance,
 * heat.h), so the heat of the frames already out is never under-counted. */

/** Undo the heat h of the oldest n frames of x[ch] (n_ch channels, the
 * frames waiting), newest first, under the model m and current scale amps
 * (A per sample) that counted them. */
void tg_heat_unwind(const TgHeatModel *m, TgHeat *h, const float *const *x, uint32_t n_ch,
                    uint32_t n, double amps);

/** n frames of no current: the model's own steps (heat.h). */
static inline void tg_heat_silence(const TgHeatModel *m, TgHeat *h, uint32_t n)
{
	for (uint32_t j = 0; j < n; ++j) {
		tg_heat_step(m, h, 0.0);
	}
}

#endif
