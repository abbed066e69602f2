/* tguard: band-limit filters. */
#include "filter.h"

#include "safety.h" /* TG_BAND_LIMIT: no corner above the guard band */

#include "simd.h"

#include <math.h>
#include <string.h>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define TG_FILTER_X86 1
#endif

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

static int all_steady(const TgFilter *f);
static void leave_packed(TgFilter *f);
static void sections(TgFilter *f, TgSection **all);

void tg_biquad_design(TgBiquadCoefs *c, TgPass pass, double freq, double q, double rate)
{
	/* RBJ audio EQ cookbook, LPF and HPF. */
	const double w0 = 2.0 * M_PI * freq / rate;
	const double cw = cos(w0);
	const double alpha = sin(w0) / (2.0 * q);
	const double a0 = 1.0 + alpha;
	const double k = pass == TG_LOWPASS ? (1.0 - cw) : (1.0 + cw);
	c->b0 = k / (2.0 * a0);
	c->b1 = (pass == TG_LOWPASS ? k : -k) / a0;
	c->b2 = c->b0;
	c->a1 = -2.0 * cw / a0;
	c->a2 = (1.0 - alpha) / a0;
}

double tg_biquad_magnitude_db(const TgBiquadCoefs *c, double freq, double rate)
{
	const double w = 2.0 * M_PI * freq / rate;
	const double c1 = cos(w), s1 = sin(w), c2 = cos(2.0 * w), s2 = sin(2.0 * w);
	const double nr = c->b0 + c->b1 * c1 + c->b2 * c2;
	const double ni = -(c->b1 * s1 + c->b2 * s2);
	const double dr = 1.0 + c->a1 * c1 + c->a2 * c2;
	const double di = -(c->a1 * s1 + c->a2 * s2);
	return 10.0 * log10((nr * nr + ni * ni) / (dr * dr + di * di));
}

static void section_target(TgSection *s, double freq, double q, double mix, int jump)
{
	s->freq_to = freq;
	s->q_to = q;
	s->mix_to = mix;
	if (jump) {
		s->freq = freq;
		s->q = q;
		s->mix = mix;
	}
}

static void butterworth_set(TgButterworth *b, double freq, int order, int jump, double rate)
{
	TgSection *const a = &b->sec[0], *const c = &b->sec[1];
	/* An order switched off keeps its last corner and Q, so it fades out
	 * without moving. */
	switch (order) {
	case 4:
		section_target(a, freq, TG_BW4_Q0, 1.0, jump);
		section_target(c, freq, TG_BW4_Q1, 1.0, jump);
		break;
	case 2:
		section_target(a, freq, TG_BW2_Q, 1.0, jump);
		section_target(c, freq, c->q_to > 0.0 ? c->q_to : TG_BW4_Q1, 0.0, jump);
		break;
	default:
		section_target(a, freq, a->q_to > 0.0 ? a->q_to : TG_BW2_Q, 0.0, jump);
		section_target(c, freq, c->q_to > 0.0 ? c->q_to : TG_BW4_Q1, 0.0, jump);
		break;
	}
	for (int i = 0; i < 2; ++i) {
		tg_biquad_design(&b->sec[i].c, b->pass, b->sec[i].freq, b->sec[i].q, rate);
	}
}

void tg_filter_reset(TgFilter *f)
{
	f->packed = 0;
	f->warm = 0;
	tg_dc_reset(&f->dc);
	for (int i = 0; i < 2; ++i) {
		memset(f->hpf.sec[i].st, 0, sizeof(f->hpf.sec[i].st));
		memset(f->lpf.sec[i].st, 0, sizeof(f->lpf.sec[i].st));
	}
}

void tg_filter_init(TgFilter *f, double rate, uint32_t n_ch)
{
	memset(f, 0, sizeof(*f));
	f->rate = rate;
	f->n_ch = n_ch;
	/* Corner glides: 8 ms time constant on a log scale. */
	f->glide = 1.0 - exp(-1.0 / (0.008 * rate));
	f->mix_step = 1.0 / (0.020 * rate);
	tg_dc_init(&f->dc, rate);
	f->hpf.pass = TG_HIGHPASS;
	f->lpf.pass = TG_LOWPASS;
	f->kernel = TG_FILTER_BLOCK;
	tg_filter_use(f, TG_FILTER_BLOCK_AVX2);
	tg_filter_set(f, 80.0, 0, 16000.0, 0, 1);
}

