/* tguard render core: run whole buffers through a loaded host in blocks,
 * align the output with the input, and measure the protection report. */
#ifndef TG_RENDER_H
#define TG_RENDER_H

#include <stdint.h>
#include <stdio.h>

#include "host.h"

typedef struct {
	uint32_t block;    /* frames per run(); 0 = random sizes 1..4096 */
	uint32_t seed;     /* for random block sizes */
	int keep_latency;  /* 0: trim the latency and flush the tail */
} TgRenderOpts;

typedef struct {
	uint64_t frames;
	double rate;
	/* Currents and voltages are those of the transducer: each output
	 * against ground, or, wired tip-ring, across the two outputs. */
	double peak_ma;        /* true-peak current: tg_true_peak at 16x, x vfs / z */
	double sample_peak_ma; /* the highest current of any output sample */
	double peak_limit_ma;  /* min(i_peak_ma, v_peak / z_ohm) */
	double peak_v, v_peak; /* highest (true-peak) output voltage, and the v_peak control */
	double ceiling_dbfs;   /* sample ceiling: min(1, i_peak z / vfs, v_peak / vfs) */
	double rms_ma, rms_limit_ma, tau_s;
	double gr_db;          /* largest gain reduction (<= 0) */
	double clamps;         /* final-clamp and RMS-guard engagements */
	double out_peak_dbfs;      /* sample peak */
	double out_true_peak_dbfs; /* true peak (16x) */
	double ramp_done_s;    /* first completion of the soft start; < 0: never */
	double ramp_s;         /* the ramp_s control in force */
	uint64_t nonfinite_in; /* input samples that were NaN or Inf */
	uint64_t nonfinite_out;
	unsigned long long rt_violations; /* allocations or locks inside run() */
	uint32_t latency;
	int bridged; /* wiring tip-ring: currents and voltages are across both outputs */
} TgReport;

/** Render n frames of in (n_in channels: 1 or the plugin's count) into out
 * (the plugin's output count, n frames each). Returns 0, or -1 when the
 * channel counts do not fit or memory runs out. */
int tg_render(TgHost *host, double rate, const float *const *in, uint32_t n_in, uint64_t n,
              float *const *out, const TgRenderOpts *opts, TgReport *report);

void tg_report_print(FILE *f, const TgReport *r, int json);

#endif
