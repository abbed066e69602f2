/* tguard benchmark: time tguard and the plugins a user would otherwise
 * chain, on the same input through the same host, and print figures.
 *
 *   bench [--rate HZ] BUNDLE_DIR TGUARD_RENDER WORK_DIR [SUBJECT]
 *
 * The plugins run at 48 kHz, or at HZ. With SUBJECT (a part of a name in
 * the table) only the matching plugins are timed, for profiling one of
 * them.
 * Figures only: nothing here is a pass/fail test, the machines are shared.
 */
#define _GNU_SOURCE

#include <dlfcn.h>
#include <math.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <lv2/core/lv2.h>
#include <lv2/urid/urid.h>
#include <sndfile.h>

#include "host.h"
#include "rtcheck.h"
#include "signals.h"

extern char **environ;

#define RATE 48000.0 /* the long render's; the plugins run at bench_rate */
#define SECONDS 8u
/* The rate the plugins run at (--rate), and the frames of input for it. */
static double bench_rate = RATE;
static uint32_t n_frames = (uint32_t)(SECONDS * 48000u);
#define RUNS 11
#define N_BLOCKS 4
static const uint32_t blocks[N_BLOCKS] = {16, 64, 512, 4096};

#define DPL "http://gareus.org/oss/lv2/dpl#stereo"
#define LSP "http://lsp-plug.in/plugins/lv2/limiter_stereo"
#define FIL4 "http://gareus.org/oss/lv2/fil4#stereo"

typedef struct {
	const char *name;
	const char *uri;
	const char *preset; /* tguard only */
	const char *then;   /* a second plugin fed by the first */
	const char *set;    /* a control of the first plugin set to 1, or NULL */
} Subject;

static const Subject subjects[] = {
    {"tguard stereo, defaults", "urn:tguard:stereo", NULL, NULL, NULL},
    {"tguard stereo, dynamic-mic", "urn:tguard:stereo", "urn:tguard:preset:dynamic-mic", NULL, NULL},
    {"x42-dpl stereo", DPL, NULL, NULL, NULL},
    /* x42-dpl's own true-peak detection (its "truepeak" toggle, port 6). */
    {"x42-dpl stereo, truepeak", DPL, NULL, NULL, "truepeak"},
    {"LSP limiter stereo", LSP, NULL, NULL, NULL},
    {"x42-fil4 -> x42-dpl", FIL4, NULL, DPL, NULL},
};
#define N_SUBJECTS (sizeof(subjects) / sizeof(subjects[0]))

typedef struct {
	int missing;
	double med[N_BLOCKS], min[N_BLOCKS], max[N_BLOCKS]; /* ns per frame */
	double run[N_BLOCKS][RUNS];                          /* each run's */
} Result;

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	const double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* tguard comes from the build, peers from LV2_PATH or the standard paths. */
static TgHost *load(const char *bundle, const char *uri, const char *preset)
{
	const int ours = strncmp(uri, "urn:tguard:", 11) == 0;
	TgHost *const host = tg_host_new(ours ? bundle : NULL);
	char err[1024] = "";
	if (!host || tg_host_load(host, uri, bench_rate, err, sizeof(err)) != TG_HOST_OK ||
	    (preset && tg_host_apply_preset(host, preset, err, sizeof(err)) != TG_HOST_OK)) {
		tg_host_free(host);
		return NULL;
	}
	return host;
}

/* The filters a user would set in x42-fil4 to match tguard's defaults. */
static void match_filters(TgHost *fil4, const char *bundle)
{
	TgHost *const ref = load(bundle, "urn:tguard:stereo", NULL);
	tg_host_set(fil4, "HighPass", 1.0f);
	tg_host_set(fil4, "LowPass", 1.0f);
	if (ref) {
		tg_host_set(fil4, "HPfreq", tg_host_get(ref, "hpf_hz"));
		tg_host_set(fil4, "LPfreq", tg_host_get(ref, "lpf_hz"));
	}
	tg_host_free(ref);
}

typedef struct {
	TgHost *a, *b; /* b fed by a, or NULL */
} Loaded;

