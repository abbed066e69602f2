/* tguard inline display tests: the picture module alone (sizes, lanes, bar
 * lengths, states, opaque pixels), then the plugin through lilv with a fake
 * queue_draw feature: after known signals, render() draws bars whose
 * lengths follow the meter ports, shows bypass and cooling, asks for a
 * redraw at most 30 times a second of audio, and allocates nothing after
 * its first call (rtcheck.c counts). Run from the source tree (make check). */
#define _XOPEN_SOURCE 700

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "greatest.h"
#include "tg_test.h"

#include "display.h"
#include "host.h"
#include "inline_display.h"
#include "rtcheck.h"
#include "tg_assert.h"


#define RATE 48000.0
/* One update of the display per run(): its meters are this block's. */
#define BLOCK 1600u

/* ---- reading pixels ---- */

typedef struct {
	const uint32_t *px;
	int w, h, stride; /* stride in words */
} Picture;

static uint32_t pixel(const Picture *p, int x, int y) { return p->px[(long)y * p->stride + x]; }

static long count_colour(const Picture *p, uint32_t colour)
{
	long n = 0;
	for (int y = 0; y < p->h; ++y) {
		for (int x = 0; x < p->w; ++x) {
			n += pixel(p, x, y) == colour;
		}
	}
	return n;
}

static int all_opaque(const Picture *p)
{
	for (int y = 0; y < p->h; ++y) {
		for (int x = 0; x < p->w; ++x) {
			if ((pixel(p, x, y) >> 24) != 0xffu) {
				return 0;
			}
		}
	}
	return 1;
}

/* Pixels of colour along the middle of a lane (its lit length). */
static int lit_len(const Picture *p, int lane, uint32_t colour)
{
	TgDisplayLayout l;
	tg_display_layout(p->w, p->h, &l);
	const int mid = (l.lo[lane] + l.hi[lane]) / 2;
	int n = 0;
	for (int a = 0; a < l.len; ++a) {
		const uint32_t c = l.vertical ? pixel(p, mid, l.y0 - a) : pixel(p, l.x0 + a, mid);
		n += c == colour;
	}
	return n;
}

static int lane_len(const Picture *p)
{
	TgDisplayLayout l;
	tg_display_layout(p->w, p->h, &l);
	return l.len;
}

/* ---- the picture module ---- */

static uint32_t buf[TG_DISPLAY_MAX_W * TG_DISPLAY_MAX_H];

static Picture draw(int w, int h, const TgDisplayValues *v)
{
	tg_display_draw(buf, w, h, w, v);
	const Picture p = {buf, w, h, w};
	return p;
}

static const TgDisplayValues quiet = {.ramp = 1.0f};

TEST sizes(void)
{
	uint32_t w, h;
	tg_display_size(160, 112, &w, &h); /* Ardour's mixer strip */
	ASSERT_EQ(160u, w);
	ASSERT_EQ(48u, h);
	tg_display_size(50, 50, &w, &h); /* Carla's first call */
	ASSERT_EQ(50u, w);
	ASSERT_EQ(16u, h);
	tg_display_size(40, 120, &w, &h); /* narrow and tall: all of it */
	ASSERT_EQ(40u, w);
	ASSERT_EQ(120u, h);
	tg_display_size(300, 10, &w, &h); /* never over max_h */
	ASSERT_EQ(10u, h);
	tg_display_size(100000, 100000, &w, &h);
	ASSERT_EQ((uint32_t)TG_DISPLAY_MAX_W, w);
	ASSERT(h <= TG_DISPLAY_MAX_H);
	tg_display_size(8, 100000, &w, &h);
	ASSERT_EQ((uint32_t)TG_DISPLAY_MAX_H, h);
	tg_display_size(0, 100, &w, &h);
	ASSERT_EQ(0u, w * h);
	tg_display_size(100, 0, &w, &h);
	ASSERT_EQ(0u, w * h);
	PASS();
}

