/* tguard measurements on rendered audio: the protection invariants in
 * physical units, and distortion. Shared by the tests and the render host. */
#ifndef TG_ANALYSIS_H
#define TG_ANALYSIS_H

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

/** THD+N of x[0..n) with a sine of known frequency: the least-squares fit
 * of sine, cosine and DC is the signal; everything else is distortion and
 * noise. Returns residual RMS / fitted sine RMS. */
double tg_thdn(const float *x, uint64_t n, double rate, double freq);

/** RMS of x[0..n). */
double tg_rms(const float *x, uint64_t n);

#endif
