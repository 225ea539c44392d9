// SPDX-License-Identifier: GPL-2.0-or-later
/* -m pkttype: link-layer packet type (libxt_pkttype.c, xt_pkttype.c). */
#include <errno.h>

#include "../ruleset/ir.h"
#include "mutil.h"

/* PACKET_* from linux/if_packet.h */
enum { PKT_HOST = 0, PKT_BROADCAST = 1, PKT_MULTICAST = 2, PKT_OTHERHOST = 3 };

struct pkttype_data {
	uint8_t type;
	bool inv, seen;
};

static const struct ctg_opt opts[] = {
	{"pkt-type", 0, CTG_OPT_ARG | CTG_OPT_INV},
};

/* libxt_pkttype's supported_types, print names first, then aliases. */
static const struct ctg_mu_name types[] = {
	{"unicast", PKT_HOST},	      {"broadcast", PKT_BROADCAST}, {"multicast", PKT_MULTICAST},
	{"otherhost", PKT_OTHERHOST}, {"bcast", PKT_BROADCAST},	    {"mcast", PKT_MULTICAST},
	{"host", PKT_HOST},
};
#define NTYPES (sizeof(types) / sizeof(types[0]))

static int pkttype_parse(struct ctg_mctx *c, void *data, unsigned id, bool inv, const char *arg,
			 const char *arg2)
{
	struct pkttype_data *d = data;
	int64_t v;

	if (d->seen)
		return ctg_mctx_error(c, "duplicate-option", NULL,
				      "multiple --pkt-type flags not allowed");
	v = ctg_mu_lookup(arg, types, NTYPES, true);
	if (v < 0)
		return ctg_mctx_error(c, "bad-value", "unicast, broadcast or multicast",
				      "pkttype: bad packet type \"%s\"", arg);
	d->type = v;
	d->inv = inv;
	d->seen = true;
	return 0;
}

static int pkttype_final(struct ctg_mctx *c, void *data)
{
	const struct pkttype_data *d = data;

	if (!d->seen)
		return ctg_mctx_error(c, "missing-option", "--pkt-type",
				      "pkttype: --pkt-type is required");
	return 0;
}

static void pkttype_emit(const void *data, enum ctg_family f, struct ctg_strbuf *sb)
{
	const struct pkttype_data *d = data;

	ctg_mu_opt(sb, d->inv, "pkt-type");
	ctg_sb_printf(sb, " %s", types[d->type].name);
}

static bool is_multicast(const struct ctg_pkt *p)
{
	if (p->family == 10)
		return p->dst.b[0] == 0xff;
	return (p->dst.b[0] & 0xf0) == 0xe0;
}

/*
 * Only what the addresses decide: a received packet to a multicast group came as a
 * link-layer multicast, one to 255.255.255.255 as a broadcast. Locally generated packets
 * (OUTPUT, POSTROUTING) and everything else are unknown.
 */
static enum ctg_tri pkttype_eval(const void *data, const struct ctg_pkt *p,
				 const struct ctg_eval_env *env)
{
	const struct pkttype_data *d = data;
	int type = -1;

	if (p->hook == CTG_HOOK_OUTPUT || p->hook == CTG_HOOK_POSTROUTING)
		return CTG_UNKNOWN;
	if (is_multicast(p))
		type = PKT_MULTICAST;
	else if (p->family == 2 && p->dst.w[0] == 0xffffffffu)
		type = PKT_BROADCAST;
	if (type < 0)
		return CTG_UNKNOWN;
	return ((type == d->type) != d->inv) ? CTG_TRUE : CTG_FALSE;
}

const struct ctg_match_ops ctg_match_pkttype = {
	.name = "pkttype",
	.family_mask = 3,
	.opts = opts,
	.nopts = sizeof(opts) / sizeof(opts[0]),
	.size = sizeof(struct pkttype_data),
	.parse = pkttype_parse,
	.final = pkttype_final,
	.emit = pkttype_emit,
	.eval = pkttype_eval,
};