int tg_filter_use(TgFilter *f, TgFilterKernel k)
{
	if (k == TG_FILTER_BLOCK_AVX2) {
#if defined(TG_FILTER_X86)
		__builtin_cpu_init();
		if (!__builtin_cpu_supports("avx2") || !__builtin_cpu_supports("fma")) {
			return 0;
		}
#else
		return 0;
#endif
	}
	leave_packed(f);
	f->kernel = k;
	return 1;
}

void tg_filter_set(TgFilter *f, double hpf_hz, int hpf_order, double lpf_hz,
                   int lpf_order, int jump)
{
	leave_packed(f);
	const double top = TG_BAND_LIMIT * f->rate;
	butterworth_set(&f->hpf, hpf_hz < top ? hpf_hz : top, hpf_order, jump, f->rate);
	butterworth_set(&f->lpf, lpf_hz < top ? lpf_hz : top, lpf_order, jump, f->rate);
	f->steady = all_steady(f);
	f->blk_k = -1;
	f->warm = 0;
}

void tg_dc_init(TgDcBlock *dc, double rate)
{
	memset(dc, 0, sizeof(*dc));
	/* Bilinear first-order high-pass (prewarped corner). */
	const double k = tan(M_PI * TG_DC_BLOCK_HZ / rate);
	dc->b0 = 1.0 / (1.0 + k);
	dc->a1 = (k - 1.0) / (k + 1.0);
}

void tg_dc_reset(TgDcBlock *dc)
{
	memset(dc->x1, 0, sizeof(dc->x1));
	memset(dc->y1, 0, sizeof(dc->y1));
}

void tg_dc_weights(const TgDcBlock *dc, double *w, double *dw, uint32_t n)
{
	for (uint32_t j = 0; j <= n; ++j) {
		w[j] = pow(-dc->a1, (double)j);
	}
	for (uint32_t j = 0; j + 2 <= n; ++j) {
		dw[j] = w[n - 1 - j] - w[n - 2 - j];
	}
	dw[n - 1] = w[0];
}

/* One frame of the DC blocker, from its last input x1 and output y1. */
static inline double dc_step(double b0, double a1, double in, double x1, double y1)
{
	return b0 * (in - x1) - a1 * y1;
}

void tg_dc_process(TgDcBlock *dc, float *x, uint32_t ch, uint32_t n)
{
	const double b0 = dc->b0, a1 = dc->a1;
	double x1 = dc->x1[ch], y1 = dc->y1[ch];
	for (uint32_t i = 0; i < n; ++i) {
		const double in = x[i];
		const double y = dc_step(b0, a1, in, x1, y1);
		x1 = in;
		y1 = y;
		x[i] = (float)y;
	}
	dc->x1[ch] = x1;
	dc->y1[ch] = y1;
}

/* One frame of a section, direct form I; the feedback term comes last so
 * only it is on the chain from frame to frame. */
static inline double df1(const TgBiquadCoefs *c, TgBiquadState *st, double in)
{
	const double t = c->b0 * in + c->b1 * st->x1 + c->b2 * st->x2 - c->a2 * st->y2;
	const double y = t - c->a1 * st->y1;
	st->x2 = st->x1;
	st->x1 = in;
	st->y2 = st->y1;
	st->y1 = y;
	return y;
}

void tg_biquad_process(const TgBiquadCoefs *c, TgBiquadState *st, float *x, uint32_t n)
{
	for (uint32_t i = 0; i < n; ++i) {
		x[i] = (float)df1(c, st, (double)x[i]);
	}
}

static int section_moving(const TgSection *s)
{
	return s->freq != s->freq_to || s->q != s->q_to || s->mix != s->mix_to;
}