static int load_subject(const Subject *s, const char *bundle, Loaded *l)
{
	l->a = load(bundle, s->uri, s->preset);
	l->b = s->then ? load(bundle, s->then, NULL) : NULL;
	if (!l->a || (s->then && !l->b) || (s->set && tg_host_set(l->a, s->set, 1.0f) != TG_HOST_OK)) {
		tg_host_free(l->a);
		tg_host_free(l->b);
		l->a = l->b = NULL;
		return -1;
	}
	if (strcmp(s->uri, FIL4) == 0) {
		match_filters(l->a, bundle);
	}
	return 0;
}

/* One run of the whole input through a subject in blocks of blk: ns per
 * frame. */
static double time_run(const Loaded *l, float *const *in, uint32_t blk)
{
	static float o1[2][TG_HOST_MAX_BLOCK], o2[2][TG_HOST_MAX_BLOCK];
	float *const mid[2] = {o1[0], o1[1]};
	float *const out[2] = {o2[0], o2[1]};
	tg_host_activate(l->a);
	if (l->b) {
		tg_host_activate(l->b);
	}
	const double t0 = now_s();
	for (uint32_t off = 0; off < n_frames; off += blk) {
		const uint32_t m = n_frames - off < blk ? n_frames - off : blk;
		const float *const src[2] = {in[0] + off, in[1] + off};
		tg_host_run(l->a, src, mid, m);
		if (l->b) {
			const float *const src2[2] = {mid[0], mid[1]};
			tg_host_run(l->b, src2, out, m);
		}
	}
	const double t = (now_s() - t0) * 1e9 / (double)n_frames;
	tg_host_deactivate(l->a);
	if (l->b) {
		tg_host_deactivate(l->b);
	}
	return t;
}

/* The subjects take turns, run by run, forwards in even runs and backwards
 * in odd ones, so that a slow spell of a shared machine falls on all of
 * them alike; each run's figure is kept for the paired ratios. */
static void bench_all(const Loaded *l, const int *use, float *const *in, Result *res)
{
	for (unsigned k = 0; k < N_BLOCKS; ++k) {
		for (unsigned run = 0; run <= RUNS; ++run) { /* run 0 warms up */
			for (unsigned i = 0; i < N_SUBJECTS; ++i) {
				const unsigned s = run % 2 ? N_SUBJECTS - 1 - i : i;
				if (use[s] && l[s].a) {
					const double t = time_run(&l[s], in, blocks[k]);
					if (run > 0) {
						res[s].run[k][run - 1] = t;
					}
				}
			}
		}
		for (unsigned s = 0; s < N_SUBJECTS; ++s) {
			if (use[s] && l[s].a) {
				double t[RUNS];
				memcpy(t, res[s].run[k], sizeof(t));
				qsort(t, RUNS, sizeof(double), cmp_double);
				res[s].min[k] = t[0];
				res[s].med[k] = t[RUNS / 2];
				res[s].max[k] = t[RUNS - 1];
			}
		}
	}
}

/* A URID map for instantiating the bundle directly, without lilv. */
static LV2_URID map_any(LV2_URID_Map_Handle h, const char *uri)
{
	(void)h;
	return (LV2_URID)(strlen(uri) + 1);
}

/* Bytes allocated by instantiate() and the time of instantiate() plus
 * activate(), through the descriptor itself as a host calls it. */
