/* plot_presets: measure every factory preset through the built plugin and
 * write what docs/presets/SLUG.png shows: three data files per preset and
 * one gnuplot script that draws each preset with host-test/tools/plots.gp. Run by
 * `make plots`; the tests never do.
 *
 *   plot_presets BUNDLE DATA_DIR PNG_DIR PLOTS_GP
 *
 * Nothing is computed from the controls' formulas: every curve is a render
 * through the mono plugin at 48 kHz, the same code a host runs.
 *
 * With --demo, for `make demo`: the current of one render by tguard-render
 * of a built-in signal, against the preset's limits, without tguard and
 * with it (data, and a gnuplot script that loads DEMO_GP):
 *
 *   plot_presets --demo BUNDLE PRESET SIGNAL RENDERED DATA_DIR PNG DEMO_GP */
#define _XOPEN_SOURCE 700

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sndfile.h>

#include "analysis.h"
#include "host.h"
#include "references.h"
#include "render.h"
#include "signals.h"

/* The mono variant: one channel through the same chain as the others. */
#define PLUGIN "urn:tguard:mono"
#define RATE 48000.0
#define RAMP_MIN_S 0.1

/* Magnitude response: 20 points a decade at a level far under every
 * preset's limits, so that only the filters shape it. The 2 Hz DC blocker
 * (80 ms time constant) has settled long before the measured tail. */
#define RESP_POINTS 61
#define RESP_DBFS -40.0
#define RESP_SETTLE_S 0.6
#define RESP_TAIL_S 0.3

/* Soft start: 10 ms windows hold 10 whole periods of 1 kHz. The level is at
 * most -20 dBFS and at most half of the lower current limit. */
#define ENV_FREQ 1000.0
#define ENV_WINDOW_S 0.010
#define ENV_MAX_DBFS -20.0
#define ENV_FINAL_S 0.5

/* Current against input level. Five time constants bring the heat
 * estimate within 1 % of its steady state, so rms_ma is the final one. */
#define CUR_FREQ 1000.0
#define CUR_FROM_DBFS -40
#define CUR_TO_DBFS 20
#define CUR_STEP_DB 2
#define CUR_TAUS 5.0

/* Gain reduction this small is rounding, not the limiter acting. */
#define GR_QUIET_DB -0.01


/* The controls a preset put in force, read back from the plugin. */
typedef struct {
	double z, vfs, i_peak, i_rms, tau, ramp, rise, hpf, hpf_order, lpf, lpf_order;
} Figures;


/* tg_render activates the plugin each time: every render starts from the
 * state the preset and the controls give, with no history. */
static int render(TgHost *host, const float *in, float *out, uint64_t n, TgReport *r)
{
	const float *const ins[1] = {in};
	float *const outs[1] = {out};
	return tg_render(host, RATE, ins, 1, n, outs, &(TgRenderOpts){512, 1, 0}, r);
}

static float *alloc_frames(uint64_t n)
{
	return malloc((size_t)n * sizeof(float));
}

static FILE *open_dat(const char *dir, const char *slug, const char *what, char *path, size_t len)
{
	snprintf(path, len, "%s/%s-%s.dat", dir, slug, what);
	FILE *const f = fopen(path, "w");
	if (!f) {
		fprintf(stderr, "error: cannot write %s\n", path);
	}
	return f;
}

static int close_dat(FILE *f, const char *path)
{
	if (fclose(f) != 0) {
		fprintf(stderr, "error: cannot write %s\n", path);
		return -1;
	}
	return 0;
}

