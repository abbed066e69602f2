/* tguard: greatest.h -- the host tests' unit-test harness.
 *
 * An API-compatible re-implementation, written from scratch for tguard, of
 * the subset of "greatest" (github.com/silentbicycle/greatest) the tests
 * use; the abbreviations at the end list it. Semantics follow upstream
 * v1.5.0, so a test passes or fails alike under either header:
 * ASSERT_GT(A, B) passes when A > B (likewise LT, LTE, GTE, EQ, NEQ), so a
 * NaN fails all but NEQ; ASSERT_IN_RANGE compares as GREATEST_FLOAT
 * (double) and fails only when GOT is seen to lie more than TOL from EXP,
 * so a NaN anywhere, or Inf against Inf, passes (tests that must reject
 * those use TG_ASSERT_NEAR, host-test/tests/tg_assert.h); ASSERT_EQ_FMT
 * evaluates its arguments again to print them. The runner takes -v,
 * -t TEST, -s SUITE, -x TEST, -f, -l and -h; anything else is reported and
 * ignored. The report ends with upstream's "Pass: P, fail: F, skip: S."
 * line, which the Makefile sums across test binaries, and
 * GREATEST_MAIN_END() makes main() return EXIT_FAILURE if any test failed.
 *
 * Copyright (c) the tguard authors. ISC license (SPDX: ISC).
 */
#ifndef GREATEST_H
#define GREATEST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifndef GREATEST_STDOUT
#define GREATEST_STDOUT stdout
#endif
#ifndef GREATEST_DEFAULT_WIDTH
#define GREATEST_DEFAULT_WIDTH 72
#endif
#ifndef GREATEST_FLOAT
#define GREATEST_FLOAT double
#define GREATEST_FLOAT_FMT "%g"
#endif
#ifndef GREATEST_USE_ABBREVS
#define GREATEST_USE_ABBREVS 1
#endif

typedef enum greatest_test_res {
	GREATEST_TEST_RES_PASS = 0,
	GREATEST_TEST_RES_FAIL = -1,
	GREATEST_TEST_RES_SKIP = 1
} greatest_test_res;

typedef void greatest_suite_cb(void);
typedef void greatest_setup_cb(void *udata);
typedef void greatest_teardown_cb(void *udata);

struct greatest_counts {
	unsigned int run, passed, failed, skipped;
};

typedef struct greatest_run_info {
	int verbose, first_fail, list_only;
	struct greatest_counts suite, total; /* current suite, earlier ones */
	unsigned int assertions, col, width;
	const char *name, *msg, *fail_file; /* current test and its outcome */
	const char *suffix;                  /* appended to the next test's name */
	char name_buf[256];
	int fail_line;
	const char *suite_filter, *test_filter, *test_exclude;
	greatest_setup_cb *setup;
	void *setup_udata;
	greatest_teardown_cb *teardown;
	void *teardown_udata;
	clock_t begin, suite_begin, test_begin;
} greatest_run_info;

extern greatest_run_info greatest_info;

/* Defined by GREATEST_MAIN_DEFS(); the macros below call them. */
int greatest_test_pre(const char *name);
void greatest_test_post(enum greatest_test_res res);
void greatest_run_suite(greatest_suite_cb *suite, const char *name);
int greatest_str_eq(const char *expd, const char *got);
void greatest_parse_options(int argc, char **argv);
void GREATEST_INIT(void);
void GREATEST_PRINT_REPORT(void);
int greatest_all_passed(void);
void GREATEST_SET_SETUP_CB(greatest_setup_cb *cb, void *udata);
/* Name the next test NAME_SUFFIX, as upstream does for parametric tests. */
void greatest_set_test_suffix(const char *suffix);
void GREATEST_SET_TEARDOWN_CB(greatest_teardown_cb *cb, void *udata);

