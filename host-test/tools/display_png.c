/* tguard display pictures: plays known signals through the stereo plugin
 * (lilv host), asks its inline display for a picture the way Ardour does
 * (a mixer strip 160 pixels wide; a narrow, tall room 40 x 120), and writes
 * each, enlarged 3 times without smoothing, as DIR/STATE-strip.png and
 * DIR/STATE-tall.png. cairo writes the PNGs here only: the plugin draws
 * plain pixels. Used by make plots.
 *
 *   display_png BUNDLE_DIR OUT_DIR */
#define _XOPEN_SOURCE 700

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cairo.h>

#include "host.h"
#include "inline_display.h"

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

#define RATE 48000.0
#define BLOCK 256u
#define SCALE 3

typedef struct {
	TgHost *host;
	const TgIdpyInterface *idpy;
	double phase;
} Rig;

static void rig_open(Rig *rig, const char *bundle)
{
	char err[1024];
	memset(rig, 0, sizeof(*rig));
	rig->host = tg_host_new(bundle);
	if (!rig->host || tg_host_load(rig->host, "urn:tguard:stereo", RATE, err, sizeof(err)) != TG_HOST_OK) {
		fprintf(stderr, "display_png: %s\n", rig->host ? err : "out of memory");
		exit(1);
	}
	rig->idpy = tg_host_extension_data(rig->host, TG_IDPY__interface);
	if (!rig->idpy) {
		fprintf(stderr, "display_png: the plugin has no inline display\n");
		exit(1);
	}
	tg_host_activate(rig->host);
}

static void rig_close(Rig *rig)
{
	if (rig->host) {
		tg_host_free(rig->host);
	}
	rig->host = NULL;
}

/* seconds of a 1 kHz sine at amp. */
static void play(Rig *rig, double seconds, double amp)
{
	static float l[BLOCK], r[BLOCK], ol[BLOCK], orr[BLOCK];
	const float *const in[2] = {l, r};
	float *const out[2] = {ol, orr};
	for (long done = 0, total = lrint(seconds * RATE); done < total; done += BLOCK) {
		for (uint32_t i = 0; i < BLOCK; ++i) {
			l[i] = r[i] = (float)(amp * sin(rig->phase));
			rig->phase = fmod(rig->phase + 2.0 * M_PI * 1000.0 / RATE, 2.0 * M_PI);
		}
		tg_host_run(rig->host, in, out, BLOCK);
	}
}

static int write_png(const TgIdpySurface *s, const char *path)
{
	const int w = s->width * SCALE, h = s->height * SCALE;
	const int stride = cairo_format_stride_for_width(CAIRO_FORMAT_ARGB32, w);
	unsigned char *const data = malloc((size_t)stride * (size_t)h);
	if (!data) {
		return 0;
	}
	for (int y = 0; y < h; ++y) {
		uint32_t *const row = (uint32_t *)(void *)(data + (size_t)y * (size_t)stride);
		const uint32_t *const src =
		    (const uint32_t *)(const void *)(s->data + (size_t)(y / SCALE) * (size_t)s->stride);
		for (int x = 0; x < w; ++x) {
			row[x] = src[x / SCALE];
		}
	}
	cairo_surface_t *const surf =
	    cairo_image_surface_create_for_data(data, CAIRO_FORMAT_ARGB32, w, h, stride);
	const cairo_status_t st = cairo_surface_write_to_png(surf, path);
	cairo_surface_destroy(surf);
	free(data);
	if (st != CAIRO_STATUS_SUCCESS) {
		fprintf(stderr, "display_png: %s: %s\n", path, cairo_status_to_string(st));
		return 0;
	}
	printf("wrote %s (%dx%d, shown %dx%d)\n", path, s->width, s->height, w, h);
	return 1;
}

static int snapshot(Rig *rig, const char *dir, const char *state)
{
	static const struct {
		const char *name;
		uint32_t w, max_h;
	} rooms[] = {{"strip", 160, 112}, {"tall", 40, 120}};
	int ok = 1;
	for (size_t k = 0; k < sizeof(rooms) / sizeof(rooms[0]); ++k) {
		void *const handle = tg_host_handle(rig->host);
		const TgIdpySurface *const s = rig->idpy->render(handle, rooms[k].w, rooms[k].max_h);
		char path[4096];
		snprintf(path, sizeof(path), "%s/%s-%s.png", dir, state, rooms[k].name);
		ok = s && write_png(s, path) && ok;
	}
	return ok;
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: display_png BUNDLE_DIR OUT_DIR\n");
		return 2;
	}
	const char *const bundle = argv[1], *const dir = argv[2];
	char err[1024];
	int ok = 1;
	Rig rig;

	/* The soft start under way (3 s), on a quiet signal. */
	rig_open(&rig, bundle);
	play(&rig, 1.2, 0.05);
	ok = snapshot(&rig, dir, "soft-start") && ok;
	/* Playing under the limits: a loud passage left its peak held. */
	play(&rig, 3.0, 0.2);
	play(&rig, 0.5, 0.05);
	ok = snapshot(&rig, dir, "playing") && ok;
	rig_close(&rig);

	/* 12 dB over: the peak stage at the limit, the coil near its knee. */
	rig_open(&rig, bundle);
	tg_host_set(rig.host, "ramp_s", 0.1f);
	tg_host_set(rig.host, "volume_db", 12.0f);
	play(&rig, 1.5, 0.5);
	ok = snapshot(&rig, dir, "limiting") && ok;
	/* Bypassed: filters and volume out, the limits still on. */
	tg_host_set(rig.host, "enable", 0.0f);
	tg_host_set(rig.host, "volume_db", 0.0f);
	play(&rig, 1.0, 0.5);
	ok = snapshot(&rig, dir, "bypassed") && ok;
	rig_close(&rig);

	/* Hot under the earbud preset, then the dynamic microphone's lower
	 * RMS limit: muted until the estimate is under it. */
	rig_open(&rig, bundle);
	ok = tg_host_apply_preset(rig.host, "Earbud driver (16 ohm)", err, sizeof(err)) == TG_HOST_OK && ok;
	tg_host_set(rig.host, "ramp_s", 0.1f);
	tg_host_set(rig.host, "volume_db", 12.0f);
	play(&rig, 8.0, 0.5);
	ok = tg_host_apply_preset(rig.host, "Dynamic microphone as speaker", err, sizeof(err)) == TG_HOST_OK && ok;
	tg_host_set(rig.host, "volume_db", 12.0f);
	play(&rig, 0.7, 0.5);
	ok = snapshot(&rig, dir, "cooling") && ok;
	rig_close(&rig);
	return ok ? 0 : 1;
}
