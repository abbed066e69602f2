/* tguard-render: render audio files or built-in signals through tguard,
 * headless, with presets, and print the protection report. It also checks
 * a file rendered by another host against the limits (--check), and prints
 * a preset as a PipeWire filter-chain config (--pipewire). */
#define _XOPEN_SOURCE 700

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sndfile.h>

#include "analysis.h"
#include "host.h"
#include "render.h"
#include "signals.h"

/* The version is written once, in the Makefile, which passes it here. */
#ifndef TG_VERSION
#error "build with -DTG_VERSION='\"x.y.z\"' (the Makefile passes its VERSION)"
#endif

/* One exit code per kind of failure. */
enum {
	EXIT_USAGE = 1,
	EXIT_PLUGIN = 2,
	EXIT_PRESET = 3,
	EXIT_INPUT = 4,
	EXIT_CHANNELS = 5,
	EXIT_CONTROL = 6,
	EXIT_OUTPUT = 7,
	EXIT_RENDER = 8,
	EXIT_CHECK = 9, /* --check: the file breaks a limit */
};

#define MAX_SETS 64

typedef struct {
	/* options */
	const char *preset;
	const char *plugin_uri;
	const char *sets[MAX_SETS];
	unsigned n_sets;
	uint32_t block;
	uint32_t seed;
	double rate;
	int report, json, list_presets, keep_latency, reference;
	const char *signal;
	const char *check_path;
	const char *pipewire_preset;
	const char *pipewire_target;
	const char *expect_preset;
	uint32_t channels; /* --channels: for a raw signal; 0 = the plugin's */
	const char *input_path;
	const char *output_path;
	/* state, freed by cleanup() in reverse order */
	TgHost *host;
	float *in[2];
	float *out[2];
	uint32_t n_in_ch;
	uint64_t frames;
	SF_INFO in_info;
	char *tmp_path;
	float *across; /* --check, wired tip-ring: the first channel less the second */
} App;

static void cleanup(App *app)
{
	free(app->across);
	app->across = NULL;
	if (app->tmp_path) {
		unlink(app->tmp_path);
		free(app->tmp_path);
	}
	for (int ch = 1; ch >= 0; --ch) {
		free(app->out[ch]);
		free(app->in[ch]);
	}
	tg_host_free(app->host);
	tg_true_peak_release();
}

static int fatal(App *app, int code, const char *fmt, const char *what)
{
	fprintf(stderr, "error: ");
	fprintf(stderr, fmt, what);
	fprintf(stderr, "\n");
	cleanup(app);
	return code;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: tguard-render [options] INPUT OUTPUT\n"
	           "       tguard-render [options] --signal NAME[:SECONDS] OUTPUT\n"
	           "       tguard-render [-p PRESET] [-c SYMBOL=VALUE] [-u URI] --check FILE\n"
	           "       tguard-render [-c SYMBOL=VALUE] [-u URI] --pipewire PRESET [--target NODE]\n"
	           "       tguard-render [-c SYMBOL=VALUE] [-u URI] --expect PRESET [CHECK.wav]\n"
	           "  -p, --preset LABEL|URI    apply a factory or user preset (label ignores case)\n"
	           "  -c, --set SYMBOL=VALUE    set a control after the preset; repeatable\n"
	           "  -u, --plugin URI          default: urn:tguard:stereo for 2 channels, "
	           "urn:tguard:mono for 1\n"
	           "  -b, --block N|random      block size (default 512); random: 1..4096 (--seed)\n"
	           "      --seed N              seed for random block sizes (default 1)\n"
	           "  -r, --rate HZ             sample rate for --signal (default 48000)\n"
	           "      --report[=json]       print the protection report\n"
	           "      --list-presets        print label, URI and bank of every preset, then exit\n"
	           "      --keep-latency        do not trim the latency (default: output aligned "
	           "with input)\n"
	           "      --reference           run the plugin's reference chain (for debugging: "
	           "slow)\n"
	           "      --check FILE          check a file another host rendered against the\n"
	           "                            limits of -p/-c, its samples and its true peak\n"
	           "                            (16x reconstruction); exit 9 when it breaks one\n"
	           "      --pipewire PRESET     print a PipeWire filter-chain config for PRESET "
	           "(with -c)\n"
	           "      --target NODE         with --pipewire: the output's node.name, written\n"
	           "                            as target.object (default: a placeholder to edit)\n"
	           "      --expect PRESET       the setup check: write a check tone for PRESET (with\n"
	           "                            -c) to CHECK.wav and print what a meter on the jack\n"
	           "                            must read at most while it plays through tguard\n"
	           "      --channels N          channels of a raw signal (calib): 1 or 2 (default:\n"
	           "                            the plugin's inputs, 2 unless -u names the mono one)\n"
	           "      --version             print the version and exit\n"
	           "  -h, --help                this text\n"
	           "signals, as they enter tguard (rendered through it, but for those written raw):\n");
	for (unsigned i = 0; i < tg_n_builtin_signals; ++i) {
		fprintf(f, "  %-10s %4.0f s  %s\n", tg_builtin_signals[i].name,
		        tg_builtin_signals[i].seconds, tg_builtin_signals[i].what);
	}
}

static int parse_number(const char *s, double *v)
{
	char *end = NULL;
	errno = 0;
	*v = strtod(s, &end);
	return end != s && *end == '\0' && errno == 0 && isfinite(*v);
}

/* A node.name goes between quotes in the config. PipeWire's parser would
 * take escapes, but a name that needs them is almost surely a pasting
 * mistake (a stray quote or a newline), so say so rather than write it. */
static int valid_node_name(const char *s)
{
	const size_t n = strlen(s);
	if (n == 0 || n > 255) {
		return 0;
	}
	for (; *s; ++s) {
		const unsigned char ch = (unsigned char)*s;
		if (ch < 0x20 || ch == 0x7f || ch == '"' || ch == '\\') {
			return 0;
		}
	}
	return 1;
}