/* One frame of a glide: move the parameters and redesign. Glides last
 * tens of milliseconds, so the cost of redesigning per frame is paid only
 * while a control moves. */
static void section_glide(TgFilter *f, TgPass pass, TgSection *s)
{
	const double g = f->glide;
	const double fr = s->freq * exp(g * log(s->freq_to / s->freq));
	const double q = s->q * exp(g * log(s->q_to / s->q));
	s->freq = fabs(fr / s->freq_to - 1.0) < 1e-5 ? s->freq_to : fr;
	s->q = fabs(q / s->q_to - 1.0) < 1e-5 ? s->q_to : q;
	if (s->mix < s->mix_to) {
		s->mix = s->mix + f->mix_step < s->mix_to ? s->mix + f->mix_step : s->mix_to;
	} else if (s->mix > s->mix_to) {
		s->mix = s->mix - f->mix_step > s->mix_to ? s->mix - f->mix_step : s->mix_to;
	}
	tg_biquad_design(&s->c, pass, s->freq, s->q, f->rate);
}

/* While anything glides: frame by frame, the DC blocker and then every
 * section in double, rounded to float once, as the steady cascade does
 * (rounding between the stages would leave an error relative to the
 * input, which a high-pass may have taken nearly all of). A section that
 * glides moves one step per frame and runs with its mix; once faded out
 * it starts from rest; a settled one runs when it is in. */
static void glide_process(TgFilter *f, float *const *buf, uint32_t n_ch, uint32_t n)
{
	TgSection *all[4];
	sections(f, all);
	const double db0 = f->dc.b0, da1 = f->dc.a1;
	for (uint32_t i = 0; i < n; ++i) {
		double x[TG_FILTER_MAX_CH];
		for (uint32_t ch = 0; ch < n_ch; ++ch) {
			const double in = buf[ch][i];
			x[ch] = dc_step(db0, da1, in, f->dc.x1[ch], f->dc.y1[ch]);
			f->dc.x1[ch] = in;
			f->dc.y1[ch] = x[ch];
		}
		for (int k = 0; k < 4; ++k) {
			TgSection *const s = all[k];
			const int moving = section_moving(s);
			if (moving) {
				section_glide(f, k < 2 ? TG_HIGHPASS : TG_LOWPASS, s);
			}
			if (moving || s->mix > 0.0) {
				for (uint32_t ch = 0; ch < n_ch; ++ch) {
					const double y = df1(&s->c, &s->st[ch], x[ch]);
					x[ch] = s->mix >= 1.0 ? y : s->mix * y + (1.0 - s->mix) * x[ch];
				}
			}
			if (moving && s->mix == 0.0 && s->mix_to == 0.0) {
				/* Faded out: start from rest when it is next blended in. */
				memset(s->st, 0, sizeof(s->st));
			}
		}
		for (uint32_t ch = 0; ch < n_ch; ++ch) {
			buf[ch][i] = (float)x[ch];
		}
	}
}

static int section_steady(const TgSection *s)
{
	return !section_moving(s) && (s->mix == 0.0 || s->mix == 1.0);
}

/* The steady path: every section fully in or out, all of them run in one
 * pass per frame in double, so the sections overlap in the pipeline and the
 * signal is rounded to float once. K is a constant in each instance. */
static inline __attribute__((always_inline)) void
cascade(TgDcBlock *dc, uint32_t ch, TgSection *const *sec, int K, float *x, uint32_t n)
{
	TgBiquadCoefs c[4];
	TgBiquadState s[4];
	for (int k = 0; k < K; ++k) {
		c[k] = sec[k]->c;
		s[k] = sec[k]->st[ch];
	}
	const double db0 = dc->b0, da1 = dc->a1;
	double x1 = dc->x1[ch], y1 = dc->y1[ch];
	for (uint32_t i = 0; i < n; ++i) {
		const double in = x[i];
		double y = dc_step(db0, da1, in, x1, y1);
		x1 = in;
		y1 = y;
		for (int k = 0; k < K; ++k) {
			y = df1(&c[k], &s[k], y);
		}
		x[i] = (float)y;
	}
	dc->x1[ch] = x1;
	dc->y1[ch] = y1;
	for (int k = 0; k < K; ++k) {
		sec[k]->st[ch] = s[k];
	}
}

