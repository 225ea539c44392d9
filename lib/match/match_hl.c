// SPDX-License-Identifier: GPL-2.0-or-later
/* -m hl: IPv6 hop limit (libip6t_hl.c, xt_hl.c). */
#include <errno.h>

#include "../ruleset/ir.h"
#include "mutil.h"

enum { O_EQ, O_GT, O_LT };
enum { M_EQ, M_NE, M_LT, M_GT };

struct hl_data {
	uint8_t mode;
	uint8_t value;
	bool seen;
};

static const struct ctg_opt opts[] = {
	{"hl-eq", O_EQ, CTG_OPT_ARG | CTG_OPT_INV},
	{"hl-gt", O_GT, CTG_OPT_ARG},
	{"hl-lt", O_LT, CTG_OPT_ARG},
};

static int hl_parse(struct ctg_mctx *c, void *data, unsigned id, bool inv, const char *arg,
		    const char *arg2)
{
	struct hl_data *d = data;
	uint64_t v;

	if (d->seen)
		return ctg_mctx_error(c, "conflicting-options", NULL,
				      "hl: only one of --hl-eq, --hl-lt, --hl-gt allowed");
	if (ctg_mu_uint(arg, UINT8_MAX, &v))
		return ctg_mctx_error(c, "bad-value", "a hop limit 0-255",
				      "hl: invalid value \"%s\"", arg);
	d->seen = true;
	d->value = v;
	d->mode = id == O_EQ ? (inv ? M_NE : M_EQ) : id == O_LT ? M_LT : M_GT;
	return 0;
}

static int hl_final(struct ctg_mctx *c, void *data)
{
	const struct hl_data *d = data;

	if (!d->seen)
		return ctg_mctx_error(c, "missing-option", "--hl-eq, --hl-lt or --hl-gt",
				      "hl: one of --hl-eq, --hl-lt, --hl-gt is required");
	return 0;
}

static void hl_emit(const void *data, enum ctg_family f, struct ctg_strbuf *sb)
{
	static const char *const op[] = {" --hl-eq", " ! --hl-eq", " --hl-lt", " --hl-gt"};
	const struct hl_data *d = data;

	ctg_sb_printf(sb, "%s %u", op[d->mode], d->value);
}

static enum ctg_tri hl_eval(const void *data, const struct ctg_pkt *p,
			    const struct ctg_eval_env *env)
{
	const struct hl_data *d = data;
	bool r;

	switch (d->mode) {
	case M_EQ:
		r = p->ttl == d->value;
		break;
	case M_NE:
		r = p->ttl != d->value;
		break;
	case M_LT:
		r = p->ttl < d->value;
		break;
	default:
		r = p->ttl > d->value;
		break;
	}
	return r ? CTG_TRUE : CTG_FALSE;
}

const struct ctg_match_ops ctg_match_hl = {
	.name = "hl",
	.family_mask = 2,
	.opts = opts,
	.nopts = sizeof(opts) / sizeof(opts[0]),
	.size = sizeof(struct hl_data),
	.parse = hl_parse,
	.final = hl_final,
	.emit = hl_emit,
	.eval = hl_eval,
};
