/* tguard: assertions the tests add to greatest's.
 *
 * greatest's ASSERT_IN_RANGE fails only when a difference is seen to exceed
 * the tolerance, and every comparison with a NaN is false: a NaN (or Inf
 * against Inf) passes, under upstream's header and under the project's,
 * which follows it. A test that checks a value is near another wants a
 * number, so TG_ASSERT_NEAR asserts that both are finite first. Include
 * after greatest.h; it uses only the API both headers share.
 *
 * Copyright (c) the tguard authors. ISC license (SPDX: ISC).
 */
#ifndef TG_ASSERT_H
#define TG_ASSERT_H

#include <math.h>
#include <stdio.h>

/* EXP and GOT are evaluated once, as doubles; TOL as ASSERT_IN_RANGE does. */
#define TG_ASSERT_NEARm(MSG, EXP, GOT, TOL) \
	do { \
		const double tg_near_exp_ = (double)(EXP); \
		const double tg_near_got_ = (double)(GOT); \
		const int tg_near_finite_ = isfinite(tg_near_exp_) && isfinite(tg_near_got_); \
		if (!tg_near_finite_) \
			fprintf(GREATEST_STDOUT, "\nNot finite: expected %g, got %g\n", tg_near_exp_, \
			        tg_near_got_); \
		ASSERTm(MSG, tg_near_finite_); \
		ASSERT_IN_RANGEm(MSG, tg_near_exp_, tg_near_got_, TOL); \
	} while (0)
#define TG_ASSERT_NEAR(EXP, GOT, TOL) \
	TG_ASSERT_NEARm(#EXP " != " #GOT " +/- " #TOL, EXP, GOT, TOL)

#endif /* TG_ASSERT_H */
