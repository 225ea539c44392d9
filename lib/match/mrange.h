/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * xtables' UINT16RC / UINT32RC / UINT64RC ranges: "a", "a:b", ":b", "a:", ":" with missing
 * bounds 0 and max (the group B match modules share this).
 */
#ifndef CTG_MRANGE_H
#define CTG_MRANGE_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "mutil.h"

/*
 * Parses s into r[0..1]; *two tells whether a ':' was given. A single number gives
 * r[0] = r[1] = n. Returns 0, -EINVAL (not numbers, above max) or -ERANGE (min > max).
 */
static inline int ctg_mr_parse(const char *s, uint64_t max, uint64_t r[2], bool *two)
{
	const char *colon = strchr(s, ':');
	char lo[32];

	*two = colon != NULL;
	r[0] = 0;
	r[1] = max;
	if (!colon) {
		if (ctg_mu_uint(s, max, &r[0]))
			return -EINVAL;
		r[1] = r[0];
		return 0;
	}
	if ((size_t)(colon - s) >= sizeof(lo))
		return -EINVAL;
	memcpy(lo, s, colon - s);
	lo[colon - s] = '\0';
	if (*lo && ctg_mu_uint(lo, max, &r[0]))
		return -EINVAL;
	if (colon[1] && ctg_mu_uint(colon + 1, max, &r[1]))
		return -EINVAL;
	return r[0] > r[1] ? -ERANGE : 0;
}

#endif
