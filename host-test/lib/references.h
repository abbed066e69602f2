/* tguard regression references: which renders are checked, how a render is
 * summarised into a compact, diff-friendly text, and how two summaries are
 * compared. A summary holds the protection report and, per 20 ms window
 * and channel, the RMS and peak level in dB with 0.01 dB resolution. */
#ifndef TG_REFERENCES_H
#define TG_REFERENCES_H

#include <stddef.h>
#include <stdint.h>

#include "render.h"

#define TG_REF_WINDOW_S 0.020
/* Window levels may differ by this much (a 0.1 dB change must fail). */
#define TG_REF_TOL_DB 0.03
/* Soft-start completion may differ by this much (1 ms must fail). */
#define TG_REF_TOL_RAMP_S 0.0003

typedef struct {
	const char *uri;     /* plugin */
	const char *variant; /* short name: stereo, mono, sum, tipring (stereo, wiring 1) */
	float wiring;        /* the wiring control set after the preset */
	char preset[96];     /* label; empty for the defaults */
	char slug[64];       /* file-name form of the preset */
	const char *signal;
	double rate;
} TgRefCase;

/* The labels of a plugin's presets. */
typedef struct {
	char labels[32][96];
	unsigned n;
} TgPresetList;

/** Collect the labels of the loaded plugin's presets. */
void tg_ref_preset_labels(TgHost *host, TgPresetList *list);

/** Fill up to max cases (NULL cases: just count); presets are listed from
 * the bundle. */
unsigned tg_ref_cases(const char *bundle, TgRefCase *cases, unsigned max);

/** Render one case (block size block, 0 = random); the summary is a
 * malloc()ed string. Extra controls (symbol=value pairs, NULL-terminated)
 * are set after the preset; gain_db scales the output afterwards and
 * shift_frames delays it (both for the sensitivity tests). */
int tg_ref_render(const char *bundle, const TgRefCase *c, uint32_t block,
                  const char *const *sets, double gain_db, uint32_t shift_frames,
                  TgReport *report, char **summary, float **out, uint64_t *frames);

/** A whole file as a malloc()ed string; NULL if it cannot be read. */
char *tg_ref_read_file(const char *path);

/** The file-name form of a preset label: lowercase, each run of other
 * characters one '-', none at either end. */
void tg_ref_slug(const char *label, char *slug, size_t len);

/** The file name of a case, without folder. */
void tg_ref_name(const TgRefCase *c, char *buf, size_t len);

/** 0 when the summaries match within tolerance; else why names the first
 * difference. */
int tg_ref_compare(const char *expected, const char *actual, char *why, size_t len);

#endif