/* Panel 1: gain of each sine over whole periods of the settled tail. */
static int measure_response(TgHost *host, const char *dir, const char *slug, double *worst_gr,
                            double *max_gain)
{
	char path[1024];
	FILE *const f = open_dat(dir, slug, "response", path, sizeof(path));
	const uint64_t n = (uint64_t)lround((RAMP_MIN_S + RESP_SETTLE_S + RESP_TAIL_S) * RATE);
	float *const in = alloc_frames(n), *const out = alloc_frames(n);
	int rc = f && in && out ? 0 : -1;
	const double amp = pow(10.0, RESP_DBFS / 20.0);
	*worst_gr = 0.0;
	*max_gain = -INFINITY;
	if (f) {
		fprintf(f, "# %s: %.0f dBFS sines, 48 kHz\n", PLUGIN, RESP_DBFS);
		fprintf(f, "# frequency (Hz), gain (dB), largest gain reduction (dB)\n");
	}
	for (int k = 0; rc == 0 && k < RESP_POINTS; ++k) {
		const double freq = 20.0 * pow(1000.0, (double)k / (RESP_POINTS - 1));
		tg_sig_sine(in, (uint32_t)n, RATE, freq, amp, 0.0);
		TgReport r;
		if (render(host, in, out, n, &r) != 0) {
			rc = -1;
			break;
		}
		const uint64_t tail = (uint64_t)lround(ceil(RESP_TAIL_S * freq) * RATE / freq);
		const uint64_t from = n - tail;
		const double rms_out = tg_rms(out + from, tail), rms_in = tg_rms(in + from, tail);
		/* Under -300 dB is silence, not a level; gnuplot skips NaN. */
		const double gain = rms_out > rms_in * 1e-15 ? 20.0 * log10(rms_out / rms_in) : NAN;
		fprintf(f, "%.3f %.4f %.4f\n", freq, gain, r.gr_db);
		*worst_gr = fmin(*worst_gr, r.gr_db);
		*max_gain = isnan(gain) ? *max_gain : fmax(*max_gain, gain);
	}
	if (f && close_dat(f, path) != 0) {
		rc = -1;
	}
	free(in);
	free(out);
	return rc;
}

/* Panel 2: the windowed RMS of the output under the preset's own soft
 * start, over the final level. */
static int measure_ramp(TgHost *host, const Figures *fig, const char *dir, const char *slug,
                        double *level_dbfs, TgReport *r)
{
	char path[1024];
	FILE *const f = open_dat(dir, slug, "ramp", path, sizeof(path));
	const uint64_t n = (uint64_t)lround((fig->ramp + 1.0) * RATE);
	const uint64_t w = (uint64_t)lround(ENV_WINDOW_S * RATE), nw = n / w;
	const uint64_t n_final = (uint64_t)lround(ENV_FINAL_S / ENV_WINDOW_S);
	float *const in = alloc_frames(n), *const out = alloc_frames(n);
	int rc = f && in && out ? 0 : -1;
	/* Half of the lower limit keeps the heat estimate under the guard's
	 * knee (90 %), so the envelope is the soft start alone. */
	const double amps = fig->vfs / fig->z;
	const double i_max = 0.5 * fmin(fig->i_peak, sqrt(2.0) * fig->i_rms) * 1e-3;
	const double amp = fmin(pow(10.0, ENV_MAX_DBFS / 20.0), i_max / amps);
	*level_dbfs = 20.0 * log10(amp);
	if (rc == 0) {
		tg_sig_sine(in, (uint32_t)n, RATE, ENV_FREQ, amp, 0.0);
		rc = render(host, in, out, n, r);
	}
	if (rc == 0) {
		double final = 0.0;
		for (uint64_t k = nw - n_final; k < nw; ++k) {
			final += tg_rms(out + k * w, w);
		}
		final /= (double)n_final;
		fprintf(f, "# 1 kHz sine at %.2f dBFS; ramp_s %g\n", *level_dbfs, fig->ramp);
		fprintf(f, "# window centre (s), RMS over %.0f ms / final RMS\n",
		        ENV_WINDOW_S * 1e3);
		for (uint64_t k = 0; k < nw; ++k) {
			fprintf(f, "%.4f %.5f\n", ((double)k + 0.5) * (double)w / RATE,
			        tg_rms(out + k * w, w) / final);
		}
	}
	if (f && close_dat(f, path) != 0) {
		rc = -1;
	}
	free(in);
	free(out);
	return rc;
}

/* Panel 3: the report's peak and RMS current at each input level. */
static int measure_current(TgHost *host, const Figures *fig, const char *dir, const char *slug,
                           double *over_ma)
{
	char path[1024];
	FILE *const f = open_dat(dir, slug, "current", path, sizeof(path));
	const uint64_t n = (uint64_t)lround((RAMP_MIN_S + CUR_TAUS * fig->tau) * RATE);
	float *const in = alloc_frames(n), *const out = alloc_frames(n);
	int rc = f && in && out ? 0 : -1;
	*over_ma = 0.0;
	if (f) {
		fprintf(f, "# 1 kHz sine, %.1f s, ramp_s %g\n", (double)n / RATE, RAMP_MIN_S);
		fprintf(f, "# input (dBFS peak), peak_ma, rms_ma, gr_db, clamps\n");
	}
	for (int db = CUR_FROM_DBFS; rc == 0 && db <= CUR_TO_DBFS; db += CUR_STEP_DB) {
		tg_sig_sine(in, (uint32_t)n, RATE, CUR_FREQ, pow(10.0, db / 20.0), 0.0);
		TgReport r;
		if (render(host, in, out, n, &r) != 0) {
			rc = -1;
			break;
		}
		fprintf(f, "%d %.5g %.5g %.3f %.0f\n", db, r.peak_ma, r.rms_ma, r.gr_db, r.clamps);
		*over_ma = fmax(*over_ma, fmax(r.peak_ma - fig->i_peak, r.rms_ma - fig->i_rms));
	}
	if (f && close_dat(f, path) != 0) {
		rc = -1;
	}
	free(in);
	free(out);
	return rc;
}

