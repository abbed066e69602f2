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

/* +60 dBFS: far beyond any program level (a 24 dB volume boost of a full
 * scale signal is 16), so only garbage gets here. */
#define TG_FAULT_MAX 1000.0f

/** A fault: NaN, +-Inf, or a finite magnitude over TG_FAULT_MAX. */
static inline int tg_is_fault(float x) { return !(fabsf(x) <= TG_FAULT_MAX); }

/** The sample ceiling, linear: min(1, i_peak z / vfs, v_peak / vfs). */
static inline double tg_sample_ceiling(double i_peak, double z_ohm, double vfs, double v_peak)
{
	const double ci = i_peak * z_ohm / vfs, cv = v_peak / vfs;
	const double c = ci < cv ? ci : cv;
	return c < 1.0 ? c : 1.0;
}

#endif
