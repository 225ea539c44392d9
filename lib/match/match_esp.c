// SPDX-License-Identifier: GPL-2.0-or-later
/* -m esp: ESP SPI (libxt_esp.c, xt_esp.c). Eval is unknown beyond the protocol. */
#include <errno.h>

#include "../ruleset/ir.h"
#include "mrange.h"
#include "mutil.h"

struct esp_data {
	uint32_t spis[2];
	bool inv, seen;
};

static const struct ctg_opt opts[] = {
	{"espspi", 0, CTG_OPT_ARG | CTG_OPT_INV},
};

static int esp_parse(struct ctg_mctx *c, void *data, unsigned id, bool inv, const char *arg,
		     const char *arg2)
{
	struct esp_data *d = data;
	uint64_t r[2];
	bool two;

	if (d->seen)
		return ctg_mctx_error(c, "duplicate-option", NULL,
				      "multiple --espspi flags not allowed");
	if (ctg_mr_parse(arg, UINT32_MAX, r, &two))
		return ctg_mctx_error(c, "bad-value", "SPI or MIN:MAX",
				      "esp: invalid --espspi \"%s\"", arg);
	d->spis[0] = r[0];
	d->spis[1] = r[1];
	d->inv = inv;
	d->seen = true;
	return 0;
}

static int esp_final(struct ctg_mctx *c, void *data)
{
	struct esp_data *d = data;

	if (!d->seen)
		d->spis[1] = UINT32_MAX;
	if (!ctg_mu_proto_is(c, 50))
		return ctg_mctx_error(c, "match-needs-proto", "add -p esp",
				      "esp match: only valid for protocol 50");
	return 0;
}

static void esp_emit(const void *data, enum ctg_family f, struct ctg_strbuf *sb)
{
	const struct esp_data *d = data;

	if (d->spis[0] == 0 && d->spis[1] == UINT32_MAX && !d->inv)
		return;
	ctg_mu_opt(sb, d->inv, "espspi");
	ctg_sb_putc(sb, ' ');
	ctg_mu_range(sb, d->spis[0], d->spis[1], ':');
}

static enum ctg_tri esp_eval(const void *data, const struct ctg_pkt *p,
			     const struct ctg_eval_env *env)
{
	const struct esp_data *d = data;

	if (p->l4proto != 50 || p->fragment)
		return CTG_FALSE;
	if (d->spis[0] == 0 && d->spis[1] == UINT32_MAX)
		return d->inv ? CTG_FALSE : CTG_TRUE;
	return CTG_UNKNOWN;
}

const struct ctg_match_ops ctg_match_esp = {
	.name = "esp",
	.family_mask = 3,
	.opts = opts,
	.nopts = sizeof(opts) / sizeof(opts[0]),
	.size = sizeof(struct esp_data),
	.parse = esp_parse,
	.final = esp_final,
	.emit = esp_emit,
	.eval = esp_eval,
};