/* A gnuplot double-quoted string: backslash and quote escaped, newlines
 * as \n so that a title can have several lines. */
static void gp_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; ++s) {
		if (*s == '\n') {
			fputs("\\n", f);
		} else {
			if (*s == '"' || *s == '\\') {
				fputc('\\', f);
			}
			fputc(*s, f);
		}
	}
	fputc('"', f);
}

static void freq_text(char *buf, size_t len, double hz)
{
	if (hz >= 1000.0) {
		snprintf(buf, len, "%g kHz", hz / 1000.0);
	} else {
		snprintf(buf, len, "%g Hz", hz);
	}
}

static void figures_text(const Figures *fig, char *buf, size_t len)
{
	char hp[64], lp[64];
	if (fig->hpf_order > 0.0) {
		char fr[32];
		freq_text(fr, sizeof(fr), fig->hpf);
		snprintf(hp, sizeof(hp), "%s (%g dB/oct)", fr, 6.0 * fig->hpf_order);
	} else {
		snprintf(hp, sizeof(hp), "no high-pass");
	}
	if (fig->lpf_order > 0.0) {
		char fr[32];
		freq_text(fr, sizeof(fr), fig->lpf);
		snprintf(lp, sizeof(lp), "%s (%g dB/oct)", fr, 6.0 * fig->lpf_order);
	} else {
		snprintf(lp, sizeof(lp), "no low-pass");
	}
	snprintf(buf, len,
	         "Z %g Ω · vfs %g V (0 dBFS peak) · limits %g mA peak, %g mA RMS (τ %g s)\n"
	         "band %s – %s · soft start %g s · rise %g dB/s",
	         fig->z, fig->vfs, fig->i_peak, fig->i_rms, fig->tau, hp, lp, fig->ramp, fig->rise);
}

static void read_figures(const TgHost *host, Figures *fig)
{
	fig->z = tg_host_get(host, "z_ohm");
	fig->vfs = tg_host_get(host, "vfs");
	fig->i_peak = tg_host_get(host, "i_peak_ma");
	fig->i_rms = tg_host_get(host, "i_rms_ma");
	fig->tau = tg_host_get(host, "tau_s");
	fig->ramp = tg_host_get(host, "ramp_s");
	fig->rise = tg_host_get(host, "rise_db_s");
	fig->hpf = tg_host_get(host, "hpf_hz");
	fig->hpf_order = tg_host_get(host, "hpf_order");
	fig->lpf = tg_host_get(host, "lpf_hz");
	fig->lpf_order = tg_host_get(host, "lpf_order");
}

