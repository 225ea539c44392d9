// SPDX-License-Identifier: GPL-2.0-or-later
/* -m ecn: ECN bits of IP and TCP headers (libxt_ecn.c, xt_ecn.c). */
#include <errno.h>

#include "../ruleset/ir.h"
#include "mutil.h"

/* XT_ECN_OP_MATCH_*; option ids are the same bits */
enum { OP_IP = 1, OP_ECE = 0x10, OP_CWR = 0x20 };

struct ecn_data {
	uint8_t operation, invert;
	uint8_t ip_ect;
};

static const struct ctg_opt opts[] = {
	{"ecn-ip-ect", OP_IP, CTG_OPT_ARG | CTG_OPT_INV},
	{"ecn-tcp-cwr", OP_CWR, CTG_OPT_INV},
	{"ecn-tcp-ece", OP_ECE, CTG_OPT_INV},
};

static int ecn_parse(struct ctg_mctx *c, void *data, unsigned id, bool inv, const char *arg,
		     const char *arg2)
{
	struct ecn_data *d = data;
	uint64_t v;

	if (d->operation & id)
		return ctg_mctx_error(c, "duplicate-option", NULL, "ecn: option given twice");
	if (id == OP_IP) {
		if (ctg_mu_uint(arg, 3, &v))
			return ctg_mctx_error(c, "bad-value", "0-3",
					      "ecn: invalid ECT codepoint \"%s\"", arg);
		d->ip_ect = v;
	}
	d->operation |= id;
	if (inv)
		d->invert |= id;
	return 0;
}

static int ecn_final(struct ctg_mctx *c, void *data)
{
	const struct ecn_data *d = data;

	if (!d->operation)
		return ctg_mctx_error(c, "missing-option",
				      "--ecn-tcp-cwr, --ecn-tcp-ece or --ecn-ip-ect",
				      "ecn: you must specify at least one option");
	if ((d->operation & (OP_ECE | OP_CWR)) && !ctg_mu_proto_is(c, 6))
		return ctg_mctx_error(c, "match-needs-proto", "add -p tcp",
				      "ecn: --ecn-tcp-* need -p tcp");
	return 0;
}

static void ecn_emit(const void *data, enum ctg_family f, struct ctg_strbuf *sb)
{
	const struct ecn_data *d = data;

	if (d->operation & OP_ECE)
		ctg_mu_opt(sb, d->invert & OP_ECE, "ecn-tcp-ece");
	if (d->operation & OP_CWR)
		ctg_mu_opt(sb, d->invert & OP_CWR, "ecn-tcp-cwr");
	if (d->operation & OP_IP) {
		ctg_mu_opt(sb, d->invert & OP_IP, "ecn-ip-ect");
		ctg_sb_printf(sb, " %u", d->ip_ect);
	}
}

static enum ctg_tri ecn_eval(const void *data, const struct ctg_pkt *p,
			     const struct ctg_eval_env *env)
{
	const struct ecn_data *d = data;

	if ((d->operation & OP_IP) && ((p->tos & 3) == d->ip_ect) == !!(d->invert & OP_IP))
		return CTG_FALSE;
	if (d->operation & (OP_ECE | OP_CWR)) {
		if (p->l4proto != 6 || p->fragment)
			return CTG_FALSE;
		if ((d->operation & OP_ECE) &&
		    !!(p->tcp_flags & CTG_TH_ECE) == !!(d->invert & OP_ECE))
			return CTG_FALSE;
		if ((d->operation & OP_CWR) &&
		    !!(p->tcp_flags & CTG_TH_CWR) == !!(d->invert & OP_CWR))
			return CTG_FALSE;
	}
	return CTG_TRUE;
}

const struct ctg_match_ops ctg_match_ecn = {
	.name = "ecn",
	.family_mask = 3,
	.opts = opts,
	.nopts = sizeof(opts) / sizeof(opts[0]),
	.size = sizeof(struct ecn_data),
	.parse = ecn_parse,
	.final = ecn_final,
	.emit = ecn_emit,
	.eval = ecn_eval,
};