/* Lanes in order, apart, inside the frame, from 16 pixels across (the
 * least tg_display_size() gives when the host has room). */
TEST layouts(void)
{
	for (int w = 16; w <= 400; w += 7) {
		for (int h = 16; h <= 400; h += 11) {
			TgDisplayLayout l;
			tg_display_layout(w, h, &l);
			const int cross = l.vertical ? w : h;
			ASSERT_EQ(h > w, l.vertical);
			ASSERT_EQ((l.vertical ? h : w) - 2 * l.frame, l.len);
			ASSERT(l.lo[0] >= l.frame);
			ASSERT(l.hi[TG_N_LANES - 1] <= cross - l.frame);
			for (int k = 0; k < TG_N_LANES; ++k) {
				ASSERT(l.hi[k] > l.lo[k]);
				if (k > 0) {
					ASSERT(l.lo[k] > l.hi[k - 1]); /* a gap between lanes */
				}
			}
		}
	}
	PASS();
}

/* The lit length follows the value, at strip size and narrow tall. */
TEST bar_lengths(void)
{
	static const int sizes[][2] = {{160, 48}, {40, 120}, {200, 60}, {80, 24}};
	for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); ++s) {
		const int w = sizes[s][0], h = sizes[s][1];
		TgDisplayValues v = quiet;
		Picture p = draw(w, h, &v);
		const int len = lane_len(&p);
		ASSERT_EQ(0, lit_len(&p, TG_LANE_GR, TG_DISPLAY_GR));
		ASSERT_EQ(0, lit_len(&p, TG_LANE_HEAT, TG_DISPLAY_HEAT));
		ASSERT_EQ(len, lit_len(&p, TG_LANE_RAMP, TG_DISPLAY_RAMP_DONE));

		v.gr_db = -5.0f;
		p = draw(w, h, &v);
		ASSERT_EQ((int)(0.25f * (float)len + 0.5f), lit_len(&p, TG_LANE_GR, TG_DISPLAY_GR));
		v.gr_db = -10.0f;
		p = draw(w, h, &v);
		ASSERT_EQ((int)(0.5f * (float)len + 0.5f), lit_len(&p, TG_LANE_GR, TG_DISPLAY_GR));
		v.gr_db = -60.0f; /* past the scale: all of it */
		p = draw(w, h, &v);
		ASSERT_EQ(len, lit_len(&p, TG_LANE_GR, TG_DISPLAY_GR));

		/* Heat: the square of the current ratio, orange to the knee. */
		v.heat = 0.5f;
		p = draw(w, h, &v);
		ASSERT_EQ((int)(0.25f * (float)len + 0.5f), lit_len(&p, TG_LANE_HEAT, TG_DISPLAY_HEAT));
		ASSERT_EQ(0, lit_len(&p, TG_LANE_HEAT, TG_DISPLAY_HEAT_HOT));
		v.heat = 0.95f;
		p = draw(w, h, &v);
		ASSERT(lit_len(&p, TG_LANE_HEAT, TG_DISPLAY_HEAT_HOT) > 0);
		/* The magnet's part, darker, from the start of the heat bar: 0.3
		 * of the allowed heating; never past the coil's own heat. */
		v.heat = 0.8f;
		v.magnet = 0.3f;
		p = draw(w, h, &v);
		ASSERT_EQ((int)(0.3f * (float)len + 0.5f), lit_len(&p, TG_LANE_HEAT, TG_DISPLAY_MAGNET));
		ASSERT_EQ((int)(0.64f * (float)len + 0.5f) - (int)(0.3f * (float)len + 0.5f),
		          lit_len(&p, TG_LANE_HEAT, TG_DISPLAY_HEAT));
		v.magnet = 2.0f;
		p = draw(w, h, &v);
		ASSERT_EQ((int)(0.64f * (float)len + 0.5f), lit_len(&p, TG_LANE_HEAT, TG_DISPLAY_MAGNET));
		v.magnet = 0.0f;

		/* Peak: 6 dB under the limit lights 30 of 36 dB. */
		v.peak = 0.5f;
		v.peak_hold = 0.0f;
		p = draw(w, h, &v);
		const int lit = lit_len(&p, TG_LANE_PEAK, TG_DISPLAY_PEAK_OK) +
		                lit_len(&p, TG_LANE_PEAK, TG_DISPLAY_PEAK_NEAR) +
		                lit_len(&p, TG_LANE_PEAK, TG_DISPLAY_PEAK_AT);
		const float want = (1.0f + 20.0f * log10f(0.5f) / TG_DISPLAY_PEAK_DB) * (float)len;
		TG_ASSERT_NEAR(want, (float)lit, 0.51f);
		ASSERT_EQ(0, lit_len(&p, TG_LANE_PEAK, TG_DISPLAY_PEAK_AT)); /* not within 2 dB */
		ASSERT_EQ(0, lit_len(&p, TG_LANE_PEAK, TG_DISPLAY_HOLD));
		v.peak_hold = 1.0f;
		p = draw(w, h, &v);
		ASSERT(lit_len(&p, TG_LANE_PEAK, TG_DISPLAY_HOLD) >= 1);

		v.ramp = 0.5f;
		p = draw(w, h, &v);
		ASSERT_EQ((int)(0.5f * (float)len + 0.5f), lit_len(&p, TG_LANE_RAMP, TG_DISPLAY_RAMP));
	}
	PASS();
}

