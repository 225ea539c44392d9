// SPDX-License-Identifier: GPL-2.0-or-later
/* -m udp: source and destination port ranges (libxt_udp.c, xt_tcpudp.c). */
#include <errno.h>

#include "../ruleset/ir.h"
#include "mutil.h"

enum { O_DPORT, O_SPORT };
enum { INV_SPT = 1, INV_DPT = 2 };
enum { SEEN_SPT = 1, SEEN_DPT = 2 };

struct udp_data {
	uint16_t spts[2], dpts[2];
	uint8_t invflags;
	unsigned seen;
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
	bool src = id == O_SPORT;
	const char *name = src ? "sport" : "dport";

	if (ctg_mu_once(c, &d->seen, src ? SEEN_SPT : SEEN_DPT, name) ||
	    ctg_mu_ports_arg(c, name, arg, "udp", src ? d->spts : d->dpts))
		return -EINVAL;
	if (inv)
		d->invflags |= src ? INV_SPT : INV_DPT;
	return 0;
}

static int udp_final(struct ctg_mctx *c, void *data)
{
	struct udp_data *d = data;

	if (!(d->seen & SEEN_SPT))
		d->spts[1] = UINT16_MAX;
	if (!(d->seen & SEEN_DPT))
		d->dpts[1] = UINT16_MAX;
	if (!ctg_mu_proto_is(c, 17))
		return ctg_mctx_error(c, "match-needs-proto", "add -p udp",
				      "udp match: only valid for protocol 17");
	return 0;
}

static void emit_ports(struct ctg_strbuf *sb, const char *name, const uint16_t r[2], bool inv)
{
	if (r[0] == 0 && r[1] == UINT16_MAX && !inv)
		return;
	ctg_mu_opt(sb, inv, name);
	ctg_sb_putc(sb, ' ');
	ctg_mu_range(sb, r[0], r[1], ':');
}

static void udp_emit(const void *data, enum ctg_family f, struct ctg_strbuf *sb)
{
	const struct udp_data *d = data;

	emit_ports(sb, "sport", d->spts, d->invflags & INV_SPT);
	emit_ports(sb, "dport", d->dpts, d->invflags & INV_DPT);
}

static bool in_range(uint16_t v, const uint16_t r[2], bool inv)
{
	return (v >= r[0] && v <= r[1]) != inv;
}

static enum ctg_tri udp_eval(const void *data, const struct ctg_pkt *p,
			     const struct ctg_eval_env *env)
{
	const struct udp_data *d = data;

	if (p->fragment || p->l4proto != 17)
		return CTG_FALSE;
	return in_range(p->sport, d->spts, d->invflags & INV_SPT) &&
			       in_range(p->dport, d->dpts, d->invflags & INV_DPT)
		       ? CTG_TRUE
		       : CTG_FALSE;
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
