// SPDX-License-Identifier: GPL-2.0-or-later
/* -m mark --mark VALUE[/MASK] (libxt_mark.c, xt_mark.c mark_mt); the option is in mmark.c. */
#include "../ruleset/ir.h"
#include "mmark.h"

enum { O_MARK };

static const struct ctg_opt opts[] = {
	{"mark", O_MARK, CTG_OPT_ARG | CTG_OPT_INV},
};

static int mark_parse(struct ctg_mctx *c, void *data, unsigned id, bool inv, const char *arg,
		      const char *arg2)
{
	return ctg_mmark_parse(c, "mark", data, inv, arg);
}

static int mark_final(struct ctg_mctx *c, void *data)
{
	return ctg_mmark_final(c, "mark", data);
}

static void mark_emit(const void *data, enum ctg_family f, struct ctg_strbuf *sb)
{
	ctg_mmark_emit(data, sb);
}

static enum ctg_tri mark_eval(const void *data, const struct ctg_pkt *p,
			      const struct ctg_eval_env *env)
{
	if (!p->mark_known)
		return CTG_UNKNOWN;
	return ctg_mmark_eval(data, p->mark);
}

const struct ctg_match_ops ctg_match_mark = {
	.name = "mark",
	.family_mask = 3,
	.opts = opts,
	.nopts = sizeof(opts) / sizeof(opts[0]),
	.size = sizeof(struct ctg_mmark),
	.parse = mark_parse,
	.final = mark_final,
	.emit = mark_emit,
	.eval = mark_eval,
};
