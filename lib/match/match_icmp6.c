// SPDX-License-Identifier: GPL-2.0-or-later
/* -m icmp6 --icmpv6-type (libip6t_icmp6.c, libxt_icmp.h; ip6_tables.c icmp6_match). IPv6 only. */
#include "../ruleset/ir.h"
#include "micmp.h"

enum { O_TYPE };

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

static const struct ctg_micmp_desc desc = {
	.mod = "icmp6",
	.opt = "icmpv6-type",
	.what = "ICMPv6",
	.need_proto = "add -p ipv6-icmp",
	.need_opt = "add --icmpv6-type TYPE",
	.proto = 58,
	.any = false,
	.names = names,
	.nnames = sizeof(names) / sizeof(names[0]),
};

static int icmp6_parse(struct ctg_mctx *c, void *data, unsigned id, bool inv, const char *arg,
		       const char *arg2)
{
	return ctg_micmp_parse(c, &desc, data, inv, arg);
}

static int icmp6_final(struct ctg_mctx *c, void *data)
{
	return ctg_micmp_final(c, &desc, data);
}

static void icmp6_emit(const void *data, enum ctg_family f, struct ctg_strbuf *sb)
{
	ctg_micmp_emit(&desc, data, sb);
}

static enum ctg_tri icmp6_eval(const void *data, const struct ctg_pkt *p,
			       const struct ctg_eval_env *env)
{
	return ctg_micmp_eval(&desc, data, p);
}

const struct ctg_match_ops ctg_match_icmp6 = {
	.name = "icmp6",
	.family_mask = 2,
	.opts = opts,
	.nopts = sizeof(opts) / sizeof(opts[0]),
	.size = sizeof(struct ctg_micmp),
	.parse = icmp6_parse,
	.final = icmp6_final,
	.emit = icmp6_emit,
	.eval = icmp6_eval,
};
