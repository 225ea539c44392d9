// SPDX-License-Identifier: GPL-2.0-or-later
/* -m udp: source and destination port ranges (libxt_udp.c, xt_tcpudp.c); see mports.c. */
#include <errno.h>

#include "../ruleset/ir.h"
#include "mports.h"
#include "mutil.h"

enum { O_DPORT, O_SPORT };

struct udp_data {
	struct ctg_mports pt;
	uint8_t invflags; /* CTG_MPORTS_* */
	unsigned seen;	  /* CTG_MPORTS_* */
};

static const struct ctg_opt opts[] = {
	{"destination-port", O_DPORT, CTG_OPT_ARG | CTG_OPT_INV},
	{"dport", O_DPORT, CTG_OPT_ARG | CTG_OPT_INV},
	{"source-port", O_SPORT, CTG_OPT_ARG | CTG_OPT_INV},
	{"sport", O_SPORT, CTG_OPT_ARG | CTG_OPT_INV},
};

static int udp_parse(struct ctg_mctx *c, void *data, unsigned id, bool inv, const char *arg,
		     const char *arg2)
{
	struct udp_data *d = data;

	return ctg_mports_parse(c, &d->pt, &d->seen, &d->invflags, id == O_SPORT, inv, arg, "udp");
}

static int udp_final(struct ctg_mctx *c, void *data)
{
	struct udp_data *d = data;

	ctg_mports_final(&d->pt, d->seen);
	if (!ctg_mu_proto_is(c, 17))
		return ctg_mctx_error(c, "match-needs-proto", "add -p udp",
				      "udp match: only valid for protocol 17");
	return 0;
}

static void udp_emit(const void *data, enum ctg_family f, struct ctg_strbuf *sb)
{
	const struct udp_data *d = data;

	ctg_mports_emit(sb, &d->pt, d->invflags);
}

static enum ctg_tri udp_eval(const void *data, const struct ctg_pkt *p,
			     const struct ctg_eval_env *env)
{
	const struct udp_data *d = data;

	if (p->fragment || p->l4proto != 17)
		return CTG_FALSE;
	return ctg_mports_match(&d->pt, d->invflags, p->sport, p->dport) ? CTG_TRUE : CTG_FALSE;
}

const struct ctg_match_ops ctg_match_udp = {
	.name = "udp",
	.family_mask = 3,
	.opts = opts,
	.nopts = sizeof(opts) / sizeof(opts[0]),
	.size = sizeof(struct udp_data),
	.parse = udp_parse,
	.final = udp_final,
	.emit = udp_emit,
	.eval = udp_eval,
};