static void bench_instantiate(const char *bundle, double rate)
{
	char path[4096], dir[4096];
	snprintf(path, sizeof(path), "%s/tguard.so", bundle);
	if (!realpath(bundle, dir)) {
		printf("instantiate: %s not found\n", bundle);
		return;
	}
	strncat(dir, "/", sizeof(dir) - strlen(dir) - 1);
	void *const lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	LV2_Descriptor_Function fn = NULL;
	if (lib) {
		*(void **)(&fn) = dlsym(lib, "lv2_descriptor");
	}
	if (!fn) {
		printf("instantiate: cannot load %s\n", path);
		if (lib) {
			dlclose(lib);
		}
		return;
	}
	LV2_URID_Map map = {NULL, map_any};
	const LV2_Feature map_feature = {LV2_URID__map, &map};
	const LV2_Feature *const features[] = {&map_feature, NULL};
	for (uint32_t d = 0; fn(d); ++d) {
		const LV2_Descriptor *const desc = fn(d);
		enum { REPS = 51 };
		double t[REPS];
		long long bytes = 0;
		for (unsigned r = 0; r < REPS; ++r) {
			tg_mem_begin();
			const double t0 = now_s();
			LV2_Handle h = desc->instantiate(desc, rate, dir, features);
			if (h && desc->activate) {
				desc->activate(h);
			}
			t[r] = (now_s() - t0) * 1e3;
			bytes = tg_mem_end();
			if (!h) {
				printf("instantiate %s: failed at %.0f Hz\n", desc->URI, rate);
				break;
			}
			if (desc->deactivate) {
				desc->deactivate(h);
			}
			desc->cleanup(h);
		}
		const double first = t[0];
		qsort(t, REPS, sizeof(double), cmp_double);
		printf("instance %-18s at %.0f kHz: %lld bytes (%.1f KiB); instantiate+activate "
		       "median %.3f ms, max %.3f ms, first %.3f ms\n",
		       desc->URI, rate / 1e3, bytes, (double)bytes / 1024.0, t[REPS / 2], t[REPS - 1],
		       first);
	}
	dlclose(lib);
}

/* Ten minutes of stereo pink noise at -12 dBFS, written once. */
static int make_long_file(const char *path, double seconds)
{
	struct stat st;
	if (stat(path, &st) == 0 && st.st_size > 0) {
		return 0;
	}
	SF_INFO info = {0};
	info.samplerate = (int)RATE;
	info.channels = 2;
	info.format = SF_FORMAT_WAV | SF_FORMAT_FLOAT;
	SNDFILE *const f = sf_open(path, SFM_WRITE, &info);
	if (!f) {
		return -1;
	}
	enum { CH = 48000 };
	static float l[CH], r[CH], frames[2 * CH];
	const uint64_t total = (uint64_t)(seconds * RATE);
	int ok = 1;
	for (uint64_t done = 0; ok && done < total; done += CH) {
		const uint32_t m = total - done < CH ? (uint32_t)(total - done) : CH;
		tg_sig_pink(l, m, 0.25, (uint32_t)(2 * done / CH + 1));
		tg_sig_pink(r, m, 0.25, (uint32_t)(2 * done / CH + 2));
		for (uint32_t i = 0; i < m; ++i) {
			frames[2 * i] = l[i];
			frames[2 * i + 1] = r[i];
		}
		ok = sf_writef_float(f, frames, m) == (sf_count_t)m;
	}
	sf_close(f);
	return ok ? 0 : -1;
}

static double run_render(const char *render, const char *in, const char *out)
{
	char *const argv[] = {(char *)render, (char *)in, (char *)out, NULL};
	pid_t pid;
	const double t0 = now_s();
	if (posix_spawn(&pid, render, NULL, NULL, argv, environ) != 0) {
		return -1.0;
	}
	int status = 0;
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		return -1.0;
	}
	return now_s() - t0;
}

static void bench_render(const char *render, const char *work)
{
	char in[4096], out[4096];
	const double seconds = 600.0;
	snprintf(in, sizeof(in), "%s/ten-minutes.wav", work);
	snprintf(out, sizeof(out), "%s/ten-minutes-out.wav", work);
	mkdir(work, 0755);
	if (make_long_file(in, seconds) != 0) {
		printf("render: cannot write %s\n", in);
		return;
	}
	enum { REPS = 3 };
	double t[REPS];
	for (unsigned r = 0; r < REPS; ++r) {
		t[r] = run_render(render, in, out);
		if (t[r] < 0.0) {
			printf("render: %s failed\n", render);
			return;
		}
	}
	unlink(out);
	qsort(t, REPS, sizeof(double), cmp_double);
	printf("tguard-render, 10 min stereo 48 kHz float WAV, file I/O included: median %.2f s "
	       "= %.0f x real time (best %.0f x, worst %.0f x)\n",
	       t[REPS / 2], seconds / t[REPS / 2], seconds / t[0], seconds / t[REPS - 1]);
}

static int subject_index(const char *name)
{
	for (unsigned s = 0; s < N_SUBJECTS; ++s) {
		if (strcmp(subjects[s].name, name) == 0) {
			return (int)s;
		}
	}
	return -1;
}

