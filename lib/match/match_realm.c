// SPDX-License-Identifier: GPL-2.0-or-later
/* -m realm: routing realm (libipt_realm.c, xt_realm.c). IPv4 only; eval is unknown. */
#include <errno.h>

#include "../ruleset/ir.h"
#include "mutil.h"

struct realm_data {
	uint32_t id, mask;
	bool inv, seen;
};

static const struct ctg_opt opts[] = {
	{"realm", 0, CTG_OPT_ARG | CTG_OPT_INV},
};

static int realm_parse(struct ctg_mctx *c, void *data, unsigned id, bool inv, const char *arg,
		       const char *arg2)
{
	struct realm_data *d = data;
	bool has_mask;

	if (d->seen)
		return ctg_mctx_error(c, "duplicate-option", NULL,
				      "multiple --realm flags not allowed");
	if (ctg_mu_value_mask(arg, &d->id, &d->mask, &has_mask))
		return ctg_mctx_error(c, "bad-value", "VALUE[/MASK] (realm names are not read)",
				      "realm: invalid realm \"%s\"", arg);
	d->inv = inv;
	d->seen = true;
	return 0;
}

static int realm_final(struct ctg_mctx *c, void *data)
{
	const struct realm_data *d = data;

	if (!d->seen)
		return ctg_mctx_error(c, "missing-option", "--realm VALUE[/MASK]",
				      "realm: --realm is required");
	return 0;
}

static void realm_emit(const void *data, enum ctg_family f, struct ctg_strbuf *sb)
{
	const struct realm_data *d = data;

	ctg_mu_opt(sb, d->inv, "realm");
	if (d->mask != 0xffffffffu)
		ctg_sb_printf(sb, " 0x%x/0x%x", d->id, d->mask);
	else
		ctg_sb_printf(sb, " 0x%x", d->id);
}

static enum ctg_tri realm_eval(const void *data, const struct ctg_pkt *p,
			       const struct ctg_eval_env *env)
{
	return CTG_UNKNOWN; /* the route's realm is not known */
}

const struct ctg_match_ops ctg_match_realm = {
	.name = "realm",
	.family_mask = 1,
	.opts = opts,
	.nopts = sizeof(opts) / sizeof(opts[0]),
	.size = sizeof(struct realm_data),
	.parse = realm_parse,
	.final = realm_final,
	.emit = realm_emit,
	.eval = realm_eval,
	.hooks = (1u << CTG_HOOK_POSTROUTING) | (1u << CTG_HOOK_FORWARD) | (1u << CTG_HOOK_OUTPUT) |
		 (1u << CTG_HOOK_INPUT),
};
