// SPDX-License-Identifier: GPL-2.0-or-later
/* -m limit --limit RATE[/UNIT] --limit-burst N (libxt_limit.c). Time-dependent: unknown. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../ruleset/ir.h"
#include "mutil.h"

#define SCALE	      10000u /* XT_LIMIT_SCALE */
#define BURST_DEFAULT 5

enum { O_LIMIT, O_BURST };

struct limit_data {
	uint32_t avg; /* SCALE * seconds per packet */
	uint32_t burst;
	unsigned seen;
};

static const struct ctg_opt opts[] = {
	{"limit", O_LIMIT, CTG_OPT_ARG},
	{"limit-burst", O_BURST, CTG_OPT_ARG},
};

/* libxt_limit parse_rate: N[/second|minute|hour|day, any prefix]. */
static int parse_rate(const char *rate, uint32_t *val)
{
	const char *delim = strchr(rate, '/');
	uint32_t mult = 1;
	unsigned long r;

	if (delim) {
		size_t n = strlen(delim + 1);

		if (!n)
			return -EINVAL;
		if (!strncasecmp(delim + 1, "second", n))
			mult = 1;
		else if (!strncasecmp(delim + 1, "minute", n))
			mult = 60;
		else if (!strncasecmp(delim + 1, "hour", n))
			mult = 60 * 60;
		else if (!strncasecmp(delim + 1, "day", n))
			mult = 24 * 60 * 60;
		else
			return -EINVAL;
	}
	r = strtoul(rate, NULL, 10); /* atoi: leading digits */
	if (!r || r > UINT32_MAX)
		return -EINVAL;
	*val = (uint32_t)(SCALE * mult / r);
	return *val ? 0 : -ERANGE;
}

static int limit_parse(struct ctg_mctx *c, void *data, unsigned id, bool inv, const char *arg,
		       const char *arg2)
{
	struct limit_data *d = data;
	uint64_t v;
	int rc;

	if (ctg_mu_once(c, &d->seen, 1u << id, id == O_LIMIT ? "limit" : "limit-burst"))
		return -EINVAL;
	if (id == O_BURST) {
		if (ctg_mu_uint(arg, 10000, &v))
			return ctg_mctx_error(c, "bad-value", "0-10000",
					      "bad --limit-burst value \"%s\"", arg);
		d->burst = (uint32_t)v;
		return 0;
	}
	rc = parse_rate(arg, &d->avg);
	if (rc == -ERANGE)
		return ctg_mctx_error(c, "bad-value", NULL, "rate too fast \"%s\"", arg);
	if (rc)
		return ctg_mctx_error(c, "bad-value", "N/sec, N/minute, N/hour or N/day",
				      "bad rate \"%s\"", arg);
	return 0;
}

static int limit_final(struct ctg_mctx *c, void *data)
{
	struct limit_data *d = data;

	if (!(d->seen & (1u << O_LIMIT)))
		d->avg = SCALE * 60 * 60 / 3;
	if (!(d->seen & (1u << O_BURST)))
		d->burst = BURST_DEFAULT;
	return 0;
}

static void print_rate(struct ctg_strbuf *sb, uint32_t period)
{
	static const struct {
		const char *name;
		uint32_t mult;
	} rates[] = {{"day", SCALE * 24 * 60 * 60},
		     {"hour", SCALE * 60 * 60},
		     {"min", SCALE * 60},
		     {"sec", SCALE}};
	unsigned i;

	if (!period) {
		ctg_sb_puts(sb, " inf");
		return;
	}
	for (i = 1; i < 4; i++)
		if (period > rates[i].mult || rates[i].mult / period < rates[i].mult % period)
			break;
	ctg_sb_printf(sb, " %u/%s", rates[i - 1].mult / period, rates[i - 1].name);
}

static void limit_emit(const void *data, enum ctg_family f, struct ctg_strbuf *sb)
{
	const struct limit_data *d = data;

	ctg_sb_puts(sb, " --limit");
	print_rate(sb, d->avg);
	if (d->burst != BURST_DEFAULT)
		ctg_sb_printf(sb, " --limit-burst %u", d->burst);
}

static enum ctg_tri limit_eval(const void *data, const struct ctg_pkt *p,
			       const struct ctg_eval_env *env)
{
	return CTG_UNKNOWN; /* token bucket state and timing */
}

const struct ctg_match_ops ctg_match_limit = {
	.name = "limit",
	.family_mask = 3,
	.opts = opts,
	.nopts = sizeof(opts) / sizeof(opts[0]),
	.size = sizeof(struct limit_data),
	.parse = limit_parse,
	.final = limit_final,
	.emit = limit_emit,
	.eval = limit_eval,
};