TEST states(void)
{
	static const int sizes[][2] = {{160, 48}, {40, 120}, {50, 16}};
	for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); ++s) {
		const int w = sizes[s][0], h = sizes[s][1];
		TgDisplayValues v = quiet;
		v.gr_db = -6.0f;
		Picture p = draw(w, h, &v);
		ASSERT_EQ(0, count_colour(&p, TG_DISPLAY_BYPASS));
		ASSERT_EQ(0, count_colour(&p, TG_DISPLAY_COOL));
		v.bypassed = 1;
		p = draw(w, h, &v);
		/* The whole frame turns amber: at least its outline. */
		ASSERT(count_colour(&p, TG_DISPLAY_BYPASS) >= 2 * (w + h) - 4);
		ASSERT_EQ(0, count_colour(&p, TG_DISPLAY_COOL));
		ASSERT(lit_len(&p, TG_LANE_GR, TG_DISPLAY_GR) > 0); /* still protecting */
		v.bypassed = 0;
		v.cooling = 1;
		v.heat = 2.0f; /* 6 dB of current over the limit: half the bar */
		p = draw(w, h, &v);
		const int len = lane_len(&p);
		ASSERT(count_colour(&p, TG_DISPLAY_COOL) > 0);
		ASSERT_EQ(0, count_colour(&p, TG_DISPLAY_GR));
		ASSERT_EQ(0, count_colour(&p, TG_DISPLAY_BYPASS));
		TG_ASSERT_NEAR(0.5f * (float)len, (float)lit_len(&p, TG_LANE_GR, TG_DISPLAY_COOL_BAR), 0.51f);
		v.heat = 1.0001f; /* nearly cool: still one pixel */
		p = draw(w, h, &v);
		ASSERT_EQ(1, lit_len(&p, TG_LANE_GR, TG_DISPLAY_COOL_BAR));
	}
	PASS();
}

/* Every pixel written and opaque, whatever the values (NaN included), and
 * nothing outside the picture touched. */