/* The sections fully in, in order; their number. */
static int steady_sections(TgFilter *f, TgSection **all, TgSection **on)
{
	sections(f, all);
	int K = 0;
	for (int k = 0; k < 4; ++k) {
		if (all[k]->mix == 1.0) {
			on[K++] = all[k];
		}
	}
	return K;
}

/* ---- The steady cascade in blocks (see TgFilterBlock) ---- */

/* One frame of the steady cascade on the packed state: the arithmetic of
 * cascade(), from which the block matrices are measured. */
static double packed_step(const TgDcBlock *dc, TgSection *const *on, int K, double *s, double u)
{
	double x = dc_step(dc->b0, dc->a1, u, s[0], s[1]);
	/* Each section's input memory is the previous stage's output memory,
	 * as it was before this frame. */
	TgBiquadState st = {s[1], s[2], 0.0, 0.0};
	s[0] = u;
	s[2] = s[1];
	s[1] = x;
	for (int k = 0; k < K; ++k) {
		double *const y = s + 3 + 2 * k;
		st.y1 = y[0];
		st.y2 = y[1];
		x = df1(&on[k]->c, &st, x);
		st.x1 = y[0]; /* this section's old outputs, the next one's inputs */
		st.x2 = y[1];
		y[0] = st.y1;
		y[1] = st.y2;
	}
	return x;
}

/* The system is linear: each matrix column is the response to one unit
 * state value or one unit input frame. */
static void block_design(TgFilter *f, TgSection *const *on, int K)
{
	const int ns = 3 + 2 * K;
	TgFilterBlock *const b = &f->blk;
	memset(b, 0, sizeof(*b));
	for (int j = 0; j < ns + TG_BLK; ++j) {
		double s[TG_BLK_NS] = {0.0}, u[TG_BLK] = {0.0};
		if (j < ns) {
			s[j] = 1.0;
		} else {
			u[j - ns] = 1.0;
		}
		double *const y = j < ns ? b->cy[j] : b->dy[j - ns];
		double *const t = j < ns ? b->at[j] : b->bt[j - ns];
		for (int i = 0; i < TG_BLK; ++i) {
			y[i] = packed_step(&f->dc, on, K, s, u[i]);
		}
		for (int r = 0; r < ns - 3; ++r) {
			t[r] = s[1 + r];
		}
	}
	f->blk_k = K;
}

/* In steady state each section's input memory is the previous stage's
 * output memory, so the packed state holds it once. */
static void pack(const TgFilter *f, TgSection *const *on, int K, uint32_t ch, double *s)
{
	s[0] = f->dc.x1[ch];
	s[1] = f->dc.y1[ch];
	s[2] = K > 0 ? on[0]->st[ch].x2 : 0.0;
	for (int k = 0; k < K; ++k) {
		s[3 + 2 * k] = on[k]->st[ch].y1;
		s[4 + 2 * k] = on[k]->st[ch].y2;
	}
}

static void unpack(TgFilter *f, TgSection *const *on, int K, uint32_t ch, const double *s)
{
	f->dc.x1[ch] = s[0];
	f->dc.y1[ch] = s[1];
	for (int k = 0; k < K; ++k) {
		TgBiquadState *const st = &on[k]->st[ch];
		st->x1 = s[1 + 2 * k];
		st->x2 = s[2 + 2 * k];
		st->y1 = s[3 + 2 * k];
		st->y2 = s[4 + 2 * k];
	}
}

/* One block kernel per vector type: y = Cy s + Dy u and the inner state
 * t = At s + Bt u, each as two partial sums so the chain from one block to
 * the next is short; the rest of the state is the last input and outputs.
 * NS is a constant in every instance, so the loops unroll. TG_BLOCK_MAC
 * adds one matrix pair times a vector of values to y and t. */