/* Parameters follow the macro: TEST name(void), TEST name(int x). */
#define GREATEST_TEST static enum greatest_test_res
/* The first declaration keeps -Wmissing-prototypes quiet. */
#define GREATEST_SUITE(NAME) void NAME(void); void NAME(void)
#define GREATEST_SUITE_EXTERN(NAME) void NAME(void)
#define GREATEST_RUN_SUITE(NAME) greatest_run_suite(NAME, #NAME)
#define GREATEST_IGNORE_TEST(TEST) (void)TEST
#define GREATEST_RUN_TEST(TEST) \
	do { if (greatest_test_pre(#TEST)) greatest_test_post(TEST()); } while (0)
#define GREATEST_RUN_TEST1(TEST, ENV) \
	do { if (greatest_test_pre(#TEST)) greatest_test_post(TEST(ENV)); } while (0)
#define GREATEST_RUN_TESTp(TEST, ...) \
	do { \
		if (greatest_test_pre(#TEST)) \
			greatest_test_post(TEST(__VA_ARGS__)); \
	} while (0)
#define GREATEST_IS_VERBOSE() (greatest_info.verbose > 0)

/* Outcomes; each returns from the test function. */
#define GREATEST_PASSm(MSG) \
	do { greatest_info.msg = (MSG); return GREATEST_TEST_RES_PASS; } while (0)
#define GREATEST_SKIPm(MSG) \
	do { greatest_info.msg = (MSG); return GREATEST_TEST_RES_SKIP; } while (0)
#define GREATEST_FAILm(MSG) \
	do { \
		greatest_info.fail_file = __FILE__; \
		greatest_info.fail_line = __LINE__; \
		greatest_info.msg = (MSG); \
		return GREATEST_TEST_RES_FAIL; \
	} while (0)
#define GREATEST_PASS() GREATEST_PASSm(NULL)
#define GREATEST_SKIP() GREATEST_SKIPm(NULL)
#define GREATEST_FAIL() GREATEST_FAILm(NULL)
/* Return early unless a helper that uses ASSERT etc. passed. */
#define GREATEST_CHECK_CALL(RES) \
	do { \
		enum greatest_test_res greatest_res_ = (RES); \
		if (greatest_res_ != GREATEST_TEST_RES_PASS) return greatest_res_; \
	} while (0)

/* Counts one assertion; fails the test with MSG when BAD is true. */
#define GREATEST_FAIL_IF_(BAD, MSG) \
	do { \
		greatest_info.assertions++; \
		if (BAD) GREATEST_FAILm(MSG); \
	} while (0)

#define GREATEST_ASSERTm(MSG, COND) GREATEST_FAIL_IF_(!(COND), MSG)
#define GREATEST_ASSERT_FALSEm(MSG, COND) GREATEST_FAIL_IF_((COND), MSG)
#define GREATEST_ASSERT_EQm(MSG, EXP, GOT) GREATEST_FAIL_IF_((EXP) != (GOT), MSG)
#define GREATEST_ASSERT_NEQm(MSG, EXP, GOT) GREATEST_FAIL_IF_((EXP) == (GOT), MSG)
#define GREATEST_ASSERT_LTm(MSG, A, B) GREATEST_FAIL_IF_(!((A) < (B)), MSG)
#define GREATEST_ASSERT_LTEm(MSG, A, B) GREATEST_FAIL_IF_(!((A) <= (B)), MSG)
#define GREATEST_ASSERT_GTm(MSG, A, B) GREATEST_FAIL_IF_(!((A) > (B)), MSG)
#define GREATEST_ASSERT_GTEm(MSG, A, B) GREATEST_FAIL_IF_(!((A) >= (B)), MSG)
#define GREATEST_ASSERT_STR_EQm(MSG, EXP, GOT) \
	GREATEST_FAIL_IF_(!greatest_str_eq((EXP), (GOT)), MSG)

#define GREATEST_ASSERT_EQ_FMTm(MSG, EXP, GOT, FMT) \
	do { \
		greatest_info.assertions++; \
		if ((EXP) != (GOT)) { \
			fprintf(GREATEST_STDOUT, "\nExpected: "); \
			fprintf(GREATEST_STDOUT, FMT, EXP); \
			fprintf(GREATEST_STDOUT, "\n     Got: "); \
			fprintf(GREATEST_STDOUT, FMT, GOT); \
			fprintf(GREATEST_STDOUT, "\n"); \
			GREATEST_FAILm(MSG); \
		} \
	} while (0)

#define GREATEST_ASSERT_IN_RANGEm(MSG, EXP, GOT, TOL) \
	do { \
		GREATEST_FLOAT greatest_exp_ = (GREATEST_FLOAT)(EXP); \
		GREATEST_FLOAT greatest_got_ = (GREATEST_FLOAT)(GOT); \
		GREATEST_FLOAT greatest_tol_ = (GREATEST_FLOAT)(TOL); \
		/* Every comparison with a NaN is false: it passes, as upstream. */ \
		int greatest_far_ = greatest_exp_ > greatest_got_ \
			? greatest_exp_ - greatest_got_ > greatest_tol_ \
			: greatest_got_ > greatest_exp_ && greatest_got_ - greatest_exp_ > greatest_tol_; \
		greatest_info.assertions++; \
		if (greatest_far_) { \
			fprintf(GREATEST_STDOUT, "\nExpected: " \
				GREATEST_FLOAT_FMT " +/- " GREATEST_FLOAT_FMT \
				"\n     Got: " GREATEST_FLOAT_FMT "\n", \
				greatest_exp_, greatest_tol_, greatest_got_); \
			GREATEST_FAILm(MSG); \
		} \
	} while (0)

/* Message-less forms: the message spells out the failed relation. */
#define GREATEST_ASSERT(C) GREATEST_ASSERTm(#C, C)
#define GREATEST_ASSERT_FALSE(C) GREATEST_ASSERT_FALSEm(#C, C)
#define GREATEST_ASSERT_EQ(E, G) GREATEST_ASSERT_EQm(#E " != " #G, E, G)
#define GREATEST_ASSERT_NEQ(E, G) GREATEST_ASSERT_NEQm(#E " == " #G, E, G)
#define GREATEST_ASSERT_LT(A, B) GREATEST_ASSERT_LTm(#A " >= " #B, A, B)
#define GREATEST_ASSERT_LTE(A, B) GREATEST_ASSERT_LTEm(#A " > " #B, A, B)
#define GREATEST_ASSERT_GT(A, B) GREATEST_ASSERT_GTm(#A " <= " #B, A, B)
#define GREATEST_ASSERT_GTE(A, B) GREATEST_ASSERT_GTEm(#A " < " #B, A, B)
#define GREATEST_ASSERT_STR_EQ(E, G) GREATEST_ASSERT_STR_EQm(#E " != " #G, E, G)
#define GREATEST_ASSERT_EQ_FMT(E, G, FMT) \
	GREATEST_ASSERT_EQ_FMTm(#E " != " #G, E, G, FMT)
#define GREATEST_ASSERT_IN_RANGE(E, G, TOL) \
	GREATEST_ASSERT_IN_RANGEm(#E " != " #G " +/- " #TOL, E, G, TOL)

/* The runner: expand once, at file scope, in the file holding main(). */
#define GREATEST_MAIN_DEFS() \
static int greatest_match_(const char *name, const char *filter, int if_none) \
{ \
	if (filter == NULL || filter[0] == '\0') return if_none; \
	return strstr(name, filter) != NULL; \
} \
static void greatest_clock_(clock_t since) \
{ \
	clock_t now = clock(); \
	fprintf(GREATEST_STDOUT, " (%lu ticks, %.3f sec)", \
		(unsigned long)(now - since), \
		(double)(now - since) / (double)CLOCKS_PER_SEC); \
} \
/* Adds the last suite's counts to the totals and drops its hooks. */ \
static void greatest_end_suite_(void) \
{ \
	greatest_run_info *g = &greatest_info; \
	g->total.run += g->suite.run; \
	g->total.passed += g->suite.passed; \
	g->total.failed += g->suite.failed; \
	g->total.skipped += g->suite.skipped; \
	memset(&g->suite, 0, sizeof g->suite); \
	g->setup = NULL; g->setup_udata = NULL; \
	g->teardown = NULL; g->teardown_udata = NULL; \
	g->col = 0; \
} \
void greatest_set_test_suffix(const char *suffix) \
{ \
	greatest_info.suffix = suffix; \
} \
int greatest_test_pre(const char *name) \
{ \
	greatest_run_info *g = &greatest_info; \
	if (g->suffix) { \
		snprintf(g->name_buf, sizeof g->name_buf, "%s_%s", name, g->suffix); \
		g->suffix = NULL; \
		name = g->name_buf; \
	} \
	if (!greatest_match_(name, g->test_filter, 1) \
	    || greatest_match_(name, g->test_exclude, 0) \
	    || (g->first_fail && g->suite.failed + g->total.failed > 0)) \
		return 0; \
	if (g->list_only) { \
		fprintf(GREATEST_STDOUT, "  %s\n", name); \
		return 0; \
	} \
	g->name = name; g->msg = NULL; g->fail_file = ""; g->fail_line = 0; \
	g->test_begin = clock(); \
	if (g->setup) g->setup(g->setup_udata); \
	return 1; \
} \
void greatest_test_post(enum greatest_test_res res) \
{ \
	greatest_run_info *g = &greatest_info; \
	FILE *out = GREATEST_STDOUT; \
	const char *msg = g->msg ? g->msg : ""; \
	if (g->teardown) g->teardown(g->teardown_udata); \
	if (res < GREATEST_TEST_RES_PASS) { \
		g->suite.failed++; \
		fprintf(out, "%sFAIL %s: %s (%s:%d)%s", \
			g->verbose ? "" : "F\n", g->name, msg, g->fail_file, \
			g->fail_line, g->verbose ? "" : "\n"); \
		if (!g->verbose) g->col = 0; \
	} else if (res > GREATEST_TEST_RES_PASS) { \
		g->suite.skipped++; \
		if (g->verbose) fprintf(out, "SKIP %s: %s", g->name, msg); \
		else fprintf(out, "s"); \
	} else { \
		g->suite.passed++; \
		if (g->verbose) fprintf(out, "PASS %s: %s", g->name, msg); \
		else fprintf(out, "."); \
	} \
	g->suite.run++; \
	if (g->verbose) { \
		greatest_clock_(g->test_begin); \
		fprintf(out, "\n"); \
	} else if (++g->col % g->width == 0) { \
		fprintf(out, "\n"); \
		g->col = 0; \
	} \
	fflush(out); \
} \
void greatest_run_suite(greatest_suite_cb *suite, const char *name) \
{ \
	greatest_run_info *g = &greatest_info; \
	if (!greatest_match_(name, g->suite_filter, 1) \
	    || (g->first_fail && g->suite.failed + g->total.failed > 0)) \
		return; \
	greatest_end_suite_(); \
	fprintf(GREATEST_STDOUT, "\n* Suite %s:\n", name); \
	g->suite_begin = clock(); \
	suite(); \
	if (g->suite.run > 0) { \
		fprintf(GREATEST_STDOUT, \
			"\n%u test%s - %u passed, %u failed, %u skipped", \
			g->suite.run, g->suite.run == 1 ? "" : "s", \
			g->suite.passed, g->suite.failed, g->suite.skipped); \
		greatest_clock_(g->suite_begin); \
		fprintf(GREATEST_STDOUT, "\n"); \
	} \
} \
int greatest_str_eq(const char *expd, const char *got) \
{ \
	if (expd == got || (expd && got && strcmp(expd, got) == 0)) return 1; \
	fprintf(GREATEST_STDOUT, "\nExpected: %s\n     Got: %s\n", \
		expd ? expd : "(null)", got ? got : "(null)"); \
	return 0; \
} \
void GREATEST_SET_SETUP_CB(greatest_setup_cb *cb, void *udata) \
{ \
	greatest_info.setup = cb; greatest_info.setup_udata = udata; \
} \
void GREATEST_SET_TEARDOWN_CB(greatest_teardown_cb *cb, void *udata) \
{ \
	greatest_info.teardown = cb; greatest_info.teardown_udata = udata; \
} \
void greatest_parse_options(int argc, char **argv) \
{ \
	greatest_run_info *g = &greatest_info; \
	for (int i = 1; i < argc; i++) { \
		const char *a = argv[i]; \
		char opt = '\0'; \
		if (strcmp(a, "--") == 0) break; \
		if (a[0] == '-') opt = strcmp(a, "--help") == 0 ? 'h' : a[1]; \
		if ((opt == 't' || opt == 's' || opt == 'x') && i + 1 >= argc) { \
			fprintf(stderr, "%s: %s needs an argument\n", argv[0], a); \
			exit(EXIT_FAILURE); \
		} \
		switch (opt) { \
		case 't': g->test_filter = argv[++i]; break; \
		case 's': g->suite_filter = argv[++i]; break; \
		case 'x': g->test_exclude = argv[++i]; break; \
		case 'v': g->verbose++; break; \
		case 'f': g->first_fail = 1; break; \
		case 'l': g->list_only = 1; break; \
		case 'h': \
			fprintf(GREATEST_STDOUT, "Usage: %s [-hvfl] [-s SUITE] " \
				"[-t TEST] [-x TEST]\n  -v verbose, -f stop at first " \
				"failure, -l list only\n  -s/-t run only suites/tests " \
				"whose name contains the string, -x skip such tests\n", \
				argv[0]); \
			exit(EXIT_SUCCESS); \
		default: \
			fprintf(stderr, "%s: ignoring argument '%s'\n", argv[0], a); \
			break; \
		} \
	} \
} \
void GREATEST_INIT(void) \
{ \
	memset(&greatest_info, 0, sizeof greatest_info); \
	greatest_info.width = GREATEST_DEFAULT_WIDTH; \
	greatest_info.begin = clock(); \
} \
void GREATEST_PRINT_REPORT(void) \
{ \
	greatest_run_info *g = &greatest_info; \
	if (g->list_only) return; \
	greatest_end_suite_(); \
	fprintf(GREATEST_STDOUT, "\nTotal: %u test%s", g->total.run, \
		g->total.run == 1 ? "" : "s"); \
	greatest_clock_(g->begin); \
	fprintf(GREATEST_STDOUT, ", %u assertion%s\n", g->assertions, \
		g->assertions == 1 ? "" : "s"); \
	fprintf(GREATEST_STDOUT, "Pass: %u, fail: %u, skip: %u.\n", \
		g->total.passed, g->total.failed, g->total.skipped); \
} \
int greatest_all_passed(void) \
{ \
	return greatest_info.total.failed + greatest_info.suite.failed == 0; \
} \
greatest_run_info greatest_info

/* In int main(int argc, char **argv): parse the options first; at the end
 * print the report and return EXIT_FAILURE if any test failed. */
#define GREATEST_MAIN_BEGIN() \
	do { GREATEST_INIT(); greatest_parse_options(argc, argv); } while (0)
#define GREATEST_MAIN_END() \
	do { \
		GREATEST_PRINT_REPORT(); \
		return greatest_all_passed() ? EXIT_SUCCESS : EXIT_FAILURE; \
	} while (0)

#if GREATEST_USE_ABBREVS
#define TEST GREATEST_TEST
#define SUITE GREATEST_SUITE
#define SUITE_EXTERN GREATEST_SUITE_EXTERN
#define RUN_TEST GREATEST_RUN_TEST
#define RUN_TEST1 GREATEST_RUN_TEST1
#define RUN_TESTp GREATEST_RUN_TESTp
#define RUN_SUITE GREATEST_RUN_SUITE
#define IGNORE_TEST GREATEST_IGNORE_TEST
#define PASS GREATEST_PASS
#define FAIL GREATEST_FAIL
#define SKIP GREATEST_SKIP
#define PASSm GREATEST_PASSm
#define FAILm GREATEST_FAILm
#define SKIPm GREATEST_SKIPm
#define CHECK_CALL GREATEST_CHECK_CALL
#define SET_SETUP GREATEST_SET_SETUP_CB
#define SET_TEARDOWN GREATEST_SET_TEARDOWN_CB
#define ASSERT GREATEST_ASSERT
#define ASSERTm GREATEST_ASSERTm
#define ASSERT_FALSE GREATEST_ASSERT_FALSE
#define ASSERT_FALSEm GREATEST_ASSERT_FALSEm
#define ASSERT_EQ GREATEST_ASSERT_EQ
#define ASSERT_EQm GREATEST_ASSERT_EQm
#define ASSERT_NEQ GREATEST_ASSERT_NEQ
#define ASSERT_NEQm GREATEST_ASSERT_NEQm
#define ASSERT_LT GREATEST_ASSERT_LT
#define ASSERT_LTm GREATEST_ASSERT_LTm
#define ASSERT_LTE GREATEST_ASSERT_LTE
#define ASSERT_LTEm GREATEST_ASSERT_LTEm
#define ASSERT_GT GREATEST_ASSERT_GT
#define ASSERT_GTm GREATEST_ASSERT_GTm
#define ASSERT_GTE GREATEST_ASSERT_GTE
#define ASSERT_GTEm GREATEST_ASSERT_GTEm
#define ASSERT_EQ_FMT GREATEST_ASSERT_EQ_FMT
#define ASSERT_EQ_FMTm GREATEST_ASSERT_EQ_FMTm
#define ASSERT_IN_RANGE GREATEST_ASSERT_IN_RANGE
#define ASSERT_IN_RANGEm GREATEST_ASSERT_IN_RANGEm
#define ASSERT_STR_EQ GREATEST_ASSERT_STR_EQ
#define ASSERT_STR_EQm GREATEST_ASSERT_STR_EQm
#endif

#endif /* GREATEST_H */