/* "ratio tguard/PEER block N: R", the medians of the two rows. */
/* The median over the runs of the two subjects' ratio within each run:
 * the runs of one round are next to each other in time, so a slow spell
 * of the machine cancels out. */
static void print_ratio(const Result *res, int ours, int peer, const char *label, unsigned k)
{
	printf("ratio tguard/%s block %u: ", label, blocks[k]);
	if (ours < 0 || peer < 0 || res[ours].missing || res[peer].missing) {
		printf("missing\n");
		return;
	}
	double r[RUNS];
	for (unsigned i = 0; i < RUNS; ++i) {
		r[i] = res[ours].run[k][i] / res[peer].run[k][i];
	}
	qsort(r, RUNS, sizeof(double), cmp_double);
	printf("%.2f\n", r[RUNS / 2]);
}

int main(int argc, char **argv)
{
	if (argc >= 3 && strcmp(argv[1], "--rate") == 0) {
		bench_rate = atof(argv[2]);
		argc -= 2;
		argv += 2;
	}
	if ((argc != 4 && argc != 5) || !(bench_rate >= 8000.0 && bench_rate <= 384000.0)) {
		fprintf(stderr, "usage: bench [--rate HZ] BUNDLE_DIR TGUARD_RENDER WORK_DIR [SUBJECT]\n");
		return 1;
	}
	n_frames = (uint32_t)(SECONDS * bench_rate);
	const char *const bundle = argv[1], *const render = argv[2], *const work = argv[3];
	const char *const only = argc == 5 ? argv[4] : NULL;
	float *const in[2] = {malloc(n_frames * sizeof(float)), malloc(n_frames * sizeof(float))};
	if (!in[0] || !in[1] || tg_builtin_signal("pink", bench_rate, 2, n_frames, in) != 0) {
		fprintf(stderr, "bench: cannot make the input\n");
		return 1;
	}
	printf("input: stereo pink noise at +12 dBFS RMS, %u s at %g kHz; ns per frame, median of "
	       "%d runs [min..max]; the subjects take turns run by run\n\n",
	       SECONDS, bench_rate / 1000.0, RUNS);
	printf("%-28s", "plugin \\ block");
	for (unsigned k = 0; k < N_BLOCKS; ++k) {
		printf(" %22u", blocks[k]);
	}
	printf("\n");
	Result res[N_SUBJECTS];
	memset(res, 0, sizeof(res));
	Loaded loaded[N_SUBJECTS];
	int use[N_SUBJECTS];
	for (unsigned s = 0; s < N_SUBJECTS; ++s) {
		use[s] = !only || strstr(subjects[s].name, only) != NULL;
		loaded[s].a = loaded[s].b = NULL;
		res[s].missing = !use[s] || load_subject(&subjects[s], bundle, &loaded[s]) != 0;
	}
	bench_all(loaded, use, in, res);
	for (unsigned s = 0; s < N_SUBJECTS; ++s) {
		tg_host_free(loaded[s].a);
		tg_host_free(loaded[s].b);
		if (!use[s]) {
			continue;
		}
		printf("%-28s", subjects[s].name);
		if (res[s].missing) {
			printf(" missing (make deps-bench installs the peers)\n");
			continue;
		}
		for (unsigned k = 0; k < N_BLOCKS; ++k) {
			char cell[64];
			snprintf(cell, sizeof(cell), "%.1f [%.1f..%.1f]", res[s].med[k], res[s].min[k],
			         res[s].max[k]);
			printf(" %22s", cell);
		}
		printf("\n");
	}
	fflush(stdout);
	free(in[0]);
	free(in[1]);
	if (only) {
		return 0;
	}
	printf("\n");
	bench_instantiate(bundle, 192000.0);
	printf("\n");
	bench_render(render, work);
	printf("\n");
	const int ours = subject_index("tguard stereo, defaults");
	const int dpl = subject_index("x42-dpl stereo");
	const int dpl_tp = subject_index("x42-dpl stereo, truepeak");
	for (unsigned k = 0; k < N_BLOCKS; ++k) {
		print_ratio(res, ours, dpl, "x42-dpl", k);
		print_ratio(res, ours, dpl_tp, "x42-dpl-truepeak", k);
	}
	return 0;
}
