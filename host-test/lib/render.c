/* tguard render core. */
#include "render.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "rtcheck.h"
#include "signals.h"

#define MAX_BLOCK 4096
/* Frames of the plugin's output after the input ends that the true peak of
 * the last frame depends on. */
#define TAIL (TG_MTP_TAPS / 2)

int tg_render(TgHost *host, double rate, const float *const *in, uint32_t n_in, uint64_t n,
              float *const *out, const TgRenderOpts *opts, TgReport *report)
{
	const uint32_t p_in = tg_host_n_audio_in(host), p_out = tg_host_n_audio_out(host);
	if (p_in < 1 || p_out < 1 || n_in < 1 || (n_in != p_in && n_in != 1)) {
		return -1;
	}
	memset(report, 0, sizeof(*report));
	float *ibuf[2] = {NULL, NULL}, *obuf[2] = {NULL, NULL};
	int ok = 1;
	for (uint32_t ch = 0; ch < 2; ++ch) {
		ibuf[ch] = calloc(MAX_BLOCK, sizeof(float));
		obuf[ch] = calloc(MAX_BLOCK, sizeof(float));
		ok = ok && ibuf[ch] && obuf[ch];
	}
	if (!ok) {
		for (uint32_t ch = 0; ch < 2; ++ch) {
			free(ibuf[ch]);
			free(obuf[ch]);
		}
		return -1;
	}
	const unsigned long long rt_before = tg_rt_violations();
	tg_host_activate(host);
	/* A run of 0 frames reports the latency before any audio. */
	tg_host_run(host, (const float *const *)ibuf, obuf, 0);
	const float lat_f = tg_host_get(host, "latency");
	const uint32_t lat = opts->keep_latency || !(lat_f > 0.0f) ? 0 : (uint32_t)lat_f;
	const float ramp_s = tg_host_get(host, "ramp_s");
	TgRng rng;
	tg_rng_seed(&rng, opts->seed ? opts->seed : 1);
	double gr = 0.0, prev_ramp = 0.0;
	report->ramp_done_s = -1.0;
	const uint64_t total = n + lat;
	for (uint64_t pos = 0; pos < total;) {
		uint32_t m = opts->block ? opts->block : 1u + tg_rng_next(&rng) % MAX_BLOCK;
		m = m > MAX_BLOCK ? MAX_BLOCK : m;
		if (m > total - pos) {
			m = (uint32_t)(total - pos);
		}
		for (uint32_t ch = 0; ch < p_in; ++ch) {
			const float *const src = in[n_in == p_in ? ch : 0];
			for (uint32_t i = 0; i < m; ++i) {
				const uint64_t k = pos + i;
				const float v = k < n ? src[k] : 0.0f;
				ibuf[ch][i] = v;
				if (!isfinite(v) && (n_in == p_in || ch == 0)) {
					++report->nonfinite_in;
				}
			}
		}
		tg_host_run(host, (const float *const *)ibuf, obuf, m);
		for (uint32_t ch = 0; ch < p_out; ++ch) {
			for (uint32_t i = 0; i < m; ++i) {
				if (pos + i >= lat) {
					out[ch][pos + i - lat] = obuf[ch][i];
				}
			}
		}
		const double g = tg_host_get(host, "gr_db");
		gr = g < gr ? g : gr;
		const double ramp = tg_host_get(host, "ramp");
		if (report->ramp_done_s < 0.0 && ramp >= 1.0) {
			/* The ramp advances 1 / (ramp_s rate) per frame. */
			report->ramp_done_s = ((double)pos + (1.0 - prev_ramp) * ramp_s * rate) / rate;
		}
		prev_ramp = ramp;
		pos += m;
	}
	const double clamps = tg_host_get(host, "clamps");
	/* What the plugin plays after the input, silence in: the context the
	 * true peak of the last frames needs (a DAC does not stop at frame n). */
	float *ext[2] = {NULL, NULL};
	ok = 1;
	for (uint32_t ch = 0; ch < p_out; ++ch) {
		ext[ch] = malloc((n + TAIL) * sizeof(float));
		ok = ok && ext[ch];
	}
	if (ok) {
		for (uint32_t ch = 0; ch < p_in; ++ch) {
			memset(ibuf[ch], 0, TAIL * sizeof(float));
		}
		tg_host_run(host, (const float *const *)ibuf, obuf, TAIL);
		for (uint32_t ch = 0; ch < p_out; ++ch) {
			memcpy(ext[ch], out[ch], n * sizeof(float));
			memcpy(ext[ch] + n, obuf[ch], TAIL * sizeof(float));
		}
	}
	tg_host_deactivate(host);

	/* What the transducer is driven with: each output against ground, or,
	 * wired tip-ring, the difference of the two outputs (its own buffer,
	 * computed here from what the plugin wrote, never taken on trust). */
	const int bridged = tg_host_bridged(host);
	float *drive[2] = {ext[0], ext[1]};
	uint32_t n_drive = p_out;
	float *across = NULL;
	if (ok && bridged) {
		across = malloc((n + TAIL) * sizeof(float));
		ok = across != NULL;
		for (uint64_t i = 0; ok && i < n + TAIL; ++i) {
			across[i] = ext[0][i] - ext[1][i];
		}
		drive[0] = across;
		drive[1] = NULL;
		n_drive = 1;
	}
	TgCurrentStats cs;
	const double vfs = tg_host_get(host, "vfs"), z = tg_host_get(host, "z_ohm");
	if (ok) {
		tg_current_stats((const float *const *)drive, n_drive, n, vfs / z,
		                 tg_host_get(host, "tau_s"), rate, &cs);
	} else {
		memset(&cs, 0, sizeof(cs));
		cs.peak_a = cs.rms_a = NAN;
	}
	const double peak = tg_sample_peak((const float *const *)out, p_out, n);
	const double drive_peak = ok ? tg_sample_peak((const float *const *)drive, n_drive, n) : NAN;
	/* The current the reconstructed waveform drives, not only the samples:
	 * from frame 0 to frame n - 1, silence before, the plugin's own output
	 * after (the waveform between frames n - 1 and n belongs to both). */
	const double tp_frames =
	    ok ? tg_true_peak_channels((const float *const *)ext, p_out, n + TAIL, 0, n ? n - 1 : 0,
	                               TG_MTP_OVERSAMPLE)
	       : NAN;
	const double true_peak = tp_frames > peak || isnan(tp_frames) ? tp_frames : peak;
	double drive_tp = true_peak;
	if (bridged) {
		const double tp_across =
		    ok ? tg_true_peak_channels((const float *const *)drive, 1, n + TAIL, 0,
		                               n ? n - 1 : 0, TG_MTP_OVERSAMPLE)
		       : NAN;
		drive_tp = tp_across > drive_peak || isnan(tp_across) ? tp_across : drive_peak;
	}
	free(across);
	free(ext[0]);
	free(ext[1]);
	report->bridged = bridged;
	report->frames = n;
	report->rate = rate;
	report->latency = (uint32_t)lat_f;
	const double i_peak_ma = tg_host_get(host, "i_peak_ma");
	report->v_peak = tg_host_get(host, "v_peak");
	/* The voltage limit is a current limit too: v_peak / z_ohm (fmin
	 * ignores a NaN: a plugin without v_peak). */
	report->peak_limit_ma = fmin(i_peak_ma, report->v_peak / z * 1e3);
	report->peak_v = drive_tp * vfs;
	/* Each output's ceiling: across both, each carries half the voltage. */
	const double ceiling =
	    fmin(1.0, fmin(i_peak_ma * 1e-3 * z, report->v_peak) / (bridged ? 2.0 * vfs : vfs));
	report->ceiling_dbfs = 20.0 * log10(ceiling);
	report->peak_ma = drive_tp * vfs / z * 1e3;
	report->sample_peak_ma = cs.peak_a * 1e3;
	report->rms_ma = cs.rms_a * 1e3;
	report->rms_limit_ma = tg_host_get(host, "i_rms_ma");
	report->tau_s = tg_host_get(host, "tau_s");
	report->gr_db = gr;
	report->ramp_s = ramp_s;
	report->clamps = clamps;
	report->out_peak_dbfs = peak > 0.0 ? 20.0 * log10(peak) : -INFINITY;
	report->out_true_peak_dbfs = true_peak > 0.0 ? 20.0 * log10(true_peak) : -INFINITY;
	report->nonfinite_out = cs.nonfinite;
	report->rt_violations = tg_rt_violations() - rt_before;
	for (uint32_t ch = 0; ch < 2; ++ch) {
		free(ibuf[ch]);
		free(obuf[ch]);
	}
	return 0;
}

