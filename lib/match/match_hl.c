// SPDX-License-Identifier: GPL-2.0-or-later
/* -m hl: IPv6 hop limit (libip6t_hl.c, xt_hl.c); the comparison is in mcmp.c. */
#include "../ruleset/ir.h"
#include "mcmp.h"

static const struct ctg_mcmp_names names = {"hl", "a hop limit 0-255",
					    "--hl-eq, --hl-lt or --hl-gt"};

static const struct ctg_opt opts[] = {
	{"hl-eq", CTG_MCMP_O_EQ, CTG_OPT_ARG | CTG_OPT_INV},
	{"hl-gt", CTG_MCMP_O_GT, CTG_OPT_ARG},
	{"hl-lt", CTG_MCMP_O_LT, CTG_OPT_ARG},
};

static int hl_parse(struct ctg_mctx *c, void *data, unsigned id, bool inv, const char *arg,
		    const char *arg2)
{
	return ctg_mcmp_parse(c, &names, data, id, inv, arg);
}

static int hl_final(struct ctg_mctx *c, void *data)
{
	return ctg_mcmp_final(c, &names, data);
}

static void hl_emit(const void *data, enum ctg_family f, struct ctg_strbuf *sb)
{
	ctg_mcmp_emit(&names, data, sb);
}

static enum ctg_tri hl_eval(const void *data, const struct ctg_pkt *p,
			    const struct ctg_eval_env *env)
{
	return ctg_mcmp_eval(data, p->ttl);
}

const struct ctg_match_ops ctg_match_hl = {
	.name = "hl",
	.family_mask = 2,
	.opts = opts,
	.nopts = sizeof(opts) / sizeof(opts[0]),
	.size = sizeof(struct ctg_mcmp),
	.parse = hl_parse,
	.final = hl_final,
	.emit = hl_emit,
	.eval = hl_eval,
};
