/* tguard invariant checker for long, hostile runs: the fuzz targets and the
 * soak test feed it every block's input and output and it checks what the
 * guarantees of docs/guarantees.md, sample by sample, in physical units:
 *
 *  - every output sample is finite and |y| <= 1;
 *  - |i| = |y| * vfs / z_ohm <= i_peak_ma, and the voltage |y| * vfs <=
 *    v_peak (the controls as the chain sanitises them: tg_params_sanitize);
 *    y is what the transducer sees: the louder output against ground, or,
 *    wired tip-ring (wiring 1, two outputs), the difference of the two;
 *  - the coil's heat of docs/controls.md's two-stage model (heat.h),
 *    em[n] = em[n-1] + am (k i[n]^2 - em[n-1]) and
 *    ec[n] = ec[n-1] + ac (em[n] + (1 - k) i[n]^2 - ec[n-1]), i[n] the
 *    current of the louder output, stays at or under (1.02 i_rms)^2. It is
 *    the coil's: it starts warm at the first block (each stage steady at
 *    0.9 i_rms), goes on through activations, and cools only by the idle
 *    time it is told (tg_inv_idle). Heat cannot be undone:
 *    after i_rms is lowered below the estimate, the documented guarantee is
 *    that the estimate only falls until it is under the bound again, or,
 *    with two stages, rises only in silence (the magnet's heat flowing back
 *    into the coil);
 *  - soft start: the output is exactly 0 for the first latency + 1 frames
 *    after activation and latency frames after any input frame with a
 *    fault (tg_is_fault: NaN, +-Inf, or a magnitude over +60 dBFS; the
 *    ramp restarts from gain 0 there, behind the lookahead delay), and
 *    latency + 1 frames from a block whose wiring differs from the last.
 *
 * Controls change between blocks only, as in LV2, so one set of limits
 * holds for a whole block. tau follows the control in force, as the
 * limiter's own estimate does.
 */
#ifndef TG_INVARIANTS_H
#define TG_INVARIANTS_H

#include <stdint.h>

#include "chain.h"
#include "ports.h"

/* The invariants, each with its own verdict (a count of violations), so
 * two chains can be held to the same verdict on each (fuzz_diff). */
typedef enum {
	TG_INV_FINITE,     /* every output sample finite */
	TG_INV_FULL_SCALE, /* |y| <= 1 */
	TG_INV_CURRENT,    /* |i| <= i_peak_ma */
	TG_INV_VOLTAGE,    /* |y| vfs <= v_peak */
	TG_INV_RMS,        /* the heat under (1.02 i_rms)^2, or falling */
	TG_INV_SILENCE,    /* exact silence where the soft start restarts */
	TG_INV_METERS,     /* meters finite and in range */
	TG_INV_MISUSE,     /* the checker itself misused */
	TG_INV_N_KINDS
} TgInvKind;

extern const char *const tg_inv_kind_names[TG_INV_N_KINDS];

typedef struct {
	double rate;
	uint32_t n_in, n_out, latency;
	int sum;
	double ms;      /* the coil's heat (ec), A^2 */
	double em;      /* the magnet's, A^2 */
	int heat_known; /* 0 before the first block */
	double tau_s, tau_magnet_s; /* the time constants of the last block */
	uint64_t frame; /* output frames since activation */
	int bridged;    /* wiring tip-ring in the last block */
	int quiet;      /* the wiring changed at frame quiet_from: silence through the delay */
	uint64_t quiet_from;
	/* Which input frames restart the soft start, for the last latency + 1
	 * frames (a ring), and for the block being processed. */
	uint8_t *restart;
	uint32_t mask;
	uint8_t *block_bad;
	uint32_t block_cap, block_n;
	/* figures */
	uint64_t checked;      /* frames checked */
	uint64_t zero_checked; /* frames that had to be exactly 0, and were */
	uint64_t cooling;      /* frames over the RMS bound while cooling */
	uint64_t violations;
	uint64_t by_kind[TG_INV_N_KINDS]; /* the same, per invariant */
	double worst_peak; /* highest |i| / min(i_peak, v_peak / z) */
	double worst_rms;  /* highest sqrt(ms) / i_rms, cooling excluded */
	char first[256];   /* the first violation */
	int trap;          /* each violation goes to tg_inv_fail() */
} TgInv;

/** A broken invariant in a fuzz target: print it and abort, so libFuzzer
 * saves the input as a crash. Built with TG_INV_NO_TRAP (the replay tests),
 * it only counts, in tg_inv_failures, so the test can report it. */
void tg_inv_fail(const char *what);
extern unsigned long tg_inv_failures;

/** For a chain of that rate and layout; trap: report each violation to
 * tg_inv_fail() (else only count it, for the soak). 0 on success. */
int tg_inv_init(TgInv *inv, double rate, uint32_t n_in, uint32_t n_out, uint32_t latency, int trap);
void tg_inv_free(TgInv *inv);

/** The chain was activated: silence first; the heat stays. */
void tg_inv_activate(TgInv *inv);

/** A block the plugin ran with controls p but without output (its audio
 * unconnected): the coil's warm start is at the plugin's first block. */
void tg_inv_no_output(TgInv *inv, const TgParams *p);

/** The chain did not run for s seconds: the heat cools by floor(s fs)
 * frames of no current. */
void tg_inv_idle(TgInv *inv, double s);

/** Before processing n frames of in (in-place processing overwrites it). */
int tg_inv_input(TgInv *inv, const float *const *in, uint32_t n);

/** After processing: check the n frames of out, under the controls p as
 * given to the chain (raw: they are sanitised here). */
void tg_inv_output(TgInv *inv, const TgParams *p, const float *const *out, uint32_t n);

/** Check the meters of a block: finite, in their ranges. */
void tg_inv_meters(TgInv *inv, const TgMeters *m);

/* The input controls in the table's order (ports.def), which the fuzz
 * corpora's control masks rely on: the 16 of version 0.1, then v_peak
 * (0.2); a new control goes last. */
#define TG_INV_N_CONTROLS TG_N_INPUT_CONTROLS
extern const TgPortId tg_inv_controls[TG_INV_N_CONTROLS];

/** The field of p that holds control id; NULL for another port. */
float *tg_inv_param(TgParams *p, TgPortId id);

#endif