#define TG_BLOCK_MAC(VT, YM, TM, V, N)                                                   \
	for (int j = 0; j < (N); ++j) {                                                  \
		for (int v = 0; v < NV; ++v) {                                           \
			VT c, a;                                                         \
			memcpy(&c, &(YM)[j][v * L], sizeof(VT));                         \
			memcpy(&a, &(TM)[j][v * L], sizeof(VT));                         \
			y[j & 1][v] += c * (V)[j];                                       \
			t[j & 1][v] += a * (V)[j];                                       \
		}                                                                        \
	}

#define TG_BLOCK_KERNEL(NAME, VT, FT, SHORT)                                             \
	static inline __attribute__((always_inline)) void NAME(                          \
	    const TgFilterBlock *restrict m, double *restrict s, float *restrict x,          \
	    uint32_t nblk, const int NS)                                                     \
	{                                                                                    \
		enum { NV = (int)(TG_BLK * sizeof(double) / sizeof(VT)), L = TG_BLK / NV };  \
		for (uint32_t b = 0; b < nblk; ++b, x += TG_BLK) {                          \
			double u[TG_BLK];                                                    \
			if (SHORT) {                                                         \
				TG_OPAQUE(m);                                                \
			}                                                                    \
			VT y[2][NV], t[2][NV];                                               \
			for (int v = 0; v < NV; ++v) {                                       \
				FT f;                                                        \
				memcpy(&f, x + v * L, sizeof(FT));                           \
				const VT d = __builtin_convertvector(f, VT);                 \
				memcpy(&u[v * L], &d, sizeof(VT));                           \
			}                                                                    \
			for (int v = 0; v < 2 * NV; ++v) {                                   \
				y[v / NV][v % NV] = (VT){0};                                 \
				t[v / NV][v % NV] = (VT){0};                                 \
			}                                                                    \
			TG_BLOCK_MAC(VT, m->dy, m->bt, u, TG_BLK);                           \
			TG_BLOCK_MAC(VT, m->cy, m->at, s, NS);                               \
			/* The inner state goes straight to s[1 ..] (all TG_BLK    \
			 * lanes: those past NS - 3 are zero or overwritten at     \
			 * once), the last outputs from their register: the next   \
			 * block waits on no copy. */                               \
			VT ys;                                                               \
			for (int v = 0; v < NV; ++v) {                                       \
				const VT ts = t[0][v] + t[1][v];                             \
				ys = y[0][v] + y[1][v];                                      \
				const FT f = __builtin_convertvector(ys, FT);                \
				memcpy(s + 1 + v * L, &ts, sizeof(VT));                      \
				memcpy(x + v * L, &f, sizeof(FT));                           \
			}                                                                    \
			s[0] = u[TG_BLK - 1];                                                \
			s[NS - 2] = ys[L - 1];                                               \
			s[NS - 1] = ys[L - 2];                                               \
		}                                                                            \
	}

/* For a few blocks the matrices are read from memory in every block:
 * hoisted out of the loop they do not fit in registers, and the compiler
 * copies them all to the stack before the first block (most of the work
 * for a short host block). An empty asm that may change the pointer keeps
 * the loads in. */
#if defined(__GNUC__) || defined(__clang__)
#define TG_OPAQUE(p) __asm__("" : "+r"(p))
#else
#define TG_OPAQUE(p) ((void)0)
#endif

/* Calls F(k) with k = K as a constant, 0 to 4 sections, so that every
 * cascade length is compiled with its own fixed loops. */
#define TG_FOR_K(K, F)          \
	switch (K) {            \
	case 0:                 \
		F(0);           \
		break;          \
	case 1:                 \
		F(1);           \
		break;          \
	case 2:                 \
		F(2);           \
		break;          \
	case 3:                 \
		F(3);           \
		break;          \
	default:                \
		F(4);           \
		break;          \
	}

