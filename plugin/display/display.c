/* tguard: the inline display's picture. */
#include "display.h"

#include <math.h>

void tg_display_size(uint32_t w, uint32_t max_h, uint32_t *out_w, uint32_t *out_h)
{
	if (w == 0 || max_h == 0) {
		*out_w = *out_h = 0;
		return;
	}
	w = w < TG_DISPLAY_MAX_W ? w : TG_DISPLAY_MAX_W;
	max_h = max_h < TG_DISPLAY_MAX_H ? max_h : TG_DISPLAY_MAX_H;
	uint32_t h;
	if (max_h >= 2 * w) {
		h = max_h; /* a narrow, tall room: vertical bars fill it */
	} else {
		/* Four lanes need about 16 pixels to be told apart; 0.3 w keeps
		 * a mixer strip's processor box compact (48 at 160). */
		h = (w * 3 + 5) / 10;
		h = h < 16 ? 16 : h;
		h = h < max_h ? h : max_h;
	}
	*out_w = w;
	*out_h = h;
}

/* Lane weights across the picture: the ramp lane is half as thick. */
static const int lane_weight[TG_N_LANES] = {4, 4, 4, 2};

void tg_display_layout(int width, int height, TgDisplayLayout *l)
{
	l->vertical = height > width;
	const int small = width < height ? width : height;
	l->frame = small / 12 > 2 ? small / 12 : 2;
	const int f = l->frame;
	const int iw = width - 2 * f > 0 ? width - 2 * f : 0;
	const int ih = height - 2 * f > 0 ? height - 2 * f : 0;
	const int cross = l->vertical ? iw : ih;
	l->len = l->vertical ? ih : iw;
	l->x0 = f;
	l->y0 = height - 1 - f;
	const int gap = cross >= 48 ? 2 : 1;
	int room = cross - (TG_N_LANES - 1) * gap;
	room = room > 0 ? room : 0;
	int total = 0;
	for (int k = 0; k < TG_N_LANES; ++k) {
		total += lane_weight[k];
	}
	int cum = 0;
	for (int k = 0; k < TG_N_LANES; ++k) {
		/* Edges rounded from the cumulative weight, so the lanes fill
		 * the room exactly. */
		const int a = (room * cum + total / 2) / total;
		cum += lane_weight[k];
		const int b = (room * cum + total / 2) / total;
		l->lo[k] = f + a + k * gap;
		l->hi[k] = f + b + k * gap;
	}
}

static int frac_len(float frac, int len)
{
	if (!(frac > 0.0f)) { /* also NaN */
		return 0;
	}
	if (frac >= 1.0f) {
		return len;
	}
	return (int)(frac * (float)len + 0.5f);
}

int tg_display_peak_len(float ratio, int len)
{
	if (!(ratio > 0.0f)) {
		return 0;
	}
	return frac_len(1.0f + 20.0f * log10f(ratio) / TG_DISPLAY_PEAK_DB, len);
}

int tg_display_heat_len(float ratio, int len) { return frac_len(ratio * ratio, len); }

int tg_display_magnet_len(float magnet, float ratio, int len)
{
	const int m = frac_len(magnet, len), n = tg_display_heat_len(ratio, len);
	return m < n ? m : n;
}

int tg_display_gr_len(float gr_db, int len) { return frac_len(-gr_db / TG_DISPLAY_GR_DB, len); }

int tg_display_ramp_len(float ramp, int len) { return frac_len(ramp, len); }

int tg_display_cool_len(float ratio, int len)
{
	if (!(ratio > 1.0f)) {
		return 0;
	}
	/* At least one pixel while cooling lasts: the bar says "not yet". */
	const int n = frac_len(20.0f * log10f(ratio) / TG_DISPLAY_COOL_DB, len);
	return n > 0 ? n : (len > 0 ? 1 : 0);
}

typedef struct {
	uint32_t *px;
	int stride;
	const TgDisplayLayout *l;
} Canvas;

static void fill_rect(const Canvas *c, int x0, int y0, int x1, int y1, uint32_t colour)
{
	for (int y = y0; y < y1; ++y) {
		uint32_t *const row = c->px + (long)y * c->stride;
		for (int x = x0; x < x1; ++x) {
			row[x] = colour;
		}
	}
}

/* Along positions a0..a1 - 1 of a lane. */
static void fill_lane(const Canvas *c, int lane, int a0, int a1, uint32_t colour)
{
	const TgDisplayLayout *const l = c->l;
	a0 = a0 > 0 ? a0 : 0;
	a1 = a1 < l->len ? a1 : l->len;
	if (a1 <= a0) {
		return;
	}
	if (l->vertical) {
		fill_rect(c, l->lo[lane], l->y0 - a1 + 1, l->hi[lane], l->y0 - a0 + 1, colour);
	} else {
		fill_rect(c, l->x0 + a0, l->lo[lane], l->x0 + a1, l->hi[lane], colour);
	}
}

