/* tguard: the reference chain, the specification of the whole chain.
 *
 * It is a specification, not protection: nothing here is a last resort the
 * plugin relies on (those are in plugin/safety), and hosts run it only when
 * they ask for it. TgRefChain does what TgChain (chain.h) does, written to
 * be read: scalar code, one frame at a time, every recursion run frame by
 * frame (no vectors, sub-blocks of the signal, block matrices or closed
 * forms; the one exception is idle time, minutes of silence, cooled by the
 * one-frame matrix raised to its power by repeated squaring), with each
 * formula's source beside it. Where the chain's behaviour is defined
 * on a coarser grid (the limiter's gain computer decides once per aligned
 * sub-block of lim.sub frames), that grid is stated in reference.c as part
 * of the specification and implemented plainly at the frames on it.
 *
 * It reuses only pure design functions of the fast modules
 * (tg_biquad_design, tg_tp_init, tg_sample_ceiling, tg_is_fault,
 * tg_bridged, tg_drive_vfs, tg_params_sanitize) and the two reference kernels written as definitions
 * (tg_tp_max_ref, tg_tp_guard_ref), never their processing code.
 *
 * The differential test (host-test/tests/test_reference.c) and the fuzz target
 * host-test/fuzz/fuzz_diff.c hold the fast chain to this one: the output
 * within 1e-5 of the sample ceiling in force, and the same verdict on every
 * invariant. The LV2 plugin runs it instead of TgChain when the host passes
 * the option urn:tguard:reference (docs/reference-chain.md).
 *
 * Same contract as TgChain: new/free allocate (instantiation class);
 * activate and process do not allocate, lock or do I/O; out may alias in.
 */
#ifndef TG_REFERENCE_H
#define TG_REFERENCE_H

#include <stdint.h>

#include "chain.h"

/* The LV2 option key that selects the reference at instantiation. */
#define TG_URI_REFERENCE "urn:tguard:reference"

typedef struct TgRefChain TgRefChain;

/** n_in, n_out: 2/2, 1/1 or 2/1, as tg_chain_new; NULL for a rate outside
 * 8..384 kHz or another layout. Allocates. */
TgRefChain *tg_ref_chain_new(double rate, uint32_t n_in, uint32_t n_out);
void tg_ref_chain_free(TgRefChain *chain);

/** Reset all state and start the soft start from silence. */
void tg_ref_chain_activate(TgRefChain *chain, const TgParams *p);

/** As tg_chain_idle: s seconds without running cool the heat. */
void tg_ref_chain_idle(TgRefChain *chain, double s);

/** Process n frames, one at a time. meters may be NULL. */
void tg_ref_chain_process(TgRefChain *chain, const float *const *in, float *const *out,
                          uint32_t n, const TgParams *p, TgMeters *meters);

uint32_t tg_ref_chain_latency(const TgRefChain *chain);
void tg_ref_chain_stats(const TgRefChain *chain, TgStats *stats);

#endif