TEST opaque_and_bounded(void)
{
	const float odd[] = {0.0f, -1.0f, 0.3f, 1.0f, 7.0f, NAN, INFINITY, -INFINITY, 1e-30f};
	const int n_odd = (int)(sizeof(odd) / sizeof(odd[0]));
	enum { W = 97, H = 41, STRIDE = 101 };
	for (int i = 0; i < 200; ++i) {
		const TgDisplayValues v = {.peak = odd[i % n_odd],
		                           .peak_hold = odd[(i / 2) % n_odd],
		                           .heat = odd[(i / 3) % n_odd],
		                           .magnet = odd[(i / 11) % n_odd],
		                           .gr_db = -fabsf(odd[(i / 5) % n_odd]) * 30.0f,
		                           .ramp = odd[(i / 7) % n_odd],
		                           .bypassed = i & 1,
		                           .cooling = (i >> 1) & 1};
		for (int k = 0; k < STRIDE * (W + 1); ++k) {
			buf[k] = 0x12345678u;
		}
		const int w = (i & 4) ? W : H, h = (i & 4) ? H : W;
		tg_display_draw(buf, w, h, STRIDE, &v);
		const Picture p = {buf, w, h, STRIDE};
		ASSERT(all_opaque(&p));
		for (int y = 0; y < h; ++y) {
			for (int x = w; x < STRIDE; ++x) {
				ASSERT_EQ(0x12345678u, pixel(&p, x, y));
			}
		}
		ASSERT_EQ(0x12345678u, buf[STRIDE * h]);
	}
	PASS();
}

SUITE(picture_suite)
{
	RUN_TEST(sizes);
	RUN_TEST(layouts);
	RUN_TEST(bar_lengths);
	RUN_TEST(states);
	RUN_TEST(opaque_and_bounded);
}

/* ---- through the plugin ---- */

static unsigned long queued;
static void fake_queue_draw(void *handle)
{
	(void)handle;
	++queued;
}
static TgIdpyQueueDraw queue = {NULL, fake_queue_draw};

typedef struct {
	TgHost *host;
	const TgIdpyInterface *idpy;
	void *handle;
	double phase;
	float l[TG_HOST_MAX_BLOCK], r[TG_HOST_MAX_BLOCK];
	float out_l[TG_HOST_MAX_BLOCK], out_r[TG_HOST_MAX_BLOCK];
} Rig;

static Rig rig;

static int rig_open(const char *uri)
{
	char err[1024];
	rig.host = tg_host_new(BUNDLE);
	tg_host_add_feature(rig.host, TG_IDPY__queue_draw, &queue);
	if (!rig.host || tg_host_load(rig.host, uri, RATE, err, sizeof(err)) != TG_HOST_OK) {
		fprintf(stderr, "cannot load %s from %s: %s\n", uri, BUNDLE, err);
		tg_host_free(rig.host);
		rig.host = NULL;
		return 0;
	}
	rig.idpy = tg_host_extension_data(rig.host, TG_IDPY__interface);
	rig.handle = tg_host_handle(rig.host);
	rig.phase = 0.0;
	queued = 0;
	tg_host_set(rig.host, "ramp_s", 0.1f);
	tg_host_activate(rig.host);
	return rig.idpy != NULL;
}

static void rig_close(void)
{
	if (rig.host) {
		tg_host_deactivate(rig.host);
		tg_host_free(rig.host);
	}
	memset(&rig, 0, sizeof(rig));
}

/* Amplitude modulation depth of play()'s sine, at 7 Hz. */
static double wobble;

/* seconds of a 1 kHz sine at amp (0: silence), in blocks of n frames;
 * returns the largest output sample of the last block. */
static float play(double seconds, double amp, uint32_t n)
{
	const float *const in[2] = {rig.l, rig.r};
	float *const out[2] = {rig.out_l, rig.out_r};
	float last = 0.0f;
	for (long done = 0, total = lrint(seconds * RATE); done < total; done += n) {
		for (uint32_t i = 0; i < n; ++i) {
			const double t = (double)(done + (long)i) / RATE;
			const double a = amp * (1.0 - wobble * (0.5 + 0.5 * sin(2.0 * M_PI * 7.0 * t)));
			rig.l[i] = rig.r[i] = (float)(a * sin(rig.phase));
			rig.phase = fmod(rig.phase + 2.0 * M_PI * 1000.0 / RATE, 2.0 * M_PI);
		}
		tg_host_run(rig.host, in, out, n);
		last = 0.0f;
		for (uint32_t i = 0; i < n; ++i) {
			last = fmaxf(last, fmaxf(fabsf(rig.out_l[i]), fabsf(rig.out_r[i])));
		}
	}
	return last;
}

