/* tguard measurements on rendered audio: the protection invariants in
 * physical units, and distortion. Shared by the tests and the render host. */
#ifndef TG_ANALYSIS_H
#define TG_ANALYSIS_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
	double peak_a; /* highest |i| of any output sample, A */
	double rms_a;  /* highest sqrt(ms[n]) of the thermal estimate, A */
	uint64_t nonfinite;
} TgCurrentStats;

/** Walk interleaved-by-channel buffers out[ch][i] with amps = vfs / z:
 * i[n] is the current of the louder channel, ms[n] = ms[n-1] +
 * (1 - e^(-1/(tau fs))) (i[n]^2 - ms[n-1]) from ms = 0. */
void tg_current_stats(const float *const *out, uint32_t n_ch, uint64_t n, double amps,
                      double tau_s, double rate, TgCurrentStats *stats);

/** The highest |x| of any sample of n_ch channels of n frames; NaN never
 * wins (tg_current_stats counts it). */
double tg_sample_peak(const float *const *x, uint32_t n_ch, uint64_t n);

/** THD+N of x[0..n) with a sine of known frequency: the least-squares fit
 * of sine, cosine and DC is the signal; everything else is distortion and
 * noise. Returns residual RMS / fitted sine RMS. */
double tg_thdn(const float *x, uint64_t n, double rate, double freq);

/** RMS of x[0..n). */
double tg_rms(const float *x, uint64_t n);

/* ---- True peak: the peak of the waveform a DAC reconstructs ----
 *
 * The samples are taken as the values, at the integers, of the ideal
 * band-limited signal y(t) = sum_k x[k] sinc(t - k), with x zero outside
 * [0, n). The measure evaluates y at t = i + p/os (p = 0..os-1), so the
 * samples themselves are included, and returns the largest |y|.
 *
 * The interpolator: the prototype h(t) = sinc(t) w(t), cut off at the
 * original Nyquist frequency, windowed by a Kaiser window w of half length
 * TG_MTP_TAPS / 2 input samples and shape TG_MTP_BETA (sidelobes near
 * -80 dB, transition band about 0.495 .. 0.505 fs). Phase p of the polyphase
 * filter has the TG_MTP_TAPS taps h(k - TG_MTP_TAPS/2 + p/os), scaled to sum
 * to 1 (unity gain at DC); phase 0 is the sample itself, exactly. Each
 * phase is applied by FFT convolution (overlap-save, single precision);
 * the result equals the direct double-precision sums of the taps to
 * 1e-5 of full scale (checked in host-test/tests/test_truepeak.c).
 *
 * Its own accuracy, measured in test_truepeak.c (worst of 64 starting
 * phases): a steady sine at 1 kHz, fs/4, 0.45 fs or 0.49 fs reads within
 * 0.005 dB of its amplitude; fs/4 at 45 degrees reads 0 dB where its
 * samples read -3.01 dB. What is left is the grid: an isolated crest
 * half-way between two of the os points reads low by at most
 * cos(pi f / (os fs)), 0.034 dB at 0.45 fs and 16x. Content in the
 * transition band is read low (-6 dB at fs/2, as by any reconstruction
 * filter). The ideal reconstruction of a bounded sequence is unbounded
 * (sum |sinc| grows like log K), so the worst-case pattern
 * sign(sinc(n - n0 - 1/2)), |n - n0| < K, reads under its ideal true peak
 * by 0.004 dB at K = 8, 0.013 dB at K = 16 and 0.045 dB at K = 32.
 *
 * Non-finite samples count as 0 here (callers count them separately).
 * Speed: about 40 ns per sample and channel at 16x. */

#define TG_MTP_TAPS 512   /* taps per phase, in input samples */
#define TG_MTP_BETA 8.0   /* Kaiser shape: sidelobes about -80 dB */
#define TG_MTP_OVERSAMPLE 16
/* A true peak may exceed a limit by this much (the measure's resolution,
 * and room for a limiter's own, shorter, detector). */
#define TG_MTP_TOL_DB 0.05

typedef struct {
	double peak;        /* largest |y| on the grid, samples included */
	double sample_peak; /* largest |x[i]| */
	uint64_t at;        /* where: t = at + phase / os */
	unsigned phase;
	uint64_t first_over; /* first i with a grid value in [i, i+1) over the
	                      * threshold; UINT64_MAX: none */
} TgTpMeasure;

/** Measure y(t) on the grid for t in [from, to) (frames), using the whole
 * of x[0..n) as context and zeros outside it. over: the threshold for
 * first_over. os: 1..64. Not thread-safe (a cached filter). Returns 0, or
 * -1 when memory runs out or os is out of range. */
int tg_true_peak_range(const float *x, uint64_t n, uint64_t from, uint64_t to, unsigned os,
                       double over, TgTpMeasure *tp);

/** The true peak of all of x[0..n) at os-times oversampling; NAN on failure. */
double tg_true_peak(const float *x, uint64_t n, unsigned os);

/** The true peak over frames [from, to) of the louder of n_ch channels
 * of n frames (each measured alone, as tg_true_peak_range; a channel equal
 * to an earlier one is not measured again); NAN on failure. */
double tg_true_peak_channels(const float *const *x, uint32_t n_ch, uint64_t n, uint64_t from,
                             uint64_t to, unsigned os);

/** The oversampled signal itself: y[i os + p] = y(i + p/os), i < n. */
int tg_true_peak_upsample(const float *x, uint64_t n, unsigned os, double *y);

/** The TG_MTP_TAPS normalised taps of phase p (0 <= p < os):
 * y(i + p/os) = sum_k taps[k] x[i + TG_MTP_TAPS/2 - k]. */
void tg_true_peak_taps(unsigned os, unsigned p, double *taps);

/** Free the filter the functions above keep between calls (it is built
 * again when next needed). */
void tg_true_peak_release(void);

/** One line naming the method, e.g. "16x windowed-sinc reconstruction
 * (Kaiser, beta 8, 512 taps per phase)". */
void tg_true_peak_method(unsigned os, char *buf, size_t len);

#endif
