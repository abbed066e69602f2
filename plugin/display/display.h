/* tguard: the inline display's picture, independent of any plugin API.
 *
 * Draws the protection meters as plain bars into a caller-owned buffer of
 * 32-bit words 0xAARRGGBB (cairo's ARGB32 in native byte order). Every
 * pixel is opaque, so premultiplied readers (Ardour, through cairo) and
 * straight-alpha ones (Carla, through Qt) show the same colours.
 *
 * Lanes, in this order from the top (or from the left when the picture is
 * taller than wide, where the bars rise from the bottom):
 *   peak   true-peak current against its limit, dB scale, with a hold tick;
 *   heat   the thermal (RMS) estimate against its limit, as the fraction
 *          of the allowed heating (the square of the current ratio); its
 *          first part, darker, the magnet's heat (two stages, heat.h),
 *          which the coil keeps drawing on while the magnet cools;
 *   gr     gain reduction, from the far end (the right, or the top);
 *   ramp   soft-start progress, bright while it runs, dim once done.
 * States: bypassed (still protecting) frames the picture in amber; cooling
 * (muted until the heat estimate is under the limit) turns the peak and
 * gain-reduction lanes ice blue, with a dark bar in the gain-reduction
 * lane that shrinks as the heat falls to the limit.
 */
#ifndef TG_DISPLAY_H
#define TG_DISPLAY_H

#include <stdint.h>

/* The largest picture: tg_display_size() never returns more, so a buffer
 * of this many pixels serves every request. */
#define TG_DISPLAY_MAX_W 1024
#define TG_DISPLAY_MAX_H 512

/* Scales: the peak lane spans this many dB under the limit, the gain
 * reduction lane this many dB of reduction, the cooling bar this many dB
 * of heat-estimate current over the limit. */
#define TG_DISPLAY_PEAK_DB 36.0f
#define TG_DISPLAY_GR_DB 20.0f
#define TG_DISPLAY_COOL_DB 12.0f

/* Colours, shared with the tests that read the pixels back. */
#define TG_DISPLAY_BG 0xff141414u        /* background and unlit frame */
#define TG_DISPLAY_TROUGH 0xff2a2a2au    /* a lane's unlit part */
#define TG_DISPLAY_TICK 0xff404040u      /* scale marks in the trough */
#define TG_DISPLAY_PEAK_OK 0xff30c050u   /* more than 9 dB under the limit */
#define TG_DISPLAY_PEAK_NEAR 0xffe0c020u /* within 9 dB */
#define TG_DISPLAY_PEAK_AT 0xffff3030u   /* within 2 dB: the limiter acts */
#define TG_DISPLAY_HOLD 0xffffffffu
#define TG_DISPLAY_HEAT 0xffe07018u      /* under the thermal knee */
#define TG_DISPLAY_HEAT_HOT 0xffff3030u  /* over it: the thermal gain acts */
#define TG_DISPLAY_MAGNET 0xff803c10u    /* the magnet's part of the heat */
#define TG_DISPLAY_GR 0xffc048ffu
#define TG_DISPLAY_RAMP 0xffd8d8d8u      /* soft start under way */
#define TG_DISPLAY_RAMP_DONE 0xff505050u
#define TG_DISPLAY_BYPASS 0xffffa000u    /* the frame while bypassed */
#define TG_DISPLAY_COOL 0xff60c8ffu      /* lanes while muted by heat */
#define TG_DISPLAY_COOL_BAR 0xff104080u  /* heat over the limit, shrinking */

/* The thermal gain starts at 90 % of the RMS limit (TG_THERMAL_KNEE in
 * limiter.h): 81 % of the allowed heating. */
#define TG_DISPLAY_HEAT_KNEE 0.81f

typedef enum { TG_LANE_PEAK, TG_LANE_HEAT, TG_LANE_GR, TG_LANE_RAMP, TG_N_LANES } TgDisplayLane;

typedef struct {
	float peak;      /* true-peak current / its limit (linear, 0..1) */
	float peak_hold; /* the held highest peak, same scale */
	float heat;      /* thermal estimate / the RMS limit (current ratio) */
	float magnet;    /* the magnet's heat / the RMS limit squared (heat.h) */
	float gr_db;     /* gain reduction, dB (<= 0) */
	float ramp;      /* soft-start progress, 0..1 */
	int bypassed;    /* enable off: filters and volume out, limits still on */
	int cooling;     /* muted until the heat estimate is under the limit */
} TgDisplayValues;

/* Where a picture's lanes lie: lane k covers cross positions lo[k] to
 * hi[k] - 1 (rows, or columns when vertical) and along positions 0 to
 * len - 1 (x from x0, or y upwards from y0 when vertical). */
typedef struct {
	int vertical;
	int frame;   /* frame thickness, pixels */
	int x0, y0;  /* horizontal: leftmost column; vertical: bottom row */
	int len;     /* lane length */
	int lo[TG_N_LANES], hi[TG_N_LANES];
} TgDisplayLayout;

/** The picture's size for a host that offers width w and height up to
 * max_h: a strip about 3.3 times wider than high, or, when the room is at
 * least twice as high as wide, all of it with vertical bars. Clamped to
 * TG_DISPLAY_MAX_W x TG_DISPLAY_MAX_H; 0 x 0 when w or max_h is 0. */
void tg_display_size(uint32_t w, uint32_t max_h, uint32_t *out_w, uint32_t *out_h);

/** The lanes of a width x height picture (vertical when height > width). */
void tg_display_layout(int width, int height, TgDisplayLayout *layout);

/** How many pixels of a lane of len pixels each meter lights. */
int tg_display_peak_len(float ratio, int len);
int tg_display_heat_len(float ratio, int len);
/** The magnet's part of it: heat (A^2) over the limit squared, at most the heat lane's. */
int tg_display_magnet_len(float magnet, float ratio, int len);
int tg_display_gr_len(float gr_db, int len);
int tg_display_ramp_len(float ramp, int len);
int tg_display_cool_len(float ratio, int len);

/** Draw v into pixels: width x height words, stride words from one row to
 * the next (>= width). Writes every pixel of the picture, allocates
 * nothing. */
void tg_display_draw(uint32_t *pixels, int width, int height, int stride, const TgDisplayValues *v);

#endif