static Picture render(uint32_t w, uint32_t max_h)
{
	const TgIdpySurface *const s = rig.idpy->render(rig.handle, w, max_h);
	Picture p = {NULL, 0, 0, 0};
	if (s) {
		p.px = (const uint32_t *)(const void *)s->data;
		p.w = s->width;
		p.h = s->height;
		p.stride = s->stride / 4;
	}
	return p;
}

TEST all_plugins_draw(void)
{
	const char *const uris[] = {"urn:tguard:stereo", "urn:tguard:mono", "urn:tguard:sum"};
	for (int k = 0; k < 3; ++k) {
		ASSERTm("the interface", rig_open(uris[k]));
		ASSERT_EQ(NULL, tg_host_extension_data(rig.host, "urn:tguard:no-such-extension"));
		ASSERT(rig.idpy->render != NULL);
		ASSERT_EQ(NULL, rig.idpy->render(rig.handle, 0, 100));
		ASSERT_EQ(NULL, rig.idpy->render(rig.handle, 100, 0));
		const uint32_t asks[][2] = {{160, 112}, {40, 120}, {50, 50}, {5000, 5000}, {1, 1}};
		for (size_t a = 0; a < sizeof(asks) / sizeof(asks[0]); ++a) {
			const TgIdpySurface *const s = rig.idpy->render(rig.handle, asks[a][0], asks[a][1]);
			ASSERT(s != NULL && s->data != NULL);
			ASSERT(s->width > 0 && (uint32_t)s->width <= asks[a][0]);
			ASSERT(s->height > 0 && (uint32_t)s->height <= asks[a][1]);
			ASSERT(s->stride >= 4 * s->width);
			const Picture p = render(asks[a][0], asks[a][1]);
			ASSERT(all_opaque(&p));
		}
		rig_close();
	}
	PASS();
}

TEST silence(void)
{
	ASSERT(rig_open("urn:tguard:stereo"));
	/* A new instance assumes a warm coil, which then cools (the heat bar
	 * moves): at tau 0.05 s it is cold within the first second. */
	tg_host_set(rig.host, "tau_s", 0.05f);
	play(1.0, 0.0, BLOCK);
	const unsigned long before = queued;
	play(2.0, 0.0, BLOCK); /* soft start done: nothing moves */
	ASSERT_EQm("no redraw requests in settled silence", before, queued);
	const Picture p = render(160, 112);
	ASSERT_EQ(160, p.w);
	ASSERT_EQ(48, p.h);
	ASSERT_EQ(0, count_colour(&p, TG_DISPLAY_GR));
	ASSERT_EQ(0, count_colour(&p, TG_DISPLAY_HEAT));
	ASSERT_EQ(0, count_colour(&p, TG_DISPLAY_PEAK_OK));
	ASSERT_EQ(0, count_colour(&p, TG_DISPLAY_BYPASS));
	ASSERT_EQ(0, count_colour(&p, TG_DISPLAY_COOL));
	ASSERT_EQ(lane_len(&p), lit_len(&p, TG_LANE_RAMP, TG_DISPLAY_RAMP_DONE));
	rig_close();
	PASS();
}

/* A sine over the peak limit (the RMS limit out of the way): the gain
 * reduction bar at two levels, each as long as the gr_db port says. */
