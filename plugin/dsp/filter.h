/* tguard: band-limit filters: Butterworth high- and low-pass, DC removal.
 *
 * A small diaphragm cannot reproduce low frequencies: they only add
 * excursion and heat. The high-pass keeps them out, the low-pass keeps out
 * what the transducer (or a piezo's falling reactance) should not get, and a
 * first-order DC blocker is always on because DC in a coil is pure heat.
 *
 * The fields of the filter's structs are this module's own: other modules
 * use the functions and accessors below (host-test/tests/check-private.sh,
 * run by make check, holds plugin/ to that). The exception is
 * TgBiquadCoefs, a value: the coefficients tg_biquad_design gives. How the
 * steady cascade keeps its memory (packed or in the sections) is filter.c's
 * alone.
 */
#ifndef TG_FILTER_H
#define TG_FILTER_H

#include <stdint.h>

#define TG_FILTER_MAX_CH 2

typedef enum { TG_LOWPASS, TG_HIGHPASS } TgPass;

/* One second-order section: designed in double (RBJ audio EQ cookbook),
 * run as direct form I while it glides (one multiply and one add from one
 * frame to the next; in double the forms are equally quiet), and as part
 * of the block system below once everything has settled. */
typedef struct {
	double b0, b1, b2, a1, a2;
} TgBiquadCoefs;

typedef struct {
	double x1, x2, y1, y2;
} TgBiquadState;

void tg_biquad_design(TgBiquadCoefs *c, TgPass pass, double freq, double q, double rate);

/* Butterworth Q of each section, 1 / (2 cos(theta)): the pole at pi/4 for
 * the second order, at pi/8 and 3pi/8 for the fourth. Facts of the design,
 * written once for the filters here, the guard band (safety.h) and the
 * reference chain; literals, as a cosine would round them differently. */
#define TG_BW2_Q 0.70710678118654752
#define TG_BW4_Q0 0.54119610014619698
#define TG_BW4_Q1 1.30656296487637653

/** Run one section over n samples in place (direct form I, double). */
void tg_biquad_process(const TgBiquadCoefs *c, TgBiquadState *st, float *x, uint32_t n);

/** |H(e^jw)| in dB at freq: for tests and plots. */
double tg_biquad_magnitude_db(const TgBiquadCoefs *c, double freq, double rate);

/* A glide of section parameters keeps every change click-free: the corner
 * and Q glide on a log scale, and a section is blended in or out with a
 * linear wet/dry mix while its state stays warm. */
typedef struct {
	TgBiquadCoefs c;
	TgBiquadState st[TG_FILTER_MAX_CH];
	double freq, freq_to;
	double q, q_to;
	double mix, mix_to; /* 0 = section bypassed, 1 = fully in */
} TgSection;

/* A Butterworth high- or low-pass of order 0, 2 or 4: two sections. */
typedef struct {
	TgPass pass;
	TgSection sec[2];
} TgButterworth;

/* First-order DC blocker (bilinear high-pass), gain exactly 1 at Nyquist. */
typedef struct {
	double b0, a1;
	double x1[TG_FILTER_MAX_CH], y1[TG_FILTER_MAX_CH];
} TgDcBlock;

#define TG_DC_BLOCK_HZ 2.0

void tg_dc_init(TgDcBlock *dc, double rate);
void tg_dc_reset(TgDcBlock *dc);
/** Filter n samples of channel ch in place. */
void tg_dc_process(TgDcBlock *dc, float *x, uint32_t ch, uint32_t n);

/* A blocker whose output is not heard (the chain's bypass path while
 * enabled) is advanced over m frames of input v at once, in closed form:
 *     y1' = p^m y1 + b0 sum over k < m of p^(m-1-k) (v[k] - v[k-1]),
 * p = -a1 the pole, v[-1] = x1. The sum is w[0] v[m-1] - w[m-1] v[-1] plus
 * the sum over k < m-1 of (w[m-1-k] - w[m-2-k]) v[k], w[j] = p^j: no chain
 * from one frame to the next, and one table of weights for every m. */

/** The tables for runs of up to n frames: w[j] = p^j for j <= n, and
 * dw[j] = w[n-1-j] - w[n-2-j] for j + 2 <= n, dw[n-1] = w[0]. */