static int plot_preset(const char *bundle, const char *label, const char *dir, const char *png_dir,
                       const char *plots_gp, FILE *gp)
{
	char slug[64], err[1024];
	tg_ref_slug(label, slug, sizeof(slug));
	TgHost *const host = tg_host_new(bundle);
	if (!host || tg_host_load(host, PLUGIN, RATE, err, sizeof(err)) != TG_HOST_OK ||
	    tg_host_apply_preset(host, label, err, sizeof(err)) != TG_HOST_OK) {
		fprintf(stderr, "error: %s\n", host ? err : "no host");
		tg_host_free(host);
		return -1;
	}
	Figures fig;
	read_figures(host, &fig);
	double env_dbfs = 0.0, worst_gr = 0.0, max_gain = 0.0, over_ma = 0.0;
	TgReport ramp_r;
	/* The soft start with the preset's own ramp_s; then the shortest ramp,
	 * which the steady-state measurements do not see. */
	int rc = measure_ramp(host, &fig, dir, slug, &env_dbfs, &ramp_r);
	tg_host_set(host, "ramp_s", (float)RAMP_MIN_S);
	rc = rc ? rc : measure_response(host, dir, slug, &worst_gr, &max_gain);
	rc = rc ? rc : measure_current(host, &fig, dir, slug, &over_ma);
	tg_host_free(host);
	if (rc != 0) {
		fprintf(stderr, "error: measuring \"%s\" failed\n", label);
		return -1;
	}

	printf("%s: response max %+.2f dB (gr %.3f dB), soft start done %.3f s (gr %.3f dB)\n",
	       slug, max_gain, worst_gr, ramp_r.ramp_done_s, ramp_r.gr_db);
	if (worst_gr < GR_QUIET_DB) {
		printf("warning: %s: the limiter acted during the response (%.3f dB)\n", slug,
		       worst_gr);
	}
	if (ramp_r.gr_db < GR_QUIET_DB) {
		printf("warning: %s: the limiter acted during the soft start (%.3f dB)\n", slug,
		       ramp_r.gr_db);
	}
	if (over_ma > 0.0) {
		printf("warning: %s: a current exceeded its limit by %.4f mA\n", slug, over_ma);
	}

	char figures[512];
	figures_text(&fig, figures, sizeof(figures));
	fprintf(gp, "\n# %s\nlabel = ", slug);
	gp_string(gp, label);
	fprintf(gp, "\nfigures = ");
	gp_string(gp, figures);
	fprintf(gp, "\ndat = ");
	char path[1024];
	snprintf(path, sizeof(path), "%s/%s", dir, slug);
	gp_string(gp, path);
	fprintf(gp, "\nout = ");
	snprintf(path, sizeof(path), "%s/%s.png", png_dir, slug);
	gp_string(gp, path);
	fprintf(gp, "\nhpf = %g; hpf_order = %g; lpf = %g; lpf_order = %g\n", fig.hpf,
	        fig.hpf_order, fig.lpf, fig.lpf_order);
	fprintf(gp, "ipk = %g; irms = %g; ifs = %g\n", fig.i_peak, fig.i_rms,
	        fig.vfs / fig.z * 1e3);
	fprintf(gp, "resp_dbfs = %g; env_dbfs = %.1f; ramp_done = %.4f\n", RESP_DBFS, env_dbfs,
	        ramp_r.ramp_done_s);
	fprintf(gp, "cur_s = %.1f\n", RAMP_MIN_S + CUR_TAUS * fig.tau);
	fprintf(gp, "load ");
	gp_string(gp, plots_gp);
	fprintf(gp, "\n");
	return 0;
}

/* ---- --demo: one render's current, without tguard and with it ---- */

/* Windows short enough to show single peaks of noise, long enough that a
 * few seconds make a readable line. */
#define DEMO_WINDOW_S 0.010

/* One track of current: per window its highest |i| and the thermal
 * estimate (the report's RMS, tg_current_stats) at the window's end. */
typedef struct {
	double ms, alpha, amps;
	double win_peak, peak, rms_max;
} DemoTrack;

static void demo_track_init(DemoTrack *t, double amps, double tau, double rate)
{
	memset(t, 0, sizeof(*t));
	t->alpha = 1.0 - exp(-1.0 / (tau * rate));
	t->amps = amps;
}

/* v: the frame's level at the transducer, in full scale. */
static void demo_track_add(DemoTrack *t, double v)
{
	const double i = fabs(v) * t->amps;
	t->ms += t->alpha * (i * i - t->ms);
	t->win_peak = fmax(t->win_peak, i);
	t->peak = fmax(t->peak, i);
	t->rms_max = fmax(t->rms_max, t->ms);
}

/* The level at the transducer in frame i: the louder output against
 * ground, or the difference of the two when wired tip-ring. clip: as a
 * card plays a signal over full scale, without tguard. */
static double demo_level(float *const *x, uint32_t n_ch, uint64_t i, int bridged, int clip)
{
	double v[2] = {x[0][i], n_ch > 1 ? x[1][i] : 0.0};
	for (uint32_t ch = 0; clip && ch < n_ch; ++ch) {
		v[ch] = fmax(-1.0, fmin(1.0, v[ch]));
	}
	if (bridged && n_ch == 2) {
		return v[0] - v[1];
	}
	return fmax(fabs(v[0]), fabs(v[1]));
}