TEST gain_reduction_follows_meter(void)
{
	ASSERT(rig_open("urn:tguard:stereo"));
	tg_host_set(rig.host, "i_rms_ma", 10000.0f);
	int lens[2];
	const float vols[2] = {6.0f, 14.0f};
	for (int k = 0; k < 2; ++k) {
		tg_host_set(rig.host, "volume_db", vols[k]);
		play(1.0, 0.5, BLOCK);
		const float gr = tg_host_get(rig.host, "gr_db");
		for (int tall = 0; tall < 2; ++tall) {
			const Picture p = tall ? render(40, 120) : render(160, 112);
			const int len = lane_len(&p);
			const int lit = lit_len(&p, TG_LANE_GR, TG_DISPLAY_GR);
			printf("volume %+.0f dB: gr %.2f dB, %s bar %d of %d px\n", (double)vols[k],
			       (double)gr, tall ? "tall" : "strip", lit, len);
			ASSERT_EQ(tg_display_gr_len(gr, len), lit);
			if (!tall) {
				lens[k] = lit;
				/* At the limit: the peak lane lit to its red end. */
				ASSERT(lit_len(&p, TG_LANE_PEAK, TG_DISPLAY_PEAK_AT) > 0);
			}
		}
	}
	ASSERT(lens[0] > 0);
	ASSERT(lens[1] > lens[0] + 10);
	rig_close();
	PASS();
}

/* The heat bar against the rms_ma port and the RMS limit. */
TEST heat_follows_meter(void)
{
	ASSERT(rig_open("urn:tguard:stereo"));
	tg_host_set(rig.host, "i_peak_ma", 10000.0f);
	tg_host_set(rig.host, "v_peak", 100.0f);
	tg_host_set(rig.host, "i_rms_ma", 20.0f);
	/* 0.4 at vfs 1 V into 32 ohm: 8.8 mA RMS, a fifth of the heating. */
	play(6.0, 0.4, BLOCK);
	const float ratio = tg_host_get(rig.host, "rms_ma") / 20.0f;
	const Picture p = render(200, 112);
	const int len = lane_len(&p);
	const int lit = lit_len(&p, TG_LANE_HEAT, TG_DISPLAY_HEAT);
	printf("heat %.3f of the limit: bar %d of %d px\n", (double)ratio, lit, len);
	ASSERT(ratio > 0.3f && ratio < 0.6f);
	ASSERT_EQ(tg_display_heat_len(ratio, len), lit);
	rig_close();
	PASS();
}

/* Two stages: the magnet's part of the heat, darker, from the bar's start;
 * in steady state magnet_share of it (heat.h: em = k i^2, ec = i^2). */
TEST magnet_shows(void)
{
	ASSERT(rig_open("urn:tguard:stereo"));
	tg_host_set(rig.host, "i_peak_ma", 10000.0f);
	tg_host_set(rig.host, "v_peak", 100.0f);
	tg_host_set(rig.host, "i_rms_ma", 20.0f);
	tg_host_set(rig.host, "tau_s", 0.5f);
	tg_host_set(rig.host, "tau_magnet_s", 1.0f);
	tg_host_set(rig.host, "magnet_share", 0.5f);
	play(8.0, 0.4, BLOCK);
	Picture p = render(200, 112);
	const int len = lane_len(&p);
	const int mag = lit_len(&p, TG_LANE_HEAT, TG_DISPLAY_MAGNET);
	const int heat = mag + lit_len(&p, TG_LANE_HEAT, TG_DISPLAY_HEAT);
	const float ratio = tg_host_get(rig.host, "rms_ma") / 20.0f;
	printf("two stages, share 0.5: heat bar %d of %d px, the magnet's part %d px\n", heat, len,
	       mag);
	ASSERT_EQ(tg_display_heat_len(ratio, len), heat);
	ASSERT(mag >= heat * 4 / 10 && mag <= heat * 6 / 10);
	/* The share set to 0: the magnet's heat cools into the coil. */
	tg_host_set(rig.host, "magnet_share", 0.0f);
	play(8.0, 0.4, BLOCK);
	p = render(200, 112);
	ASSERT_EQ(0, lit_len(&p, TG_LANE_HEAT, TG_DISPLAY_MAGNET));
	rig_close();
	PASS();
}