/* Short runs (a few blocks) keep the matrix loads in the loop. */
#define TG_BLOCK_V2(k) block_v2(m, s, x, nblk, 3 + 2 * (k))
#define TG_BLOCK_V2_SHORT(k) block_v2_short(m, s, x, nblk, 3 + 2 * (k))
#define TG_BLOCK_V4(k) block_v4(m, s, x, nblk, 3 + 2 * (k))
#define TG_BLOCK_V4_SHORT(k) block_v4_short(m, s, x, nblk, 3 + 2 * (k))
#define TG_CASCADE(k) cascade(&f->dc, ch, on, (k), x, n)

TG_BLOCK_KERNEL(block_v2, TgV2d, TgV2f, 0)
TG_BLOCK_KERNEL(block_v2_short, TgV2d, TgV2f, 1)

static void block_run(const TgFilterBlock *m, double *s, float *x, uint32_t nblk, int K)
{
	if (nblk <= 4) {
		TG_FOR_K(K, TG_BLOCK_V2_SHORT)
	} else {
		TG_FOR_K(K, TG_BLOCK_V2)
	}
}

#if defined(TG_FILTER_X86)
TG_BLOCK_KERNEL(block_v4, TgV4d, TgV4f, 0)
TG_BLOCK_KERNEL(block_v4_short, TgV4d, TgV4f, 1)

/* The same in AVX2 with FMA (the Makefile lets the compiler contract
 * products and sums: half the operations, and one rounding fewer). */
__attribute__((target("avx2,fma"))) static void block_run_avx2(const TgFilterBlock *m, double *s,
                                                               float *x, uint32_t nblk, int K)
{
	if (nblk <= 4) {
		TG_FOR_K(K, TG_BLOCK_V4_SHORT)
	} else {
		TG_FOR_K(K, TG_BLOCK_V4)
	}
}
#endif

static void cascade_run(TgFilter *f, uint32_t ch, TgSection *const *on, int K, float *x,
                        uint32_t n)
{
	if (n == 0) {
		return;
	}
	TG_FOR_K(K, TG_CASCADE)
}

/* While steady in blocks the packed copy ps is the filter's memory, and only
 * the steady run of tg_filter_process uses it. Whatever else reads or
 * changes the sections' memory, their settings or the kernel starts here
 * (every entry point that does, and twin_copy), and the sections hold the
 * memory again; tg_filter_reset alone drops the copy instead. No caller
 * outside this file knows of it. */
static void leave_packed(TgFilter *f)
{
	if (!f->packed) {
		return;
	}
	TgSection *all[4], *on[4];
	const int K = steady_sections(f, all, on);
	for (uint32_t ch = 0; ch < f->n_ch; ++ch) {
		unpack(f, on, K, ch, f->ps[ch]);
	}
	f->packed = 0;
}

/* Steady: the first frames after a change run one by one, until every
 * section's input memory is the previous stage's output memory (a section
 * being blended in had a mixed output); then the state is packed, and runs
 * in whole blocks, the rest frame by frame. */
static void steady_process(TgFilter *f, float *const *buf, uint32_t n_ch, uint32_t n,
                           TgSection *const *on, int K)
{
	if (f->kernel == TG_FILTER_SCALAR) {
		for (uint32_t ch = 0; ch < n_ch; ++ch) {
			cascade_run(f, ch, on, K, buf[ch], n);
		}
		return;
	}
	uint32_t head = 0;
	if (!f->packed) {
		head = f->warm < 2 ? 2 - f->warm : 0;
		head = head < n ? head : n;
		for (uint32_t ch = 0; ch < n_ch; ++ch) {
			cascade_run(f, ch, on, K, buf[ch], head);
		}
		f->warm += head;
		if (f->warm < 2) {
			return;
		}
		if (f->blk_k != K) {
			block_design(f, on, K);
		}
		for (uint32_t ch = 0; ch < f->n_ch; ++ch) {
			pack(f, on, K, ch, f->ps[ch]);
		}
		f->packed = 1;
	}
	const uint32_t nblk = (n - head) / TG_BLK;
	const uint32_t done = head + nblk * TG_BLK;
	for (uint32_t ch = 0; ch < n_ch; ++ch) {
		float *const x = buf[ch];
		double *const ps = f->ps[ch];
		if (nblk > 0) {
#if defined(TG_FILTER_X86)
			if (f->kernel == TG_FILTER_BLOCK_AVX2) {
				block_run_avx2(&f->blk, ps, x + head, nblk, K);
			} else
#endif
			{
				block_run(&f->blk, ps, x + head, nblk, K);
			}
		}
		for (uint32_t i = done; i < n; ++i) {
			x[i] = (float)packed_step(&f->dc, on, K, ps, (double)x[i]);
		}
	}
}