/* The rendered file, by channel. */
static int demo_read(const char *path, float *out[2], uint32_t *n_ch, uint64_t *n, double *rate)
{
	SF_INFO info;
	memset(&info, 0, sizeof(info));
	SNDFILE *const sf = sf_open(path, SFM_READ, &info);
	if (!sf) {
		fprintf(stderr, "error: cannot read %s: %s\n", path, sf_strerror(NULL));
		return -1;
	}
	int rc = info.channels >= 1 && info.channels <= 2 && info.frames > 0 ? 0 : -1;
	float *const inter =
	    rc == 0 ? malloc((size_t)info.frames * (size_t)info.channels * sizeof(float)) : NULL;
	if (inter && sf_readf_float(sf, inter, info.frames) == info.frames) {
		*n_ch = (uint32_t)info.channels;
		*n = (uint64_t)info.frames;
		*rate = info.samplerate;
		for (uint32_t ch = 0; ch < *n_ch; ++ch) {
			out[ch] = alloc_frames(*n);
			for (uint64_t i = 0; out[ch] && i < *n; ++i) {
				out[ch][i] = inter[i * *n_ch + ch];
			}
			rc = out[ch] ? rc : -1;
		}
	} else {
		rc = -1;
	}
	if (rc != 0) {
		fprintf(stderr, "error: %s is not 1 or 2 channels of audio\n", path);
	}
	free(inter);
	sf_close(sf);
	return rc;
}

static int plot_demo(char **argv)
{
	const char *const bundle = argv[0], *const preset = argv[1], *const signal = argv[2];
	const char *const rendered = argv[3], *const dir = argv[4], *const png = argv[5];
	float *out[2] = {NULL, NULL}, *in[2] = {NULL, NULL};
	uint32_t n_ch = 0;
	uint64_t n = 0;
	double rate = 0.0;
	if (demo_read(rendered, out, &n_ch, &n, &rate) != 0) {
		free(out[0]);
		free(out[1]);
		return 1;
	}
	/* The limits in force: the preset on the plugin tguard-render chose
	 * (stereo for a built-in signal, mono for a 1-channel one). */
	char err[1024];
	TgHost *const host = tg_host_new(bundle);
	int rc = host && tg_host_load(host, n_ch == 1 ? "urn:tguard:mono" : "urn:tguard:stereo", rate,
	                              err, sizeof(err)) == TG_HOST_OK &&
	                 tg_host_apply_preset(host, preset, err, sizeof(err)) == TG_HOST_OK
	             ? 0
	             : 1;
	if (rc != 0) {
		fprintf(stderr, "error: %s\n", host ? err : "no host");
	}
	Figures fig;
	memset(&fig, 0, sizeof(fig));
	double i_pk = 0.0;
	int bridged = 0;
	if (rc == 0) {
		read_figures(host, &fig);
		i_pk = fmin(fig.i_peak, tg_host_get(host, "v_peak") / fig.z * 1e3);
		bridged = tg_host_bridged(host);
	}
	tg_host_free(host);
	/* The signal again, as tguard-render made it: deterministic. */
	char name[64];
	snprintf(name, sizeof(name), "%s", signal);
	name[strcspn(name, ":")] = '\0';
	for (uint32_t ch = 0; rc == 0 && ch < 2; ++ch) {
		in[ch] = alloc_frames(n);
		rc = in[ch] ? 0 : 1;
	}
	if (rc == 0 && tg_builtin_signal(name, rate, 2, n, in) != 0) {
		fprintf(stderr, "error: unknown signal \"%s\"\n", name);
		rc = 1;
	}
	char path[1024];
	snprintf(path, sizeof(path), "%s/demo-current.dat", dir);
	FILE *const f = rc == 0 ? fopen(path, "w") : NULL;
	if (rc == 0 && !f) {
		fprintf(stderr, "error: cannot write %s\n", path);
		rc = 1;
	}
	const double amps = rc == 0 ? fig.vfs / fig.z : 0.0;
	DemoTrack before, after;
	if (rc == 0) {
		demo_track_init(&before, amps, fig.tau, rate);
		demo_track_init(&after, amps, fig.tau, rate);
		fprintf(f, "# %s through \"%s\", %g Hz; %.0f ms windows\n", signal, preset, rate,
		        DEMO_WINDOW_S * 1e3);
		fprintf(f, "# time (s); without tguard: peak, RMS (mA); with tguard: peak, RMS (mA)\n");
		const uint64_t w = (uint64_t)lround(DEMO_WINDOW_S * rate);
		for (uint64_t i = 0; i < n; ++i) {
			demo_track_add(&before, demo_level(in, n_ch == 1 ? 1 : 2, i, bridged, 1));
			demo_track_add(&after, demo_level(out, n_ch, i, bridged, 0));
			if ((i + 1) % w == 0 || i + 1 == n) {
				fprintf(f, "%.4f %.4f %.4f %.4f %.4f\n", (double)(i + 1) / rate,
				        before.win_peak * 1e3, sqrt(before.ms) * 1e3, after.win_peak * 1e3,
				        sqrt(after.ms) * 1e3);
				before.win_peak = after.win_peak = 0.0;
			}
		}
		rc = close_dat(f, path) != 0;
	}
	snprintf(path, sizeof(path), "%s/demo.gp", dir);
	FILE *const gp = rc == 0 ? fopen(path, "w") : NULL;
	if (rc == 0 && !gp) {
		fprintf(stderr, "error: cannot write %s\n", path);
		rc = 1;
	}
	if (rc == 0) {
		char figures[512];
		figures_text(&fig, figures, sizeof(figures));
		fprintf(gp, "# Written by plot_presets --demo.\nlabel = ");
		gp_string(gp, preset);
		fprintf(gp, "\nfigures = ");
		gp_string(gp, figures);
		fprintf(gp, "\nsig = ");
		gp_string(gp, signal);
		fprintf(gp, "\nrendered = ");
		gp_string(gp, rendered);
		snprintf(path, sizeof(path), "%s/demo-current.dat", dir);
		fprintf(gp, "\ndat = ");
		gp_string(gp, path);
		fprintf(gp, "\nout = ");
		gp_string(gp, png);
		fprintf(gp, "\nipk = %g; irms = %g; ifs = %g; tau = %g; secs = %g\nload ", i_pk,
		        fig.i_rms, amps * 1e3, fig.tau, (double)n / rate);
		gp_string(gp, argv[6]);
		fprintf(gp, "\n");
		rc = fclose(gp) != 0;
		printf("current without tguard:   %.3f mA peak (limit %.3f mA), %.3f mA highest RMS "
		       "(limit %.3f mA):\n"
		       "                          the same signal straight to the card, clipped at "
		       "full scale\n",
		       before.peak * 1e3, i_pk, sqrt(before.rms_max) * 1e3, fig.i_rms);
		printf("current with tguard:      %.3f mA peak (limit %.3f mA), %.3f mA highest RMS "
		       "(limit %.3f mA):\n"
		       "                          %s (sample peaks; the report above gives the true "
		       "peak)\n",
		       after.peak * 1e3, i_pk, sqrt(after.rms_max) * 1e3, fig.i_rms, rendered);
	}
	for (uint32_t ch = 0; ch < 2; ++ch) {
		free(in[ch]);
		free(out[ch]);
	}
	return rc;
}