TEST bypass_shows(void)
{
	ASSERT(rig_open("urn:tguard:stereo"));
	play(0.3, 0.5, BLOCK);
	Picture p = render(160, 112);
	ASSERT_EQ(0, count_colour(&p, TG_DISPLAY_BYPASS));
	tg_host_set(rig.host, "enable", 0.0f);
	play(0.3, 0.5, BLOCK);
	p = render(160, 112);
	ASSERT(count_colour(&p, TG_DISPLAY_BYPASS) > 2 * (160 + 48));
	p = render(40, 120);
	ASSERT(count_colour(&p, TG_DISPLAY_BYPASS) > 2 * (40 + 120));
	tg_host_set(rig.host, "enable", 1.0f);
	play(0.3, 0.5, BLOCK);
	p = render(160, 112);
	ASSERT_EQ(0, count_colour(&p, TG_DISPLAY_BYPASS));
	rig_close();
	PASS();
}

/* Heat the coil under the earbud preset, switch to the dynamic microphone
 * (a lower RMS limit): the display shows cooling exactly while the output
 * is muted, and the cooling bar shrinks. */
TEST cooling_shows(void)
{
	char err[1024];
	ASSERT(rig_open("urn:tguard:stereo"));
	ASSERT_EQ(TG_HOST_OK, tg_host_apply_preset(rig.host, "Earbud driver (16 ohm)", err, sizeof(err)));
	tg_host_set(rig.host, "ramp_s", 0.1f);
	tg_host_set(rig.host, "volume_db", 12.0f);
	play(8.0, 0.5, BLOCK);
	const float hot = tg_host_get(rig.host, "rms_ma");
	Picture p = render(160, 112);
	ASSERT_EQ(0, count_colour(&p, TG_DISPLAY_COOL));
	ASSERT_EQ(TG_HOST_OK, tg_host_apply_preset(rig.host, "Dynamic microphone as speaker", err, sizeof(err)));
	tg_host_set(rig.host, "ramp_s", 0.1f);
	tg_host_set(rig.host, "volume_db", 12.0f);
	const float limit = tg_host_get(rig.host, "i_rms_ma");
	printf("heat %.2f mA, new limit %.2f mA\n", (double)hot, (double)limit);
	ASSERT(hot > limit * 1.5f);
	int bar_was = 1 << 30, cooled_at = -1, blocks = 0;
	for (; blocks < 30 * 20 && cooled_at < 0; ++blocks) {
		const float out = play((double)BLOCK / RATE, 0.5, BLOCK);
		p = render(160, 112);
		const int cooling = count_colour(&p, TG_DISPLAY_COOL) > 0;
		const int bar = lit_len(&p, TG_LANE_GR, TG_DISPLAY_COOL_BAR);
		if (cooling) {
			ASSERT_EQm("cooling shows only while muted", 0.0f, out);
			ASSERT(bar >= 1 && bar <= bar_was);
			ASSERT_EQ(0, count_colour(&p, TG_DISPLAY_GR));
			bar_was = bar;
		} else {
			ASSERTm("cooling shows from the switch on", blocks > 0);
			cooled_at = blocks;
		}
	}
	printf("cooling shown for %.2f s\n", (double)cooled_at * BLOCK / RATE);
	ASSERT(cooled_at > 0);
	/* Then no more cooling: the thermal gain rises, the gain reduction shows. */
	play(1.0, 0.5, BLOCK);
	p = render(160, 112);
	ASSERT_EQ(0, count_colour(&p, TG_DISPLAY_COOL));
	ASSERT(lit_len(&p, TG_LANE_GR, TG_DISPLAY_GR) > 0);
	rig_close();
	PASS();
}

/* At most 30 requests a second of audio, at any block size, with a level
 * that moves all the time (so the cap, not the signal, sets the rate). */
