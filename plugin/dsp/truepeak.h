/* tguard: true-peak detection by 4x polyphase interpolation.
 *
 * A DAC rebuilds a continuous voltage from the samples, and between two
 * samples it can rise above both (by up to +3 dB for a tone at fs/4, far
 * more for crafted patterns). The detector reads, for each frame n, the
 * largest of |x[n]| and of the signal interpolated at n + p/4 (p = 1, 2, 3),
 * as ITU-R BS.1770-4 Annex 2 does: every instant of the interval [n, n + 1)
 * is then within a quarter sample of a point read.
 *
 * Under-read. Between two points read, a signal band-limited to f_max can
 * rise by at most the factor 1 / cos(pi f_max / (4 fs)) over the higher of
 * them (worst case: a sinusoid at f_max whose crest falls midway). With
 * f_max = fs / 2 that is 1 / cos(pi / 8): the detector reads at most
 * 0.688 dB low. TG_TP_MARGIN_DB covers it, plus the interpolator's own
 * error (tones to 0.49 fs read -0.43 .. +0.005 dB, test_dsp).
 *
 * The interpolator: a Kaiser-windowed sinc (beta 7) with TG_TP_TAPS taps
 * per phase, each phase normalised to unity gain at DC. It needs
 * TG_TP_HALF frames after the last frame read and TG_TP_HALF - 1 before
 * the first: callers keep that much audio around the frames they ask for.
 *
 * TgTruePeak's fields are this module's own: other modules use the
 * functions below (host-test/tests/check-private.sh, run by make check,
 * holds plugin/ to that).
 */
#ifndef TG_TRUEPEAK_H
#define TG_TRUEPEAK_H

#include <stdint.h>

#define TG_TP_OVERSAMPLE 4
#define TG_TP_TAPS 24
#define TG_TP_HALF (TG_TP_TAPS / 2)
/* 0.688 dB for the 4x grid (20 log10 cos(pi/8)), and 0.21 dB for the
 * interpolator's transition band under the guard band's corner (a short
 * burst there spreads towards Nyquist, where 24 taps read low), the gain
 * envelope's own spread and rounding. Measured with the limiter, the
 * worst reconstructed peak of bursts from 0.3 to 0.5 fs, driven 20 to
 * 40 dB over the ceiling, is then 0.19 dB under it. */
#define TG_TP_MARGIN_DB 0.9

typedef struct {
	/* h[p - 1][k]: weight of x[n - TG_TP_HALF + 1 + k] for the point n + p/4 */
	float h[TG_TP_OVERSAMPLE - 1][TG_TP_TAPS];
	/* For the fast kernel: h1[k] + h1[N-1-k] and h1[k] - h1[N-1-k]. */
	float h13s[TG_TP_HALF], h13d[TG_TP_HALF];
	int avx2; /* the AVX2+FMA kernel, chosen at init where the CPU has it */
} TgTruePeak;

/** Design the interpolator (instantiation class). */
void tg_tp_init(TgTruePeak *tp);

/** The plain definition: max over n in [0, len) of |x[n]| and of the
 * interpolated points n + p/4; reads x[-TG_TP_HALF + 1 .. len - 1 +
 * TG_TP_HALF]. In double, scalar: the specification the fast path is
 * held to. */
double tg_tp_max_ref(const TgTruePeak *tp, const float *x, uint32_t len);

/** The same value computed fast (float, vectors); len a multiple of 4. */
float tg_tp_max(const TgTruePeak *tp, const float *x, uint32_t len);

/** out[j] = tg_tp_max(tp, x + j len, len) for j < count: the same values
 * (len a multiple of 4), sub-blocks of 8 two at a time. */
void tg_tp_max_each(const TgTruePeak *tp, const float *x, uint32_t count, uint32_t len,
                    float *out);

/** The interpolated value at n + p/4 (p = 1, 2, 3) for one frame n, at
 * x[0] = frame n: for the guard's re-check after it scales a frame. */
float tg_tp_point(const TgTruePeak *tp, const float *x, unsigned p);

#endif
