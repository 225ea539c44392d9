// SPDX-License-Identifier: GPL-2.0-or-later
/* -m dscp: DiffServ code point (libxt_dscp.c, dscp_helper.c, xt_dscp.c). */
#include <errno.h>

#include "../ruleset/ir.h"
#include "mutil.h"

enum { O_DSCP, O_CLASS };

struct dscp_data {
	uint8_t dscp;
	bool inv, seen;
};

static const struct ctg_opt opts[] = {
	{"dscp", O_DSCP, CTG_OPT_ARG | CTG_OPT_INV},
	{"dscp-class", O_CLASS, CTG_OPT_ARG | CTG_OPT_INV},
};

static const struct ctg_mu_name classes[] = {
	{"CS0", 0x00},	{"CS1", 0x08},	{"CS2", 0x10},	{"CS3", 0x18},	{"CS4", 0x20},
	{"CS5", 0x28},	{"CS6", 0x30},	{"CS7", 0x38},	{"BE", 0x00},	{"AF11", 0x0a},
	{"AF12", 0x0c}, {"AF13", 0x0e}, {"AF21", 0x12}, {"AF22", 0x14}, {"AF23", 0x16},
	{"AF31", 0x1a}, {"AF32", 0x1c}, {"AF33", 0x1e}, {"AF41", 0x22}, {"AF42", 0x24},
	{"AF43", 0x26}, {"EF", 0x2e},
};

static int dscp_parse(struct ctg_mctx *c, void *data, unsigned id, bool inv, const char *arg,
		      const char *arg2)
{
	struct dscp_data *d = data;
	uint64_t v;
	int64_t n;

	if (d->seen)
		return ctg_mctx_error(c, "conflicting-options", NULL,
				      "dscp: only one --dscp or --dscp-class allowed");
	if (id == O_DSCP) {
		if (ctg_mu_uint(arg, 0x3f, &v))
			return ctg_mctx_error(c, "bad-value", "a DSCP value 0-0x3f",
					      "dscp: invalid DSCP value \"%s\"", arg);
	} else {
		n = ctg_mu_lookup(arg, classes, sizeof(classes) / sizeof(classes[0]), true);
		if (n < 0)
			return ctg_mctx_error(c, "bad-value", "CS0-CS7, BE, AFxy or EF",
					      "dscp: invalid DSCP class \"%s\"", arg);
		v = n;
	}
	d->dscp = v;
	d->inv = inv;
	d->seen = true;
	return 0;
}

static int dscp_final(struct ctg_mctx *c, void *data)
{
	const struct dscp_data *d = data;

	if (!d->seen)
		return ctg_mctx_error(c, "missing-option", "--dscp or --dscp-class",
				      "dscp: --dscp or --dscp-class is required");
	return 0;
}

static void dscp_emit(const void *data, enum ctg_family f, struct ctg_strbuf *sb)
{
	const struct dscp_data *d = data;

	ctg_sb_printf(sb, "%s --dscp 0x%02x", d->inv ? " !" : "", d->dscp);
}

static enum ctg_tri dscp_eval(const void *data, const struct ctg_pkt *p,
			      const struct ctg_eval_env *env)
{
	const struct dscp_data *d = data;

	return (((p->tos >> 2) == d->dscp) != d->inv) ? CTG_TRUE : CTG_FALSE;
}

const struct ctg_match_ops ctg_match_dscp = {
	.name = "dscp",
	.family_mask = 3,
	.opts = opts,
	.nopts = sizeof(opts) / sizeof(opts[0]),
	.size = sizeof(struct dscp_data),
	.parse = dscp_parse,
	.final = dscp_final,
	.emit = dscp_emit,
	.eval = dscp_eval,
};