TEST queue_draw_rate(void)
{
	const uint32_t blocks[] = {1, 16, 64, 1600, 1601, 8192};
	for (size_t b = 0; b < sizeof(blocks) / sizeof(blocks[0]); ++b) {
		ASSERT(rig_open("urn:tguard:stereo"));
		const double seconds = blocks[b] < 16 ? 0.5 : 4.0;
		wobble = 0.8;
		play(seconds, 0.7, blocks[b]);
		wobble = 0.0;
		const double per_s = (double)queued / seconds;
		const double runs_per_s = RATE / blocks[b];
		printf("block %u: %lu redraw requests in %.1f s\n", blocks[b], queued, seconds);
		ASSERT(queued <= (unsigned long)(30.0 * seconds) + 1);
		/* Near the cap, or once per run() when blocks are longer. */
		ASSERT(per_s >= 0.8 * fmin(30.0, runs_per_s));
		rig_close();
	}
	PASS();
}

/* The hold mark stays at the loudest peak for 1.5 s, then falls to the
 * current one. */
TEST peak_hold(void)
{
	ASSERT(rig_open("urn:tguard:stereo"));
	tg_host_set(rig.host, "i_rms_ma", 10000.0f);
	play(0.5, 0.8, BLOCK);
	play(0.5, 0.05, BLOCK);
	Picture p = render(160, 112);
	TgDisplayLayout l;
	tg_display_layout(p.w, p.h, &l);
	const int mid = (l.lo[TG_LANE_PEAK] + l.hi[TG_LANE_PEAK]) / 2;
	int hold_at = -1, lit = 0;
	for (int a = 0; a < l.len; ++a) {
		const uint32_t c = pixel(&p, l.x0 + a, mid);
		hold_at = c == TG_DISPLAY_HOLD ? a : hold_at;
		lit += c == TG_DISPLAY_PEAK_OK || c == TG_DISPLAY_PEAK_NEAR || c == TG_DISPLAY_PEAK_AT;
	}
	printf("peak lit %d px, hold at %d of %d\n", lit, hold_at, l.len);
	ASSERT(lit > 0);
	ASSERT(hold_at > lit + 20);
	play(1.5, 0.05, BLOCK);
	p = render(160, 112);
	hold_at = -1;
	for (int a = 0; a < l.len; ++a) {
		hold_at = pixel(&p, l.x0 + a, mid) == TG_DISPLAY_HOLD ? a : hold_at;
	}
	printf("1.5 s later: hold at %d\n", hold_at);
	ASSERT(hold_at >= 0 && hold_at <= lit + 2);
	rig_close();
	PASS();
}

/* render() allocates at its first call only (and run() never: the host
 * library watches every run()). */
TEST render_allocates_once(void)
{
	ASSERT(rig_open("urn:tguard:stereo"));
	play(0.2, 0.5, BLOCK);
	tg_mem_begin();
	render(160, 112);
	const long long first = tg_mem_end();
	printf("first render(): %lld bytes\n", first);
	ASSERT(first > 0);
	const unsigned long long before = tg_rt_violations();
	tg_rt_enter();
	const uint32_t asks[][2] = {{160, 112}, {1024, 512}, {5000, 5000}, {40, 120}, {2, 2}, {300, 300}};
	for (int i = 0; i < 100; ++i) {
		render(asks[i % 6][0], asks[i % 6][1]);
	}
	tg_rt_leave();
	ASSERT_EQm("no allocation after the first render()", before, tg_rt_violations());
	play(0.2, 0.5, BLOCK);
	ASSERT_EQm("no allocation in run()", 0ull, tg_rt_violations());
	rig_close();
	PASS();
}

SUITE(display_plugin_suite)
{
	RUN_TEST(all_plugins_draw);
	RUN_TEST(silence);
	RUN_TEST(gain_reduction_follows_meter);
	RUN_TEST(heat_follows_meter);
	RUN_TEST(magnet_shows);
	RUN_TEST(bypass_shows);
	RUN_TEST(cooling_shows);
	RUN_TEST(queue_draw_rate);
	RUN_TEST(peak_hold);
	RUN_TEST(render_allocates_once);
}

GREATEST_MAIN_DEFS();

int main(int argc, char **argv)
{
	GREATEST_MAIN_BEGIN();
	RUN_SUITE(picture_suite);
	RUN_SUITE(display_plugin_suite);
	GREATEST_MAIN_END();
}
