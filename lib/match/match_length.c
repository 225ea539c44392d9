// SPDX-License-Identifier: GPL-2.0-or-later
/* -m length: IP packet length (libxt_length.c, xt_length.c). */
#include <errno.h>

#include "../ruleset/ir.h"
#include "mrange.h"
#include "mutil.h"

struct length_data {
	uint16_t min, max;
	bool inv, seen;
};

static const struct ctg_opt opts[] = {
	{"length", 0, CTG_OPT_ARG | CTG_OPT_INV},
};

static int length_parse(struct ctg_mctx *c, void *data, unsigned id, bool inv, const char *arg,
			const char *arg2)
{
	struct length_data *d = data;
	uint64_t r[2];
	bool two;
	int err;

	if (d->seen)
		return ctg_mctx_error(c, "duplicate-option", NULL,
				      "multiple --length flags not allowed");
	err = ctg_mr_parse(arg, UINT16_MAX, r, &two);
	if (err == -ERANGE)
		return ctg_mctx_error(c, "bad-value", "write the smaller length first",
				      "length: range \"%s\" has min > max", arg);
	if (err)
		return ctg_mctx_error(c, "bad-value", "a length 0-65535 or a range a:b",
				      "length: invalid value \"%s\"", arg);
	d->min = r[0];
	d->max = r[1];
	d->inv = inv;
	d->seen = true;
	return 0;
}

static int length_final(struct ctg_mctx *c, void *data)
{
	const struct length_data *d = data;

	if (!d->seen)
		return ctg_mctx_error(c, "missing-option", "--length",
				      "length: --length is required");
	return 0;
}

static void length_emit(const void *data, enum ctg_family f, struct ctg_strbuf *sb)
{
	const struct length_data *d = data;

	ctg_mu_opt(sb, d->inv, "length");
	ctg_sb_putc(sb, ' ');
	ctg_mu_range(sb, d->min, d->max, ':');
}

static enum ctg_tri length_eval(const void *data, const struct ctg_pkt *p,
				const struct ctg_eval_env *env)
{
	const struct length_data *d = data;

	return ((p->len >= d->min && p->len <= d->max) != d->inv) ? CTG_TRUE : CTG_FALSE;
}

const struct ctg_match_ops ctg_match_length = {
	.name = "length",
	.family_mask = 3,
	.opts = opts,
	.nopts = sizeof(opts) / sizeof(opts[0]),
	.size = sizeof(struct length_data),
	.parse = length_parse,
	.final = length_final,
	.emit = length_emit,
	.eval = length_eval,
};
