// SPDX-License-Identifier: GPL-2.0-or-later
/* -m ttl: IPv4 time to live (libipt_ttl.c, xt_hl.c). */
#include <errno.h>

#include "../ruleset/ir.h"
#include "mutil.h"

enum { O_EQ, O_GT, O_LT };
enum { M_EQ, M_NE, M_LT, M_GT };

struct ttl_data {
	uint8_t mode;
	uint8_t value;
	bool seen;
};

static const struct ctg_opt opts[] = {
	{"ttl-eq", O_EQ, CTG_OPT_ARG | CTG_OPT_INV},
	{"ttl-gt", O_GT, CTG_OPT_ARG},
	{"ttl-lt", O_LT, CTG_OPT_ARG},
};

static int ttl_parse(struct ctg_mctx *c, void *data, unsigned id, bool inv, const char *arg,
		     const char *arg2)
{
	struct ttl_data *d = data;
	uint64_t v;

	if (d->seen)
		return ctg_mctx_error(c, "conflicting-options", NULL,
				      "ttl: only one of --ttl-eq, --ttl-lt, --ttl-gt allowed");
	if (ctg_mu_uint(arg, UINT8_MAX, &v))
		return ctg_mctx_error(c, "bad-value", "a TTL 0-255", "ttl: invalid value \"%s\"",
				      arg);
	d->seen = true;
	d->value = v;
	d->mode = id == O_EQ ? (inv ? M_NE : M_EQ) : id == O_LT ? M_LT : M_GT;
	return 0;
}

static int ttl_final(struct ctg_mctx *c, void *data)
{
	const struct ttl_data *d = data;

	if (!d->seen)
		return ctg_mctx_error(c, "missing-option", "--ttl-eq, --ttl-lt or --ttl-gt",
				      "ttl: one of --ttl-eq, --ttl-lt, --ttl-gt is required");
	return 0;
}

static void ttl_emit(const void *data, enum ctg_family f, struct ctg_strbuf *sb)
{
	static const char *const op[] = {" --ttl-eq", " ! --ttl-eq", " --ttl-lt", " --ttl-gt"};
	const struct ttl_data *d = data;

	ctg_sb_printf(sb, "%s %u", op[d->mode], d->value);
}

static enum ctg_tri ttl_eval(const void *data, const struct ctg_pkt *p,
			     const struct ctg_eval_env *env)
{
	const struct ttl_data *d = data;
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

const struct ctg_match_ops ctg_match_ttl = {
	.name = "ttl",
	.family_mask = 1,
	.opts = opts,
	.nopts = sizeof(opts) / sizeof(opts[0]),
	.size = sizeof(struct ttl_data),
	.parse = ttl_parse,
	.final = ttl_final,
	.emit = ttl_emit,
	.eval = ttl_eval,
};
