// SPDX-License-Identifier: GPL-2.0-or-later
/* -m quota: byte quota (libxt_quota.c, xt_quota.c). Eval is unknown (stateful). */
#include <errno.h>

#include "../ruleset/ir.h"
#include "mutil.h"

struct quota_data {
	uint64_t quota;
	bool inv, seen;
};

static const struct ctg_opt opts[] = {
	{"quota", 0, CTG_OPT_ARG | CTG_OPT_INV},
};

static int quota_parse(struct ctg_mctx *c, void *data, unsigned id, bool inv, const char *arg,
		       const char *arg2)
{
	struct quota_data *d = data;

	if (d->seen)
		return ctg_mctx_error(c, "duplicate-option", NULL,
				      "multiple --quota flags not allowed");
	if (ctg_mu_uint(arg, UINT64_MAX, &d->quota))
		return ctg_mctx_error(c, "bad-value", "bytes 0-18446744073709551615",
				      "quota: invalid --quota \"%s\"", arg);
	d->inv = inv;
	d->seen = true;
	return 0;
}

static int quota_final(struct ctg_mctx *c, void *data)
{
	const struct quota_data *d = data;

	if (!d->seen)
		return ctg_mctx_error(c, "missing-option", "--quota BYTES",
				      "quota: --quota is required");
	return 0;
}

static void quota_emit(const void *data, enum ctg_family f, struct ctg_strbuf *sb)
{
	const struct quota_data *d = data;

	ctg_mu_opt(sb, d->inv, "quota");
	ctg_sb_printf(sb, " %llu", (unsigned long long)d->quota);
}

static enum ctg_tri quota_eval(const void *data, const struct ctg_pkt *p,
			       const struct ctg_eval_env *env)
{
	return CTG_UNKNOWN; /* depends on the bytes already counted */
}

const struct ctg_match_ops ctg_match_quota = {
	.name = "quota",
	.family_mask = 3,
	.opts = opts,
	.nopts = sizeof(opts) / sizeof(opts[0]),
	.size = sizeof(struct quota_data),
	.parse = quota_parse,
	.final = quota_final,
	.emit = quota_emit,
	.eval = quota_eval,
};
