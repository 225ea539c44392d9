// SPDX-License-Identifier: GPL-2.0-or-later
/* -m ttl: IPv4 time to live (libipt_ttl.c, xt_hl.c); the comparison is in mcmp.c. */
#include "../ruleset/ir.h"
#include "mcmp.h"

static const struct ctg_mcmp_names names = {"ttl", "a TTL 0-255", "--ttl-eq, --ttl-lt or --ttl-gt"};

static const struct ctg_opt opts[] = {
	{"ttl-eq", CTG_MCMP_O_EQ, CTG_OPT_ARG | CTG_OPT_INV},
	{"ttl-gt", CTG_MCMP_O_GT, CTG_OPT_ARG},
	{"ttl-lt", CTG_MCMP_O_LT, CTG_OPT_ARG},
};

static int ttl_parse(struct ctg_mctx *c, void *data, unsigned id, bool inv, const char *arg,
		     const char *arg2)
{
	return ctg_mcmp_parse(c, &names, data, id, inv, arg);
}

static int ttl_final(struct ctg_mctx *c, void *data)
{
	return ctg_mcmp_final(c, &names, data);
}

static void ttl_emit(const void *data, enum ctg_family f, struct ctg_strbuf *sb)
{
	ctg_mcmp_emit(&names, data, sb);
}

static enum ctg_tri ttl_eval(const void *data, const struct ctg_pkt *p,
			     const struct ctg_eval_env *env)
{
	return ctg_mcmp_eval(data, p->ttl);
}

const struct ctg_match_ops ctg_match_ttl = {
	.name = "ttl",
	.family_mask = 1,
	.opts = opts,
	.nopts = sizeof(opts) / sizeof(opts[0]),
	.size = sizeof(struct ctg_mcmp),
	.parse = ttl_parse,
	.final = ttl_final,
	.emit = ttl_emit,
	.eval = ttl_eval,
};
