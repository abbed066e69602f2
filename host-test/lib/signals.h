/* tguard test signals: deterministic generators shared by the tests, the
 * render host and the benchmark. */
#ifndef TG_SIGNALS_H
#define TG_SIGNALS_H

#include <stdint.h>

/* xorshift32: the same noise on every machine. */
typedef struct {
	uint32_t state;
} TgRng;

void tg_rng_seed(TgRng *rng, uint32_t seed);
uint32_t tg_rng_next(TgRng *rng);
/** Uniform in [-1, 1). */
float tg_rng_uniform(TgRng *rng);

/** amp * sin(2 pi f t + phase). */
void tg_sig_sine(float *x, uint32_t n, double rate, double freq, double amp, double phase);

/** Pink noise (-3 dB/octave) scaled to the given RMS. */
void tg_sig_pink(float *x, uint32_t n, double rms, uint32_t seed);

/** Square wave of the given peak amplitude. */
void tg_sig_square(float *x, uint32_t n, double rate, double freq, double amp);

/** Silence for silence_s, then alternating full-scale noise bursts of
 * burst_s and gaps of gap_s. */
void tg_sig_burst(float *x, uint32_t n, double rate, double silence_s, double burst_s,
                  double gap_s, double amp, uint32_t seed);

/** Logarithmic sine sweep from f0 to f1 over n frames. */
void tg_sig_sweep(float *x, uint32_t n, double rate, double f0, double f1, double amp);


/* The built-in signals of tguard-render, all deterministic. */
typedef struct {
	const char *name;
	double seconds; /* default duration */
	const char *what; /* the signal itself, before any plugin */
	int raw; /* tguard-render writes it as it is, never through the plugin */
} TgBuiltinSignal;

extern const TgBuiltinSignal tg_builtin_signals[];
extern const unsigned tg_n_builtin_signals;

/** The built-in signal of that name; NULL if none. */
const TgBuiltinSignal *tg_builtin_find(const char *name);

/* The calibration tone (README, Calibration): a 60 Hz sine at -6 dBFS
 * peak, so vfs = V_rms * sqrt(2) * 2. Cheap meters read 60 Hz well. */
#define TG_CALIB_HZ 60.0
#define TG_CALIB_AMP 0.5

/** Fill n_ch channels of n frames with a built-in signal; 0 on success, -1
 * for an unknown name. */
int tg_builtin_signal(const char *name, double rate, uint32_t n_ch, uint64_t n, float *const *x);

#endif
