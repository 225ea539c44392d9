// SPDX-License-Identifier: GPL-2.0-or-later
/* -m state --state LIST (libxt_conntrack.c state alias, xt_state.c). */
#include <errno.h>

#include "../ruleset/ir.h"
#include "mutil.h"

enum { O_STATE };

struct state_data {
	uint8_t mask; /* CTG_CTS_* */
	bool inv, seen;
};

static const struct ctg_opt opts[] = {
	{"state", O_STATE, CTG_OPT_ARG | CTG_OPT_INV},
};

static int state_parse(struct ctg_mctx *c, void *data, unsigned id, bool inv, const char *arg,
		       const char *arg2)
{
	struct state_data *d = data;
	const char *bad = NULL;

	if (d->seen)
		return ctg_mctx_error(c, "duplicate-option", "list all states in one --state",
				      "state: option \"--state\" can only be used once");
	d->seen = true;
	if (ctg_mu_ctstates(arg, false, &d->mask, &bad))
		return ctg_mctx_error(c, "bad-state",
				      "states are INVALID, NEW, ESTABLISHED, RELATED, UNTRACKED",
				      "bad state \"%s\"", bad);
	d->inv = inv;
	return 0;
}

static int state_final(struct ctg_mctx *c, void *data)
{
	const struct state_data *d = data;

	if (!d->seen)
		return ctg_mctx_error(c, "missing-option", "add --state LIST",
				      "state match: \"--state\" is required");
	return 0;
}

static void state_emit(const void *data, enum ctg_family f, struct ctg_strbuf *sb)
{
	const struct state_data *d = data;

	ctg_mu_opt(sb, d->inv, "state");
	ctg_sb_putc(sb, ' ');
	ctg_mu_ctstates_emit(sb, d->mask);
}

static enum ctg_tri state_eval(const void *data, const struct ctg_pkt *p,
			       const struct ctg_eval_env *env)
{
	const struct state_data *d = data;
	uint8_t bit = p->ctstate & (CTG_CTS_INVALID | CTG_CTS_NEW | CTG_CTS_ESTABLISHED |
				    CTG_CTS_RELATED | CTG_CTS_UNTRACKED);

	if (!bit)
		return CTG_UNKNOWN; /* the packet's ctstate was not computed */
	return ((d->mask & bit) != 0) != d->inv ? CTG_TRUE : CTG_FALSE;
}

const struct ctg_match_ops ctg_match_state = {
	.name = "state",
	.family_mask = 3,
	.opts = opts,
	.nopts = sizeof(opts) / sizeof(opts[0]),
	.size = sizeof(struct state_data),
	.parse = state_parse,
	.final = state_final,
	.emit = state_emit,
	.eval = state_eval,
	.needs_ct = true,
};