int main(int argc, char **argv)
{
	if (argc == 9 && strcmp(argv[1], "--demo") == 0) {
		return plot_demo(argv + 2);
	}
	if (argc != 5) {
		fprintf(stderr, "usage: plot_presets BUNDLE DATA_DIR PNG_DIR PLOTS_GP\n"
		                "       plot_presets --demo BUNDLE PRESET SIGNAL RENDERED DATA_DIR "
		                "PNG DEMO_GP\n");
		return 1;
	}
	const char *const bundle = argv[1], *const dir = argv[2], *const png_dir = argv[3];
	static TgPresetList presets;
	TgHost *const host = tg_host_new(bundle);
	char err[1024];
	if (!host ||
	    tg_host_load(host, "urn:tguard:stereo", RATE, err, sizeof(err)) != TG_HOST_OK) {
		fprintf(stderr, "error: %s\n", host ? err : "no host");
		tg_host_free(host);
		return 1;
	}
	tg_ref_preset_labels(host, &presets);
	tg_host_free(host);
	if (presets.n == 0) {
		fprintf(stderr, "error: no presets in %s\n", bundle);
		return 1;
	}

	char gp_path[1024];
	snprintf(gp_path, sizeof(gp_path), "%s/presets.gp", dir);
	FILE *const gp = fopen(gp_path, "w");
	if (!gp) {
		fprintf(stderr, "error: cannot write %s\n", gp_path);
		return 1;
	}
	fprintf(gp, "# Written by plot_presets: one block per factory preset.\n");
	for (unsigned i = 0; i < presets.n; ++i) {
		if (plot_preset(bundle, presets.labels[i], dir, png_dir, argv[4], gp) != 0) {
			fclose(gp);
			return 1;
		}
	}
	if (fclose(gp) != 0) {
		fprintf(stderr, "error: cannot write %s\n", gp_path);
		return 1;
	}
	printf("measured %u presets; gnuplot script %s\n", presets.n, gp_path);
	return 0;
}