void tg_dc_weights(const TgDcBlock *dc, double *w, double *dw, uint32_t n);

/** Advance channel ch over m frames (1 <= m <= n): sum is the sum over
 * k < m of dw[n - m + k] v[k], last is v[m-1]. Inline: the caller's
 * compiler flags, not filter.c's contraction, as it always ran. */
static inline void tg_dc_advance(TgDcBlock *dc, uint32_t ch, const double *w, uint32_t m,
                                 double sum, float last)
{
	const double acc = sum - w[m - 1] * dc->x1[ch];
	dc->y1[ch] = w[m] * dc->y1[ch] + dc->b0 * acc;
	dc->x1[ch] = (double)last;
}

/* The steady cascade (DC blocker and K sections) as a block state-space
 * system over TG_BLK frames: the state is packed as u1, d1, d2 (the DC
 * blocker's last input and last two outputs), then y1, y2 of each section,
 * 3 + 2K values. A block's outputs and the inner state after it are matrix
 * products of the state before it and the block's inputs, so the frame-to-
 * frame feedback becomes one short chain per block. */
#define TG_BLK 8
#define TG_BLK_NS 11

typedef struct {
	double cy[TG_BLK_NS][TG_BLK]; /* outputs from each state value */
	double dy[TG_BLK][TG_BLK];    /* outputs from each input frame */
	double at[TG_BLK_NS][TG_BLK]; /* state d1 .. (next-to-last stage's y2) from each state value */
	double bt[TG_BLK][TG_BLK];    /* the same from each input frame */
} TgFilterBlock;

/* How the steady cascade runs: frame by frame, in blocks with portable
 * vectors, or in blocks with AVX2 and FMA (chosen at init when the CPU has
 * them). */
typedef enum { TG_FILTER_SCALAR, TG_FILTER_BLOCK, TG_FILTER_BLOCK_AVX2 } TgFilterKernel;

typedef struct {
	double rate;
	double glide;    /* one-pole coefficient for log-frequency and Q glides */
	double mix_step; /* per frame, for blending sections in and out */
	uint32_t n_ch;
	int steady; /* every section settled, fully in or out */
	TgDcBlock dc;
	TgButterworth hpf, lpf;
	TgFilterKernel kernel;
	int blk_k;     /* sections the block matrices were made for; -1: none */
	uint32_t warm; /* steady frames run one by one since the last change */
	int packed;    /* the memory is in ps, not in the sections */
	int twin;      /* as last told: the second channel follows the first */
	double ps[TG_FILTER_MAX_CH][TG_BLK_NS];
	TgFilterBlock blk;
} TgFilter;

void tg_filter_init(TgFilter *f, double rate, uint32_t n_ch);

/** Set the targets; with jump set (at activation) they apply at once.
 * order is 0 (off), 2 or 4; freq is clamped to 0.45 of the sample rate. */
void tg_filter_set(TgFilter *f, double hpf_hz, int hpf_order, double lpf_hz,
                   int lpf_order, int jump);

/** Use kernel k for the steady cascade; 0 when this CPU or build cannot
 * (then the choice stays). For tests and benchmarks: init picks the
 * fastest. */
int tg_filter_use(TgFilter *f, TgFilterKernel k);

/** Clear all filter memory. */
void tg_filter_reset(TgFilter *f);

/** Filter n frames in place. twin is the caller's decision that the
 * second channel gets the same input as the first: then only the first
 * runs (buf[1] is neither read nor written), and the second channel's
 * memory follows it. As twin changes, the second channel's memory becomes
 * the first's: on the way in it should be close already (see
 * tg_filter_twin_ready), on the way out it continues from the first's. */
void tg_filter_process(TgFilter *f, float *const *buf, int twin, uint32_t n);

/** Whether every section is settled, fully in or out. */
static inline int tg_filter_steady(const TgFilter *f) { return f->steady; }

/** Whether the second channel's memory is within rounding of the first's,
 * so it can follow as a twin when both get the same input. */
int tg_filter_twin_ready(TgFilter *f);

/** Steady-state magnitude in dB of the whole filter at freq (DC blocker
 * included), for the settings reached after the glides. */
double tg_filter_magnitude_db(const TgFilter *f, double freq);

#endif