static int parse_args(App *app, int argc, char **argv)
{
	enum { OPT_REPORT = 256, OPT_LIST, OPT_KEEP, OPT_SEED, OPT_SIGNAL, OPT_CHECK, OPT_PIPEWIRE,
	       OPT_TARGET, OPT_REFERENCE, OPT_EXPECT, OPT_CHANNELS,
	       OPT_VERSION };
	static const struct option longopts[] = {
	    {"preset", required_argument, NULL, 'p'}, {"set", required_argument, NULL, 'c'},
	    {"plugin", required_argument, NULL, 'u'}, {"block", required_argument, NULL, 'b'},
	    {"rate", required_argument, NULL, 'r'},   {"report", optional_argument, NULL, OPT_REPORT},
	    {"list-presets", no_argument, NULL, OPT_LIST},
	    {"keep-latency", no_argument, NULL, OPT_KEEP},
	    {"reference", no_argument, NULL, OPT_REFERENCE},
	    {"seed", required_argument, NULL, OPT_SEED},
	    {"signal", required_argument, NULL, OPT_SIGNAL},
	    {"check", required_argument, NULL, OPT_CHECK},
	    {"pipewire", required_argument, NULL, OPT_PIPEWIRE},
	    {"target", required_argument, NULL, OPT_TARGET},
	    {"expect", required_argument, NULL, OPT_EXPECT},
	    {"channels", required_argument, NULL, OPT_CHANNELS},
	    {"version", no_argument, NULL, OPT_VERSION},
	    {"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0}};
	app->block = 512;
	app->rate = 48000.0;
	int c;
	double v;
	while ((c = getopt_long(argc, argv, "p:c:u:b:r:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'p':
			app->preset = optarg;
			break;
		case 'c':
			if (app->n_sets == MAX_SETS) {
				fprintf(stderr, "error: more than %d --set options\n", MAX_SETS);
				return EXIT_USAGE;
			}
			app->sets[app->n_sets++] = optarg;
			break;
		case 'u':
			app->plugin_uri = optarg;
			break;
		case 'b':
			if (strcmp(optarg, "random") == 0) {
				app->block = 0;
			} else if (parse_number(optarg, &v) && v >= 1 && v <= 4096 && v == floor(v)) {
				app->block = (uint32_t)v;
			} else {
				fprintf(stderr, "error: block size \"%s\" is not 1..4096 or random\n", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'r':
			if (!parse_number(optarg, &v) || v <= 0) {
				fprintf(stderr, "error: rate \"%s\" is not a positive number\n", optarg);
				return EXIT_USAGE;
			}
			app->rate = v;
			break;
		case OPT_REPORT:
			app->report = 1;
			if (optarg && strcmp(optarg, "json") == 0) {
				app->json = 1;
			} else if (optarg) {
				fprintf(stderr, "error: --report takes only =json\n");
				return EXIT_USAGE;
			}
			break;
		case OPT_LIST:
			app->list_presets = 1;
			break;
		case OPT_KEEP:
			app->keep_latency = 1;
			break;
		case OPT_REFERENCE:
			app->reference = 1;
			break;
		case OPT_SEED:
			if (!parse_number(optarg, &v) || v < 0 || v > 4294967295.0) {
				fprintf(stderr, "error: seed \"%s\" is not a number\n", optarg);
				return EXIT_USAGE;
			}
			app->seed = (uint32_t)v;
			break;
		case OPT_SIGNAL:
			app->signal = optarg;
			break;
		case OPT_CHECK:
			app->check_path = optarg;
			break;
		case OPT_PIPEWIRE:
			app->pipewire_preset = optarg;
			break;
		case OPT_TARGET:
			if (!valid_node_name(optarg)) {
				/* Not echoed: it may hold the newline that is wrong with it. */
				fprintf(stderr, "error: --target is not a node name: it needs 1..255 bytes "
				                "without quotes, backslashes or control characters\n");
				return EXIT_USAGE;
			}
			app->pipewire_target = optarg;
			break;
		case OPT_EXPECT:
			app->expect_preset = optarg;
			break;
		case OPT_CHANNELS:
			if (!parse_number(optarg, &v) || (v != 1 && v != 2)) {
				fprintf(stderr, "error: --channels \"%s\" is not 1 or 2\n", optarg);
				return EXIT_USAGE;
			}
			app->channels = (uint32_t)v;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		case OPT_VERSION:
			printf("tguard-render %s\n", TG_VERSION);
			exit(0);
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (!!app->check_path + !!app->pipewire_preset + !!app->signal + !!app->expect_preset +
	        app->list_presets >
	    1) {
		fprintf(stderr,
		        "error: choose one of --check, --pipewire, --signal, --expect, --list-presets\n");
		return EXIT_USAGE;
	}
	if (app->channels && !app->signal) {
		fprintf(stderr, "error: --channels goes with --signal\n");
		return EXIT_USAGE;
	}
	if (app->pipewire_target && !app->pipewire_preset) {
		fprintf(stderr, "error: --target goes with --pipewire\n");
		return EXIT_USAGE;
	}
	const int need =
	    app->list_presets || app->check_path || app->pipewire_preset ? 0 : (app->signal ? 1 : 2);
	if (app->expect_preset) {
		/* The check tone's file is optional: without it, the figures only. */
		if (argc - optind > 1) {
			usage(stderr);
			return EXIT_USAGE;
		}
		app->output_path = argc - optind == 1 ? argv[optind] : NULL;
		return 0;
	}
	if (argc - optind != need) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (need == 2) {
		app->input_path = argv[optind];
		app->output_path = argv[optind + 1];
	} else if (need == 1) {
		app->output_path = argv[optind];
	}
	return 0;
}

/* Run from the source tree, the program sits in build/ beside the bundle:
 * use that bundle alone. Installed, it loads LV2_PATH or the standard paths. */
static char *bundle_beside_program(void)
{
	char exe[PATH_MAX];
	const ssize_t len = readlink("/proc/self/exe", exe, sizeof(exe) - 32);
	if (len <= 0) {
		return NULL;
	}
	exe[len] = '\0';
	char *const slash = strrchr(exe, '/');
	if (!slash) {
		return NULL;
	}
	strcpy(slash + 1, "tguard.lv2/manifest.ttl");
	struct stat st;
	if (stat(exe, &st) != 0) {
		return NULL;
	}
	slash[sizeof("tguard.lv2")] = '\0';
	return strdup(exe);
}

static void print_preset(void *data, const char *label, const char *uri, const char *bank)
{
	(void)data;
	printf("%s\t%s\t%s\n", label, uri, bank);
}

static int load_input(App *app)
{
	if (app->signal) {
		char name[64];
		snprintf(name, sizeof(name), "%s", app->signal);
		char *const colon = strchr(name, ':');
		double seconds = -1.0;
		if (colon) {
			*colon = '\0';
			if (!parse_number(colon + 1, &seconds) || seconds <= 0.0 || seconds > 3600.0) {
				return fatal(app, EXIT_USAGE, "signal duration \"%s\" is not 0..3600 s",
				             colon + 1);
			}
		}
		for (unsigned i = 0; i < tg_n_builtin_signals && seconds < 0.0; ++i) {
			if (strcmp(tg_builtin_signals[i].name, name) == 0) {
				seconds = tg_builtin_signals[i].seconds;
			}
		}
		if (seconds < 0.0) {
			seconds = 1.0; /* unknown: reported below */
		}
		if (!(app->rate >= 1000.0 && app->rate <= 1536000.0)) {
			return fatal(app, EXIT_USAGE, "rate %s is out of range", "for --signal");
		}
		app->frames = (uint64_t)(seconds * app->rate);
		app->n_in_ch = 2;
		for (uint32_t ch = 0; ch < 2; ++ch) {
			app->in[ch] = calloc(app->frames ? app->frames : 1, sizeof(float));
			if (!app->in[ch]) {
				return fatal(app, EXIT_RENDER, "out of memory for %s", name);
			}
		}
		if (tg_builtin_signal(name, app->rate, 2, app->frames, app->in) != 0) {
			return fatal(app, EXIT_INPUT, "unknown signal \"%s\" (see --help)", name);
		}
		return 0;
	}
	SNDFILE *const sf = sf_open(app->input_path, SFM_READ, &app->in_info);
	if (!sf) {
		fprintf(stderr, "error: cannot read %s: %s\n", app->input_path, sf_strerror(NULL));
		cleanup(app);
		return EXIT_INPUT;
	}
	if (app->in_info.frames <= 0 || app->in_info.samplerate <= 0) {
		sf_close(sf);
		return fatal(app, EXIT_INPUT, "%s has no audio", app->input_path);
	}
	if (app->in_info.channels < 1 || app->in_info.channels > 2) {
		sf_close(sf);
		return fatal(app, EXIT_CHANNELS, "%s: tguard takes 1 or 2 channels", app->input_path);
	}
	app->rate = app->in_info.samplerate;
	app->frames = (uint64_t)app->in_info.frames;
	app->n_in_ch = (uint32_t)app->in_info.channels;
	float *const inter = malloc(app->frames * app->n_in_ch * sizeof(float));
	for (uint32_t ch = 0; ch < app->n_in_ch; ++ch) {
		app->in[ch] = malloc(app->frames * sizeof(float));
	}
	if (!inter || !app->in[0] || (app->n_in_ch == 2 && !app->in[1])) {
		free(inter);
		sf_close(sf);
		return fatal(app, EXIT_RENDER, "out of memory reading %s", app->input_path);
	}
	const sf_count_t got = sf_readf_float(sf, inter, (sf_count_t)app->frames);
	sf_close(sf);
	if (got <= 0) {
		free(inter);
		return fatal(app, EXIT_INPUT, "cannot read audio from %s", app->input_path);
	}
	app->frames = (uint64_t)got;
	for (uint64_t i = 0; i < app->frames; ++i) {
		for (uint32_t ch = 0; ch < app->n_in_ch; ++ch) {
			app->in[ch][i] = inter[i * app->n_in_ch + ch];
		}
	}
	free(inter);
	return 0;
}

static int apply_controls(App *app)
{
	char err[2048] = "";
	if (app->preset &&
	    tg_host_apply_preset(app->host, app->preset, err, sizeof(err)) != TG_HOST_OK) {
		return fatal(app, EXIT_PRESET, "%s", err);
	}
	for (unsigned i = 0; i < app->n_sets; ++i) {
		char sym[128];
		snprintf(sym, sizeof(sym), "%s", app->sets[i]);
		char *const eq = strchr(sym, '=');
		if (!eq) {
			return fatal(app, EXIT_CONTROL, "--set \"%s\" is not SYMBOL=VALUE", app->sets[i]);
		}
		*eq = '\0';
		double v;
		if (!parse_number(eq + 1, &v)) {
			return fatal(app, EXIT_CONTROL, "value of --set \"%s\" is not a number",
			             app->sets[i]);
		}
		if (tg_host_set(app->host, sym, (float)v) != TG_HOST_OK) {
			return fatal(app, EXIT_CONTROL, "unknown control symbol \"%s\"", sym);
		}
	}
	return 0;
}

static int same_file(const char *a, const char *b)
{
	struct stat sa, sb;
	return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
	       sa.st_ino == sb.st_ino;
}

/* Write to a temporary file beside the output and rename it at the end, so
 * a failure leaves no partial output behind. */
static int write_output(App *app, uint32_t n_out)
{
	const size_t len = strlen(app->output_path) + 16;
	app->tmp_path = malloc(len);
	if (!app->tmp_path) {
		return fatal(app, EXIT_RENDER, "out of memory for %s", app->output_path);
	}
	snprintf(app->tmp_path, len, "%s.tmp-XXXXXX", app->output_path);
	const int fd = mkstemp(app->tmp_path);
	if (fd < 0) {
		free(app->tmp_path);
		app->tmp_path = NULL;
		fprintf(stderr, "error: cannot write %s: %s\n", app->output_path, strerror(errno));
		cleanup(app);
		return EXIT_OUTPUT;
	}
	SF_INFO info;
	memset(&info, 0, sizeof(info));
	info.samplerate = (int)app->rate;
	info.channels = (int)n_out;
	info.format = app->signal ? (SF_FORMAT_WAV | SF_FORMAT_FLOAT) : app->in_info.format;
	if (!sf_format_check(&info)) {
		info.format = SF_FORMAT_WAV | SF_FORMAT_FLOAT;
	}
	SNDFILE *const sf = sf_open_fd(fd, SFM_WRITE, &info, 1);
	if (!sf) {
		close(fd);
		return fatal(app, EXIT_OUTPUT, "cannot write %s", app->output_path);
	}
	/* Integer formats: clip at full scale rather than wrap. */
	sf_command(sf, SFC_SET_CLIPPING, NULL, SF_TRUE);
	float inter[1024 * 2];
	int ok = 1;
	for (uint64_t pos = 0; pos < app->frames && ok;) {
		const uint64_t m = app->frames - pos < 1024 ? app->frames - pos : 1024;
		for (uint64_t i = 0; i < m; ++i) {
			for (uint32_t ch = 0; ch < n_out; ++ch) {
				inter[i * n_out + ch] = app->out[ch][pos + i];
			}
		}
		ok = sf_writef_float(sf, inter, (sf_count_t)m) == (sf_count_t)m;
		pos += m;
	}
	ok = sf_close(sf) == 0 && ok;
	if (!ok || rename(app->tmp_path, app->output_path) != 0) {
		return fatal(app, EXIT_OUTPUT, "cannot write %s", app->output_path);
	}
	free(app->tmp_path);
	app->tmp_path = NULL;
	return 0;
}

/* ---- --check: a file from another host against the limits ---- */

/* The output of any host that ran tguard must keep the same invariants as
 * our own renders (see test_render.c): the host's own buffering must not
 * matter. The heat estimate starts cold at the file's first sample. The
 * peak is judged twice: every sample within the limit (1e-6), and the
 * waveform a DAC reconstructs from them, the true peak (16x, see
 * analysis.h), within it to TG_MTP_TOL_DB. */
static int check_file(App *app)
{
	const double vfs = tg_host_get(app->host, "vfs"), z = tg_host_get(app->host, "z_ohm");
	const double tau = tg_host_get(app->host, "tau_s");
	/* The voltage limit bounds the current too: v_peak / z_ohm. */
	const double v_peak = tg_host_get(app->host, "v_peak");
	const double peak_limit = fmin(tg_host_get(app->host, "i_peak_ma"), v_peak / z * 1e3);
	const double rms_limit = tg_host_get(app->host, "i_rms_ma");
	const double tp_tol = pow(10.0, TG_MTP_TOL_DB / 20.0);
	/* A voltage limit, where the plugin has one. */
	const int has_v_peak = isfinite(v_peak);
	/* What the transducer sees: each channel against ground, or, wired
	 * tip-ring, the difference of the two. */
	const int bridged = tg_host_bridged(app->host);
	if (bridged && app->n_in_ch != 2) {
		return fatal(app, EXIT_CHANNELS, "%s: wiring tip-ring needs a 2-channel file",
		             app->check_path);
	}
	float *drive[2] = {app->in[0], app->in[1]};
	uint32_t n_drive = app->n_in_ch;
	if (bridged) {
		app->across = malloc((app->frames ? app->frames : 1) * sizeof(float));
		if (!app->across) {
			return fatal(app, EXIT_RENDER, "out of memory checking %s", app->check_path);
		}
		for (uint64_t i = 0; i < app->frames; ++i) {
			app->across[i] = app->in[0][i] - app->in[1][i];
		}
		drive[0] = app->across;
		drive[1] = NULL;
		n_drive = 1;
	}
	TgCurrentStats cs;
	tg_current_stats((const float *const *)drive, n_drive, app->frames, vfs / z, tau, app->rate,
	                 &cs);
	/* NaN never wins; counted in cs. */
	const double peak = tg_sample_peak((const float *const *)app->in, app->n_in_ch, app->frames);
	const double dpeak = tg_sample_peak((const float *const *)drive, n_drive, app->frames);
	/* The true peak limit, as a level: where the waveform first crosses it.
	 * What came before and after the file is not in it, so the waveform is
	 * judged where the file's own samples determine it: TG_MTP_TAPS / 2
	 * frames in from each end (the samples there are still judged). */
	const double tp_ceiling = peak_limit * tp_tol * 1e-3 * z / vfs;
	const uint64_t edge = TG_MTP_TAPS / 2;
	const uint64_t tp_from = app->frames > 2 * edge ? edge : 0;
	const uint64_t tp_to = app->frames > 2 * edge ? app->frames - edge : 0;
	double true_peak = dpeak; /* of the drive */
	uint64_t tp_first = UINT64_MAX;
	for (uint32_t ch = 0; ch < n_drive; ++ch) {
		TgTpMeasure tp;
		if (tg_true_peak_range(drive[ch], app->frames, tp_from, tp_to, TG_MTP_OVERSAMPLE,
		                       tp_ceiling, &tp) != 0) {
			return fatal(app, EXIT_RENDER, "out of memory measuring %s", app->check_path);
		}
		true_peak = tp.peak > true_peak ? tp.peak : true_peak;
		tp_first = tp.first_over < tp_first ? tp.first_over : tp_first;
	}
	/* Each channel's own true peak, against full scale. */
	double out_tp = peak;
	for (uint32_t ch = 0; bridged && ch < app->n_in_ch; ++ch) {
		TgTpMeasure tp;
		if (tg_true_peak_range(app->in[ch], app->frames, tp_from, tp_to, TG_MTP_OVERSAMPLE, 1.0,
		                       &tp) != 0) {
			return fatal(app, EXIT_RENDER, "out of memory measuring %s", app->check_path);
		}
		out_tp = tp.peak > out_tp ? tp.peak : out_tp;
	}
	if (!bridged) {
		out_tp = true_peak;
	}
	char method[128];
	tg_true_peak_method(TG_MTP_OVERSAMPLE, method, sizeof(method));
	const double sample_peak_ma = cs.peak_a * 1e3, rms_ma = cs.rms_a * 1e3;
	const double peak_ma = true_peak * vfs / z * 1e3;
	const double peak_db = peak > 0.0 ? 20.0 * log10(peak) : -999.0;
	const double tpeak_db = out_tp > 0.0 ? 20.0 * log10(out_tp) : -999.0;
	const char *why = NULL;
	char buf[200];
	if (cs.nonfinite) {
		snprintf(buf, sizeof(buf), "%llu non-finite samples", (unsigned long long)cs.nonfinite);
		why = buf;
	} else if (!(sample_peak_ma <= peak_limit * (1.0 + 1e-6))) {
		/* Where it starts tells a host's buffering bug from a limiter's. */
		const double ceiling = peak_limit * (1.0 + 1e-6) * 1e-3 * z / vfs;
		uint64_t first = 0;
		for (uint64_t i = 0; i < app->frames && !first; ++i) {
			for (uint32_t ch = 0; ch < n_drive; ++ch) {
				first = fabs((double)drive[ch][i]) > ceiling ? i + 1 : first;
			}
		}
		snprintf(buf, sizeof(buf),
		         "sample peak current %.4f mA over the limit %.4f mA, from frame %llu",
		         sample_peak_ma, peak_limit, (unsigned long long)(first ? first - 1 : 0));
		why = buf;
	} else if (!(peak_ma <= peak_limit * tp_tol)) {
		snprintf(buf, sizeof(buf),
		         "true peak current %.4f mA over the limit %.4f mA (%+.2f dB), from frame %llu",
		         peak_ma, peak_limit, 20.0 * log10(peak_ma / peak_limit),
		         (unsigned long long)tp_first);
		why = buf;
	} else if (has_v_peak && !(dpeak * vfs <= v_peak * (1.0 + 1e-6))) {
		snprintf(buf, sizeof(buf), "sample peak voltage %.4f V over the limit %.4f V",
		         dpeak * vfs, v_peak);
		why = buf;
	} else if (has_v_peak && !(true_peak * vfs <= v_peak * tp_tol)) {
		snprintf(buf, sizeof(buf), "true peak voltage %.4f V over the limit %.4f V",
		         true_peak * vfs, v_peak);
		why = buf;
	} else if (!(rms_ma <= 1.02 * rms_limit)) {
		snprintf(buf, sizeof(buf), "RMS current %.4f mA over 1.02 x the limit %.4f mA", rms_ma,
		         rms_limit);
		why = buf;
	} else if (peak > 1.0) {
		snprintf(buf, sizeof(buf), "output sample peak %.2f dBFS over full scale", peak_db);
		why = buf;
	} else if (!(out_tp <= tp_tol)) {
		snprintf(buf, sizeof(buf), "output true peak %.2f dBFS over full scale", tpeak_db);
		why = buf;
	}
	if (app->json) {
		printf("{\"frames\": %llu, \"rate\": %g, \"peak_ma\": %.4f, \"sample_peak_ma\": %.4f, "
		       "\"peak_limit_ma\": %.4f, \"rms_ma\": %.4f, \"rms_limit_ma\": %.4f, "
		       "\"tau_s\": %g, \"output_peak_dbfs\": %.2f, \"output_true_peak_dbfs\": %.2f, "
		       "\"nonfinite\": %llu, \"true_peak_method\": \"%s\", "
		       "\"true_peak_tolerance_db\": %g, \"wiring\": \"%s\", \"pass\": %s}\n",
		       (unsigned long long)app->frames, app->rate, peak_ma, sample_peak_ma, peak_limit,
		       rms_ma, rms_limit, tau, peak_db, tpeak_db, (unsigned long long)cs.nonfinite,
		       method, TG_MTP_TOL_DB, bridged ? "tip-ring" : "tip-sleeve", why ? "false" : "true");
	} else {
		printf("checked:                  %s\n", app->check_path);
		printf("frames:                   %llu (%.3f s at %g Hz, %u channels)\n",
		       (unsigned long long)app->frames, (double)app->frames / app->rate, app->rate,
		       app->n_in_ch);
		printf("wiring:                   %s\n",
		       bridged ? "tip-ring: currents and voltages across the two channels"
		               : "tip-sleeve: each channel against ground");
		printf("peak current:             %.3f mA (limit %.3f mA), true peak\n", peak_ma,
		       peak_limit);
		printf("sample peak current:      %.3f mA\n", sample_peak_ma);
		if (has_v_peak) {
			printf("peak voltage:             %.4f V (limit %.4f V), true peak\n",
			       true_peak * vfs, v_peak);
		}
		printf("highest RMS current:      %.3f mA (limit %.3f mA, tau %g s)\n", rms_ma, rms_limit,
		       tau);
		printf("output peak:              %.2f dBFS sample peak, %.2f dBFS true peak\n", peak_db,
		       tpeak_db);
		printf("non-finite samples:       %llu\n", (unsigned long long)cs.nonfinite);
		printf("true peak:                %s,\n", method);
		printf("                          %llu frames in from each end; it may exceed a limit "
		       "by %g dB\n",
		       (unsigned long long)edge, TG_MTP_TOL_DB);
		printf("result:                   %s\n", why ? "FAIL" : "pass");
	}
	if (why) {
		fprintf(stderr, "error: %s: %s\n", app->check_path, why);
	}
	cleanup(app);
	return why ? EXIT_CHECK : 0;
}

/* ---- --pipewire: a preset as a filter-chain config ---- */

typedef struct {
	const char *name;
	char *label, *uri;
} PresetMatch;

static void match_preset(void *data, const char *label, const char *uri, const char *bank)
{
	(void)bank;
	PresetMatch *const m = (PresetMatch *)data;
	if (!m->uri && (strcmp(uri, m->name) == 0 || strcasecmp(label, m->name) == 0)) {
		m->label = strdup(label);
		m->uri = strdup(uri);
	}
}

/* A preset URI names its plugin by our convention (README: Factory
 * presets), so --pipewire needs no -u for the mono and sum presets. */
static const char *plugin_of_preset(const char *name)
{
	const size_t n = strlen(name);
	if (strncmp(name, "urn:tguard:preset:", 18) == 0 && n > 5 && strcmp(name + n - 5, ":mono") == 0) {
		return "urn:tguard:mono";
	}
	if (strncmp(name, "urn:tguard:preset:", 18) == 0 && n > 4 && strcmp(name + n - 4, ":sum") == 0) {
		return "urn:tguard:sum";
	}
	return "urn:tguard:stereo";
}

/* SPA JSON strings take C-like escapes. */
static void print_quoted(const char *s)
{
	putchar('"');
	for (; *s; ++s) {
		if (*s == '"' || *s == '\\') {
			putchar('\\');
		}
		putchar((unsigned char)*s < 0x20 ? ' ' : *s);
	}
	putchar('"');
}

/* The shortest decimal that reads back as the same float. */
static void print_control(void *data, const char *symbol, float value)
{
	(void)data;
	char buf[32];
	for (int prec = 6; prec <= 9; ++prec) {
		snprintf(buf, sizeof(buf), "%.*g", prec, (double)value);
		if (strtof(buf, NULL) == value) {
			break;
		}
	}
	printf("                            %-12s = %s\n", symbol, buf);
}

/* Node names from the preset's slug: urn:tguard:preset:earbud-16:mono
 * gives tguard-earbud-16-mono; other URIs and labels are sanitised. */
static void node_slug(const char *uri, char *out, size_t len)
{
	const char *s = strncmp(uri, "urn:tguard:preset:", 18) == 0 ? uri + 18 : uri;
	size_t j = 0;
	for (; *s && j + 1 < len; ++s) {
		const int ok = (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		               (*s >= '0' && *s <= '9') || *s == '-' || *s == '_';
		out[j++] = ok ? *s : '-';
	}
	out[j] = '\0';
}

/* Apply the preset named (then -c) and find its label and URI, which the
 * caller frees; on an error app is freed too (fatal) and m holds nothing. */
static int preset_and_controls(App *app, const char *name, PresetMatch *m)
{
	m->name = name;
	m->label = m->uri = NULL;
	tg_host_presets(app->host, match_preset, m);
	app->preset = name;
	int rc = apply_controls(app);
	if (rc == 0 && !m->uri) {
		rc = fatal(app, EXIT_PRESET, "preset \"%s\" not found", name);
	}
	if (rc != 0) {
		free(m->label);
		free(m->uri);
		m->label = m->uri = NULL;
	}
	return rc;
}

static int print_pipewire(App *app)
{
	PresetMatch m;
	const int rc = preset_and_controls(app, app->pipewire_preset, &m);
	if (rc != 0) {
		return rc;
	}
	const uint32_t n_in = tg_host_n_audio_in(app->host), n_out = tg_host_n_audio_out(app->host);
	/* One instance: a stream of the plugin's own channel count each side. */
	const char *const pos_in = n_in == 2 ? "[ FL FR ]" : "[ MONO ]";
	const char *const pos_out = n_out == 2 ? "[ FL FR ]" : "[ MONO ]";
	char slug[128];
	node_slug(m.uri, slug, sizeof(slug));
	printf("# PipeWire filter-chain: tguard with the preset \"%s\"\n", m.label);
	printf("# <%s> on <%s>.\n", m.uri, app->plugin_uri);
	printf("# Generated by tguard-render --pipewire. PipeWire cannot load LV2 presets,\n"
	       "# so every control is written out; measure your vfs and set it below.\n"
	       "# Install: copy to ~/.config/pipewire/pipewire.conf.d/tguard-%s.conf,\n",
	       slug);
	if (!app->pipewire_target) {
		printf("# set target.object to your output's node.name (pw-cli ls Node),\n");
	}
	printf("# restart PipeWire, and play into the sink \"tguard: %s\".\n", m.label);
	printf("# No \"flags = [ nofail ]\", on purpose: if tguard cannot be loaded (package\n"
	       "# removed, bundle moved), PipeWire does not start, so there is no sound at\n"
	       "# all rather than unprotected sound. To get sound back without tguard, move\n"
	       "# this file out of pipewire.conf.d and run: systemctl --user reset-failed;\n"
	       "# systemctl --user restart pipewire pipewire-pulse wireplumber\n");
	printf("context.modules = [\n"
	       "    {   name = libpipewire-module-filter-chain\n"
	       "        args = {\n"
	       "            node.description = ");
	char desc[512];
	snprintf(desc, sizeof(desc), "tguard: %s", m.label);
	print_quoted(desc);
	printf("\n            media.name       = ");
	print_quoted(desc);
	printf("\n            filter.graph = {\n"
	       "                nodes = [\n"
	       "                    {\n"
	       "                        type    = lv2\n"
	       "                        name    = tguard\n"
	       "                        plugin  = ");
	print_quoted(app->plugin_uri);
	printf("\n                        control = {\n");
	tg_host_controls(app->host, print_control, NULL);
	printf("                        }\n"
	       "                    }\n"
	       "                ]\n"
	       "            }\n"
	       "            capture.props = {\n"
	       "                node.name      = \"tguard-%s.input\"\n"
	       "                media.class    = Audio/Sink\n"
	       "                audio.channels = %u\n"
	       "                audio.position = %s\n"
	       "            }\n"
	       "            playback.props = {\n"
	       "                node.name      = \"tguard-%s.output\"\n"
	       "                node.passive   = true\n"
	       "                audio.channels = %u\n"
	       "                audio.position = %s\n"
	       "                # the sound card the transducer is plugged into\n"
	       "                target.object  = ",
	       slug, n_in, pos_in, slug, n_out, pos_out);
	print_quoted(app->pipewire_target ? app->pipewire_target
	                                  : "REPLACE-WITH-YOUR-OUTPUT-NODE-NAME");
	printf("\n"
	       "            }\n"
	       "        }\n"
	       "    }\n"
	       "]\n");
	free(m.label);
	free(m.uri);
	cleanup(app);
	return 0;
}

/* ---- raw signals: the calibration tone ---- */

/* The calibration tone measures the card, not tguard: it never goes
 * through the plugin (no filter, soft start or limiter could then change
 * what the meter reads), on the channels asked for. */
static int write_raw_signal(App *app)
{
	uint32_t n_ch = app->channels;
	if (!n_ch) {
		n_ch = app->plugin_uri && (strcmp(app->plugin_uri, "urn:tguard:mono") == 0 ||
		                           strcmp(app->plugin_uri, "urn:tguard:sum") == 0)
		           ? 1
		           : 2;
	}
	for (uint32_t ch = 0; ch < 2; ++ch) {
		app->out[ch] = ch < n_ch ? app->in[ch] : NULL;
		if (ch >= n_ch) {
			free(app->in[ch]);
		}
		app->in[ch] = NULL;
	}
	int rc = write_output(app, n_ch);
	if (rc != 0) {
		return rc;
	}
	if (app->report) {
		const double peak = tg_sample_peak((const float *const *)app->out, n_ch, app->frames);
		double rms = 0.0;
		for (uint32_t ch = 0; ch < n_ch; ++ch) {
			const double r = tg_rms(app->out[ch], app->frames);
			rms = r > rms ? r : rms;
		}
		const double peak_db = peak > 0.0 ? 20.0 * log10(peak) : -999.0;
		const double rms_db = rms > 0.0 ? 20.0 * log10(rms) : -999.0;
		if (app->json) {
			printf("{\"signal\": \"%s\", \"raw\": true, \"frames\": %llu, \"rate\": %g, "
			       "\"channels\": %u, \"output_peak_dbfs\": %.4f, \"output_rms_dbfs\": %.4f}\n",
			       app->signal, (unsigned long long)app->frames, app->rate, n_ch, peak_db, rms_db);
		} else {
			printf("signal:                   %s, written raw: not through tguard (no filter, "
			       "soft start or limiter)\n",
			       app->signal);
			printf("frames:                   %llu (%.3f s at %g Hz, %u channel%s)\n",
			       (unsigned long long)app->frames, (double)app->frames / app->rate, app->rate,
			       n_ch, n_ch == 1 ? "" : "s");
			printf("output peak:              %.2f dBFS sample peak\n", peak_db);
			printf("output RMS:               %.2f dBFS\n", rms_db);
			if (strcmp(app->signal, "calib") == 0 || strncmp(app->signal, "calib:", 6) == 0) {
				printf("to measure vfs:           play it straight to the card, nothing but a "
				       "meter on the jack;\n"
				       "                          vfs = V RMS x sqrt(2) x 2 (README, "
				       "Calibration)\n");
			}
		}
	}
	cleanup(app);
	return 0;
}

/* ---- --expect: the user's check of their own setup, with a meter ---- */

/* The check tone plays for a minute: long enough to read a meter after the
 * soft start and to see the RMS limit act, short enough to stay by it. */
#define EXPECT_SECONDS 60.0
/* The margin for the meter and the card: cheap meters read AC volts
 * within 1 to 3 % from 50 to 500 Hz. */
#define EXPECT_MARGIN 1.05

/* Cheap meters read AC volts accurately from about 40 to 400 Hz; above,
 * many read low, which would pass a check that should fail. */
#define EXPECT_METER_MAX_HZ 400.0

/* The check tone's frequency: where the preset's filters pass it and a
 * meter reads it. Twice the high-pass corner (a 4th-order Butterworth
 * passes it within 0.02 dB, a 2nd-order one within 0.3 dB), kept within
 * 100 .. 400 Hz where the high-pass allows: never under 1.6 times its
 * corner (within 0.1 dB at 4th order, 0.6 dB at 2nd), and at most a
 * quarter of the low-pass corner (within 0.01 dB); where the band is
 * narrower, its geometric middle. The expected readings are rendered, so
 * what the filters take is in them. Rounded to 10 Hz. */
static double check_tone_hz(const TgHost *host)
{
	const double hpf = tg_host_get(host, "hpf_hz"), lpf = tg_host_get(host, "lpf_hz");
	const int hp_on = tg_host_get(host, "hpf_order") > 0.0f;
	const int lp_on = tg_host_get(host, "lpf_order") > 0.0f;
	double f = hp_on ? 2.0 * hpf : 100.0;
	f = f < 100.0 ? 100.0 : (f > EXPECT_METER_MAX_HZ ? EXPECT_METER_MAX_HZ : f);
	f = hp_on && f < 1.6 * hpf ? 1.6 * hpf : f;
	if (lp_on && f > lpf / 4.0) {
		f = hp_on ? sqrt(hpf * lpf) : lpf / 4.0;
	}
	return 10.0 * round(f / 10.0);
}

/* The RMS of the second up to frame end (what a meter shows then). */
static double window_rms(const float *x, uint64_t end, uint64_t len)
{
	const uint64_t from = end > len ? end - len : 0;
	double acc = 0.0;
	for (uint64_t i = from; i < end; ++i) {
		acc += (double)x[i] * (double)x[i];
	}
	return end > from ? sqrt(acc / (double)(end - from)) : 0.0;
}

static int expect_setup(App *app)
{
	PresetMatch m;
	int rc = preset_and_controls(app, app->expect_preset, &m);
	if (rc != 0) {
		return rc;
	}
	free(m.uri);
	TgHost *const host = app->host;
	const uint32_t n_in = tg_host_n_audio_in(host), n_out = tg_host_n_audio_out(host);
	const double f = check_tone_hz(host);
	app->frames = (uint64_t)(EXPECT_SECONDS * app->rate);
	for (uint32_t ch = 0; ch < 2; ++ch) {
		app->in[ch] = calloc(app->frames, sizeof(float));
		app->out[ch] = calloc(app->frames, sizeof(float));
		if (!app->in[ch] || !app->out[ch]) {
			free(m.label);
			return fatal(app, EXIT_RENDER, "out of memory for %s", "the check tone");
		}
		tg_sig_sine(app->in[ch], (uint32_t)app->frames, app->rate, f, 1.0, 0.0);
	}
	TgRenderOpts opts = {512, 1, 0};
	TgReport report;
	if (tg_render(host, app->rate, (const float *const *)app->in, n_in, app->frames, app->out,
	              &opts, &report) != 0) {
		free(m.label);
		return fatal(app, EXIT_RENDER, "rendering %s failed", "the check tone");
	}
	/* What the meter's probes see: across both outputs when bridged, else
	 * the louder output against ground (with route, the one that plays). */
	const int bridged = tg_host_bridged(host);
	const double vfs = tg_host_get(host, "vfs");
	if (bridged) {
		for (uint64_t i = 0; i < app->frames; ++i) {
			app->out[0][i] = app->out[0][i] - app->out[1][i];
		}
	}
	uint32_t drive = 0;
	if (!bridged && n_out == 2 && tg_rms(app->out[1], app->frames) > tg_rms(app->out[0], app->frames)) {
		drive = 1;
	}
	const char *const probes =
	    bridged ? "tip and ring" : (drive == 1 ? "ring and sleeve" : "tip and sleeve");
	const uint64_t sec = (uint64_t)app->rate;
	double highest = 0.0;
	for (uint64_t end = sec; end <= app->frames; end += sec / 20) {
		const double v = window_rms(app->out[drive], end, sec) * vfs;
		highest = v > highest ? v : highest;
	}
	printf("setup check:              \"%s\" on <%s> at %g Hz\n", m.label, app->plugin_uri,
	       app->rate);
	printf("settings:                 vfs %g V, z_ohm %g ohm, wiring %s\n", vfs,
	       (double)tg_host_get(host, "z_ohm"), bridged ? "tip-ring" : "tip-sleeve");
	printf("check tone:               %.0f Hz sine at 0 dBFS, %.0f s, written raw%s%s\n", f,
	       EXPECT_SECONDS, app->output_path ? " to " : " (no file named)",
	       app->output_path ? app->output_path : "");
	if (f > EXPECT_METER_MAX_HZ) {
		printf("  The preset's high-pass needs a tone over %.0f Hz, where many cheap meters\n"
		       "  read low: use a true-RMS meter rated for %.0f Hz.\n",
		       EXPECT_METER_MAX_HZ, f);
	}
	printf("  1. Unplug the transducer. Leave every volume after tguard (the card's,\n"
	       "     a knob) where it was when you measured vfs.\n"
	       "  2. Set every volume before tguard (the player, the tguard sink) to 100 %%.\n"
	       "  3. Meter on AC volts, probes on %s. Play the check tone into tguard.\n",
	       probes);
	printf("expected meter reading:   V RMS over the second before\n");
	static const double at[] = {5.0, 10.0, 20.0, 30.0, 45.0, 60.0};
	for (size_t k = 0; k < sizeof(at) / sizeof(at[0]); ++k) {
		const double ramp_s = tg_host_get(host, "ramp_s");
		if (at[k] >= ramp_s + 1.0 && at[k] <= EXPECT_SECONDS) {
			const uint64_t end = (uint64_t)(at[k] * app->rate);
			printf("  after %2.0f s:             %.4f V\n", at[k],
			       window_rms(app->out[drive], end, sec) * vfs);
		}
	}
	printf("highest at any time:      %.4f V RMS\n", highest);
	printf("never more than:          %.4f V RMS (the highest, +%.0f %% for the meter and the "
	       "card)\n",
	       highest * EXPECT_MARGIN, (EXPECT_MARGIN - 1.0) * 100.0);
	printf("A higher reading means vfs was measured wrong, or a volume after tguard was\n"
	       "raised: stop, and measure vfs again (README, Calibration). A much lower one:\n"
	       "a volume before tguard is under 100 %%, or vfs was measured high.\n");
	free(m.label);
	if (app->output_path) {
		/* The tone itself, on the plugin's inputs: it plays into tguard. */
		for (uint32_t ch = 0; ch < 2; ++ch) {
			free(app->out[ch]);
			app->out[ch] = ch < n_in ? app->in[ch] : NULL;
			if (ch >= n_in) {
				free(app->in[ch]);
			}
			app->in[ch] = NULL;
		}
		app->signal = "check";
		if ((rc = write_output(app, n_in)) != 0) {
			return rc;
		}
	}
	cleanup(app);
	return 0;
}

int main(int argc, char **argv)
{
	App app;
	memset(&app, 0, sizeof(app));
	int rc = parse_args(&app, argc, argv);
	if (rc) {
		return rc;
	}
	if (app.check_path) {
		app.input_path = app.check_path;
	}
	if (app.input_path && app.output_path && same_file(app.input_path, app.output_path)) {
		return fatal(&app, EXIT_OUTPUT, "output %s is the input file", app.output_path);
	}
	if (!app.list_presets && !app.pipewire_preset && !app.expect_preset &&
	    (rc = load_input(&app)) != 0) {
		return rc;
	}
	if (app.signal) {
		char name[64];
		snprintf(name, sizeof(name), "%s", app.signal);
		name[strcspn(name, ":")] = '\0';
		const TgBuiltinSignal *const sig = tg_builtin_find(name);
		if (sig && sig->raw) {
			return write_raw_signal(&app);
		}
	}
	if (app.channels) {
		return fatal(&app, EXIT_USAGE, "--channels goes with a raw signal (%s)", "calib");
	}
	if (!app.plugin_uri && (app.pipewire_preset || app.expect_preset)) {
		app.plugin_uri = plugin_of_preset(app.pipewire_preset ? app.pipewire_preset
		                                                      : app.expect_preset);
	} else if (!app.plugin_uri) {
		app.plugin_uri = app.n_in_ch == 1 ? "urn:tguard:mono" : "urn:tguard:stereo";
	}
	char *const bundle = bundle_beside_program();
	app.host = tg_host_new(bundle);
	free(bundle);
	char err[2048] = "";
	if (app.host && app.reference) {
		tg_host_use_reference(app.host, 1);
	}
	if (!app.host || tg_host_load(app.host, app.plugin_uri, app.rate, err, sizeof(err))) {
		return fatal(&app, EXIT_PLUGIN, "%s", err[0] ? err : "cannot create the LV2 world");
	}
	if (app.list_presets) {
		tg_host_presets(app.host, print_preset, NULL);
		cleanup(&app);
		return 0;
	}
	if (app.pipewire_preset) {
		return print_pipewire(&app);
	}
	if (app.expect_preset) {
		return expect_setup(&app);
	}
	if (app.check_path) {
		return (rc = apply_controls(&app)) != 0 ? rc : check_file(&app);
	}
	const uint32_t p_in = tg_host_n_audio_in(app.host), n_out = tg_host_n_audio_out(app.host);
	if (app.signal && p_in == 1) {
		app.n_in_ch = 1; /* a built-in signal's first channel is the mono one */
	}
	if (app.n_in_ch != p_in && app.n_in_ch != 1) {
		return fatal(&app, EXIT_CHANNELS, "plugin %s takes one input channel", app.plugin_uri);
	}
	if ((rc = apply_controls(&app)) != 0) {
		return rc;
	}
	for (uint32_t ch = 0; ch < n_out; ++ch) {
		app.out[ch] = calloc(app.frames ? app.frames : 1, sizeof(float));
		if (!app.out[ch]) {
			return fatal(&app, EXIT_RENDER, "out of memory for %s", app.output_path);
		}
	}
	TgRenderOpts opts = {app.block, app.seed, app.keep_latency};
	TgReport report;
	if (tg_render(app.host, app.rate, (const float *const *)app.in, app.n_in_ch, app.frames,
	              app.out, &opts, &report) != 0) {
		return fatal(&app, EXIT_RENDER, "rendering %s failed", app.output_path);
	}
	if ((rc = write_output(&app, n_out)) != 0) {
		return rc;
	}
	if (app.report) {
		tg_report_print(stdout, &report, app.json);
	}
	cleanup(&app);
	return 0;
}
