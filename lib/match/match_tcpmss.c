// SPDX-License-Identifier: GPL-2.0-or-later
/* -m tcpmss: TCP MSS option range (libxt_tcpmss.c, xt_tcpmss.c). Eval is unknown. */
#include <errno.h>

#include "../ruleset/ir.h"
#include "mrange.h"
#include "mutil.h"

struct tcpmss_data {
	uint16_t min, max;
	bool inv, seen;
};

static const struct ctg_opt opts[] = {
	{"mss", 0, CTG_OPT_ARG | CTG_OPT_INV},
};

static int tcpmss_parse(struct ctg_mctx *c, void *data, unsigned id, bool inv, const char *arg,
			const char *arg2)
{
	struct tcpmss_data *d = data;
	uint64_t r[2];
	bool two;

	if (d->seen)
		return ctg_mctx_error(c, "duplicate-option", NULL,
				      "multiple --mss flags not allowed");
	if (ctg_mr_parse(arg, UINT16_MAX, r, &two))
		return ctg_mctx_error(c, "bad-value", "MSS or MIN:MAX (0-65535)",
				      "tcpmss: invalid --mss \"%s\"", arg);
	d->min = r[0];
	d->max = r[1];
	d->inv = inv;
	d->seen = true;
	return 0;
}

static int tcpmss_final(struct ctg_mctx *c, void *data)
{
	const struct tcpmss_data *d = data;

	if (!d->seen)
		return ctg_mctx_error(c, "missing-option", "--mss VALUE[:VALUE]",
				      "tcpmss: --mss is required");
	if (!ctg_mu_proto_is(c, 6))
		return ctg_mctx_error(c, "match-needs-proto", "add -p tcp",
				      "tcpmss match: only valid for protocol 6");
	return 0;
}

static void tcpmss_emit(const void *data, enum ctg_family f, struct ctg_strbuf *sb)
{
	const struct tcpmss_data *d = data;

	ctg_mu_opt(sb, d->inv, "mss");
	ctg_sb_putc(sb, ' ');
	ctg_mu_range(sb, d->min, d->max, ':');
}

static enum ctg_tri tcpmss_eval(const void *data, const struct ctg_pkt *p,
				const struct ctg_eval_env *env)
{
	if (p->l4proto != 6 || p->fragment)
		return CTG_FALSE;
	return CTG_UNKNOWN; /* TCP options are not in the packet model */
}

const struct ctg_match_ops ctg_match_tcpmss = {
	.name = "tcpmss",
	.family_mask = 3,
	.opts = opts,
	.nopts = sizeof(opts) / sizeof(opts[0]),
	.size = sizeof(struct tcpmss_data),
	.parse = tcpmss_parse,
	.final = tcpmss_final,
	.emit = tcpmss_emit,
	.eval = tcpmss_eval,
};