/* A scale mark at a fraction of the lane; only where the lane is long
 * enough for marks to stay apart. */
static void tick(const Canvas *c, int lane, float frac)
{
	if (c->l->len >= 60) {
		const int a = (int)(frac * (float)c->l->len + 0.5f);
		fill_lane(c, lane, a, a + 1, TG_DISPLAY_TICK);
	}
}

static uint32_t peak_colour(int a, int len)
{
	const float db = ((float)a + 0.5f) / (float)len * TG_DISPLAY_PEAK_DB - TG_DISPLAY_PEAK_DB;
	return db < -9.0f ? TG_DISPLAY_PEAK_OK : (db < -2.0f ? TG_DISPLAY_PEAK_NEAR : TG_DISPLAY_PEAK_AT);
}

static void draw_peak(const Canvas *c, const TgDisplayValues *v)
{
	const int len = c->l->len;
	for (float db = 6.0f; db < TG_DISPLAY_PEAK_DB; db += 6.0f) {
		tick(c, TG_LANE_PEAK, 1.0f - db / TG_DISPLAY_PEAK_DB);
	}
	/* Colour by position, as on a hardware meter: the zone says how
	 * close to the limit, not the bar's whole colour. */
	const int n = tg_display_peak_len(v->peak, len);
	int a = 0;
	while (a < n) {
		const uint32_t col = peak_colour(a, len);
		int b = a + 1;
		while (b < n && peak_colour(b, len) == col) {
			++b;
		}
		fill_lane(c, TG_LANE_PEAK, a, b, col);
		a = b;
	}
	const int h = tg_display_peak_len(v->peak_hold, len);
	if (h > 0) {
		const int w = len >= 60 ? 2 : 1;
		fill_lane(c, TG_LANE_PEAK, h - w, h, TG_DISPLAY_HOLD);
	}
}

static void draw_heat(const Canvas *c, const TgDisplayValues *v)
{
	const int len = c->l->len;
	const int knee = (int)(TG_DISPLAY_HEAT_KNEE * (float)len + 0.5f);
	tick(c, TG_LANE_HEAT, TG_DISPLAY_HEAT_KNEE);
	const int n = tg_display_heat_len(v->heat, len);
	fill_lane(c, TG_LANE_HEAT, 0, n < knee ? n : knee, TG_DISPLAY_HEAT);
	fill_lane(c, TG_LANE_HEAT, knee, n, TG_DISPLAY_HEAT_HOT);
	fill_lane(c, TG_LANE_HEAT, 0, tg_display_magnet_len(v->magnet, v->heat, len), TG_DISPLAY_MAGNET);
}

void tg_display_draw(uint32_t *pixels, int width, int height, int stride, const TgDisplayValues *v)
{
	if (!pixels || width <= 0 || height <= 0 || stride < width) {
		return;
	}
	TgDisplayLayout l;
	tg_display_layout(width, height, &l);
	const Canvas c = {pixels, stride, &l};
	fill_rect(&c, 0, 0, width, height, v->bypassed ? TG_DISPLAY_BYPASS : TG_DISPLAY_BG);
	const int f = l.frame;
	if (width <= 2 * f || height <= 2 * f) {
		return; /* too small for more than the frame */
	}
	fill_rect(&c, f, f, width - f, height - f, TG_DISPLAY_BG);
	const uint32_t trough[TG_N_LANES] = {
	    v->cooling ? TG_DISPLAY_COOL : TG_DISPLAY_TROUGH, TG_DISPLAY_TROUGH,
	    v->cooling ? TG_DISPLAY_COOL : TG_DISPLAY_TROUGH, TG_DISPLAY_TROUGH};
	for (int k = 0; k < TG_N_LANES; ++k) {
		fill_lane(&c, k, 0, l.len, trough[k]);
	}
	const int len = l.len;
	if (v->cooling) {
		/* Muted: no peaks, and the gain reduction would read "all";
		 * the heat over the limit says how far there is to go. */
		const int n = tg_display_cool_len(v->heat, len);
		fill_lane(&c, TG_LANE_GR, len - n, len, TG_DISPLAY_COOL_BAR);
	} else {
		draw_peak(&c, v);
		const int n = tg_display_gr_len(v->gr_db, len);
		fill_lane(&c, TG_LANE_GR, len - n, len, TG_DISPLAY_GR);
	}
	draw_heat(&c, v);
	const int r = tg_display_ramp_len(v->ramp, len);
	fill_lane(&c, TG_LANE_RAMP, 0, r, v->ramp >= 1.0f ? TG_DISPLAY_RAMP_DONE : TG_DISPLAY_RAMP);
}
