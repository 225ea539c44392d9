// SPDX-License-Identifier: GPL-2.0-or-later
/* -m icmp6 --icmpv6-type (libip6t_icmp6.c, libxt_icmp.h; ip6_tables.c icmp6_match). IPv6 only. */
#include <errno.h>

#include "../ruleset/ir.h"
#include "mutil.h"

enum { O_TYPE };

struct icmp6_data {
	uint8_t type, code[2];
	bool inv, seen;
};

static const struct ctg_opt opts[] = {
	{"icmpv6-type", O_TYPE, CTG_OPT_ARG | CTG_OPT_INV},
};

static const struct ctg_mu_icmp names[] = {
	{"destination-unreachable", 1, 0, 0xFF},
	{"no-route", 1, 0, 0},
	{"communication-prohibited", 1, 1, 1},
	{"beyond-scope", 1, 2, 2},
	{"address-unreachable", 1, 3, 3},
	{"port-unreachable", 1, 4, 4},
	{"failed-policy", 1, 5, 5},
	{"reject-route", 1, 6, 6},
	{"packet-too-big", 2, 0, 0xFF},
	{"time-exceeded", 3, 0, 0xFF},
	{"ttl-exceeded", 3, 0, 0xFF},
	{"ttl-zero-during-transit", 3, 0, 0},
	{"ttl-zero-during-reassembly", 3, 1, 1},
	{"parameter-problem", 4, 0, 0xFF},
	{"bad-header", 4, 0, 0},
	{"unknown-header-type", 4, 1, 1},
	{"unknown-option", 4, 2, 2},
	{"echo-request", 128, 0, 0xFF},
	{"ping", 128, 0, 0xFF},
	{"echo-reply", 129, 0, 0xFF},
	{"pong", 129, 0, 0xFF},
	{"mld-listener-query", 130, 0, 0xFF},
	{"mld-listener-report", 131, 0, 0xFF},
	{"mld-listener-done", 132, 0, 0xFF},
	{"mld-listener-reduction", 132, 0, 0xFF},
	{"router-solicitation", 133, 0, 0xFF},
	{"router-advertisement", 134, 0, 0xFF},
	{"neighbour-solicitation", 135, 0, 0xFF},
	{"neighbor-solicitation", 135, 0, 0xFF},
	{"neighbour-advertisement", 136, 0, 0xFF},
	{"neighbor-advertisement", 136, 0, 0xFF},
	{"redirect", 137, 0, 0xFF},
};

static int icmp6_parse(struct ctg_mctx *c, void *data, unsigned id, bool inv, const char *arg,
		       const char *arg2)
{
	struct icmp6_data *d = data;
	int rc;

	if (d->seen)
		return ctg_mctx_error(c, "duplicate-option", NULL,
				      "icmp6: option \"--icmpv6-type\" can only be used once");
	d->seen = true;
	d->inv = inv;
	rc = ctg_mu_icmp_type(arg, names, sizeof(names) / sizeof(names[0]), &d->type, d->code);
	if (rc == -EEXIST)
		return ctg_mctx_error(c, "bad-icmp-type", "spell the name out",
				      "ambiguous ICMPv6 type \"%s\"", arg);
	if (rc)
		return ctg_mctx_error(c, "bad-icmp-type", "a name, TYPE or TYPE/CODE (0-255)",
				      "unknown ICMPv6 type \"%s\"", arg);
	return 0;
}

static int icmp6_final(struct ctg_mctx *c, void *data)
{
	struct icmp6_data *d = data;

	if (!ctg_mu_proto_is(c, 58))
		return ctg_mctx_error(c, "match-needs-proto", "add -p ipv6-icmp",
				      "icmp6 match: only valid for protocol 58");
	if (!d->seen)
		return ctg_mctx_error(c, "missing-option", "add --icmpv6-type TYPE",
				      "icmp6 match: \"--icmpv6-type\" is required");
	return 0;
}

static void icmp6_emit(const void *data, enum ctg_family f, struct ctg_strbuf *sb)
{
	const struct icmp6_data *d = data;

	ctg_mu_opt(sb, d->inv, "icmpv6-type");
	ctg_sb_printf(sb, " %u", d->type);
	if (d->code[0] != 0 || d->code[1] != 0xFF)
		ctg_sb_printf(sb, "/%u", d->code[0]);
}

static enum ctg_tri icmp6_eval(const void *data, const struct ctg_pkt *p,
			       const struct ctg_eval_env *env)
{
	const struct icmp6_data *d = data;
	bool m;

	if (p->fragment || p->l4proto != 58)
		return CTG_FALSE;
	m = p->icmp_type == d->type && p->icmp_code >= d->code[0] && p->icmp_code <= d->code[1];
	return m != d->inv ? CTG_TRUE : CTG_FALSE;
}

const struct ctg_match_ops ctg_match_icmp6 = {
	.name = "icmp6",
	.family_mask = 2,
	.opts = opts,
	.nopts = sizeof(opts) / sizeof(opts[0]),
	.size = sizeof(struct icmp6_data),
	.parse = icmp6_parse,
	.final = icmp6_final,
	.emit = icmp6_emit,
	.eval = icmp6_eval,
};