static void sections(TgFilter *f, TgSection **all)
{
	all[0] = &f->hpf.sec[0];
	all[1] = &f->hpf.sec[1];
	all[2] = &f->lpf.sec[0];
	all[3] = &f->lpf.sec[1];
}

static int all_steady(const TgFilter *f)
{
	return section_steady(&f->hpf.sec[0]) && section_steady(&f->hpf.sec[1]) &&
	       section_steady(&f->lpf.sec[0]) && section_steady(&f->lpf.sec[1]);
}


/* The second channel's memory becomes the first's. */
static void twin_copy(TgFilter *f)
{
	leave_packed(f);
	TgSection *all[4];
	sections(f, all);
	f->dc.x1[1] = f->dc.x1[0];
	f->dc.y1[1] = f->dc.y1[0];
	for (int k = 0; k < 4; ++k) {
		all[k]->st[1] = all[k]->st[0];
	}
}

void tg_filter_process(TgFilter *f, float *const *buf, int twin, uint32_t n)
{
	if (twin != f->twin) {
		twin_copy(f);
		f->twin = twin;
	}
	const uint32_t n_ch = twin ? 1 : f->n_ch;
	TgSection *all[4], *on[4];
	if (f->packed && n % TG_BLK == 0) {
		/* The usual case: nothing but blocks, no sections to look at. */
		steady_process(f, buf, n_ch, n, NULL, f->blk_k);
		return;
	}
	const int K = steady_sections(f, all, on);
	if (!f->steady) {
		glide_process(f, buf, n_ch, n);
		f->steady = all_steady(f);
		f->blk_k = -1;
		f->warm = 0;
		return;
	}
	steady_process(f, buf, n_ch, n, on, K);
}

int tg_filter_twin_ready(TgFilter *f)
{
	leave_packed(f);
	TgSection *all[4];
	sections(f, all);
	double d = fabs(f->dc.x1[0] - f->dc.x1[1]) + fabs(f->dc.y1[0] - f->dc.y1[1]);
	for (int k = 0; k < 4; ++k) {
		const TgBiquadState *const a = &all[k]->st[0], *const b = &all[k]->st[1];
		d += fabs(a->x1 - b->x1) + fabs(a->x2 - b->x2) + fabs(a->y1 - b->y1) +
		     fabs(a->y2 - b->y2);
	}
	return d < 1e-9;
}

static double section_db(const TgSection *s, TgPass pass, double freq, double rate)
{
	if (s->mix_to <= 0.0) {
		return 0.0;
	}
	TgBiquadCoefs c;
	tg_biquad_design(&c, pass, s->freq_to, s->q_to, rate);
	return tg_biquad_magnitude_db(&c, freq, rate);
}

double tg_filter_magnitude_db(const TgFilter *f, double freq)
{
	const double w = 2.0 * M_PI * freq / f->rate;
	/* |b0 (1 - z^-1) / (1 + a1 z^-1)| of the DC blocker. */
	const double nr = f->dc.b0 * (1.0 - cos(w)), ni = f->dc.b0 * sin(w);
	const double dr = 1.0 + f->dc.a1 * cos(w), di = -f->dc.a1 * sin(w);
	double db = 10.0 * log10((nr * nr + ni * ni) / (dr * dr + di * di));
	for (int k = 0; k < 2; ++k) {
		db += section_db(&f->hpf.sec[k], TG_HIGHPASS, freq, f->rate);
		db += section_db(&f->lpf.sec[k], TG_LOWPASS, freq, f->rate);
	}
	return db;
}