void tg_report_print(FILE *f, const TgReport *r, int json)
{
	const double peak_db = isfinite(r->out_peak_dbfs) ? r->out_peak_dbfs : -999.0;
	const double tpeak_db = isfinite(r->out_true_peak_dbfs) ? r->out_true_peak_dbfs : -999.0;
	char method[128];
	tg_true_peak_method(TG_MTP_OVERSAMPLE, method, sizeof(method));
	/* null where this program does not watch run() (tguard-render). */
	char rt[32] = "null";
	if (tg_rt_watching()) {
		snprintf(rt, sizeof(rt), "%llu", r->rt_violations);
	}
	if (json) {
		fprintf(f,
		        "{\"frames\": %llu, \"rate\": %g, \"latency\": %u, \"peak_ma\": %.4f, "
		        "\"sample_peak_ma\": %.4f, \"peak_limit_ma\": %.4f, \"peak_v\": %.4f, "
		        "\"v_peak\": %.4f, \"ceiling_dbfs\": %.2f, \"rms_ma\": %.4f, "
		        "\"rms_limit_ma\": %.4f, \"tau_s\": %g, \"gr_db\": %.2f, \"clamps\": %.0f, "
		        "\"output_peak_dbfs\": %.2f, \"output_true_peak_dbfs\": %.2f, "
		        "\"ramp_done_s\": %.4f, \"nonfinite_in\": %llu, \"nonfinite_out\": %llu, "
		        "\"rt_violations\": %s, \"true_peak_method\": \"%s\", \"wiring\": \"%s\"}\n",
		        (unsigned long long)r->frames, r->rate, r->latency, r->peak_ma, r->sample_peak_ma,
		        r->peak_limit_ma, r->peak_v, r->v_peak, r->ceiling_dbfs, r->rms_ma,
		        r->rms_limit_ma, r->tau_s, r->gr_db, r->clamps, peak_db, tpeak_db,
		        r->ramp_done_s, (unsigned long long)r->nonfinite_in,
		        (unsigned long long)r->nonfinite_out, rt, method,
		        r->bridged ? "tip-ring" : "tip-sleeve");
		return;
	}
	fprintf(f, "frames:                   %llu (%.3f s at %g Hz, latency %u)\n",
	        (unsigned long long)r->frames, (double)r->frames / r->rate, r->rate, r->latency);
	fprintf(f, "wiring:                   %s\n",
	        r->bridged ? "tip-ring: currents and voltages across left and right"
	                   : "tip-sleeve: each output against ground");
	fprintf(f, "peak current:             %.3f mA (limit %.3f mA), true peak\n", r->peak_ma,
	        r->peak_limit_ma);
	fprintf(f, "sample peak current:      %.3f mA\n", r->sample_peak_ma);
	fprintf(f, "peak voltage:             %.3f V (limit %.3f V), true peak\n", r->peak_v, r->v_peak);
	fprintf(f, "sample ceiling:           %.2f dBFS\n", r->ceiling_dbfs);
	fprintf(f, "highest RMS current:      %.3f mA (limit %.3f mA, tau %g s)\n", r->rms_ma,
	        r->rms_limit_ma, r->tau_s);
	fprintf(f, "largest gain reduction:   %.2f dB\n", r->gr_db);
	fprintf(f, "clamp engagements:        %.0f\n", r->clamps);
	fprintf(f, "output peak:              %.2f dBFS sample peak, %.2f dBFS true peak\n", peak_db,
	        tpeak_db);
	if (r->ramp_done_s >= 0.0) {
		fprintf(f, "ramp completed after:     %.3f s\n", r->ramp_done_s);
	} else {
		fprintf(f, "ramp completed after:     not completed\n");
	}
	fprintf(f, "non-finite input samples: %llu\n", (unsigned long long)r->nonfinite_in);
	fprintf(f, "true peak:                %s\n", method);
}
