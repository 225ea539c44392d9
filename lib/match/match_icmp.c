// SPDX-License-Identifier: GPL-2.0-or-later
/* -m icmp --icmp-type (libipt_icmp.c, libxt_icmp.h; ip_tables.c icmp_match). IPv4 only. */
#include "../ruleset/ir.h"
#include "micmp.h"

enum { O_TYPE };

static const struct ctg_opt opts[] = {
	{"icmp-type", O_TYPE, CTG_OPT_ARG | CTG_OPT_INV},
};

static const struct ctg_mu_icmp names[] = {
	{"any", 0xFF, 0, 0xFF},
	{"echo-reply", 0, 0, 0xFF},
	{"pong", 0, 0, 0xFF},
	{"destination-unreachable", 3, 0, 0xFF},
	{"network-unreachable", 3, 0, 0},
	{"host-unreachable", 3, 1, 1},
	{"protocol-unreachable", 3, 2, 2},
	{"port-unreachable", 3, 3, 3},
	{"fragmentation-needed", 3, 4, 4},
	{"source-route-failed", 3, 5, 5},
	{"network-unknown", 3, 6, 6},
	{"host-unknown", 3, 7, 7},
	{"network-prohibited", 3, 9, 9},
	{"host-prohibited", 3, 10, 10},
	{"TOS-network-unreachable", 3, 11, 11},
	{"TOS-host-unreachable", 3, 12, 12},
	{"communication-prohibited", 3, 13, 13},
	{"host-precedence-violation", 3, 14, 14},
	{"precedence-cutoff", 3, 15, 15},
	{"source-quench", 4, 0, 0xFF},
	{"redirect", 5, 0, 0xFF},
	{"network-redirect", 5, 0, 0},
	{"host-redirect", 5, 1, 1},
	{"TOS-network-redirect", 5, 2, 2},
	{"TOS-host-redirect", 5, 3, 3},
	{"echo-request", 8, 0, 0xFF},
	{"ping", 8, 0, 0xFF},
	{"router-advertisement", 9, 0, 0xFF},
	{"router-solicitation", 10, 0, 0xFF},
	{"time-exceeded", 11, 0, 0xFF},
	{"ttl-exceeded", 11, 0, 0xFF},
	{"ttl-zero-during-transit", 11, 0, 0},
	{"ttl-zero-during-reassembly", 11, 1, 1},
	{"parameter-problem", 12, 0, 0xFF},
	{"ip-header-bad", 12, 0, 0},
	{"required-option-missing", 12, 1, 1},
	{"timestamp-request", 13, 0, 0xFF},
	{"timestamp-reply", 14, 0, 0xFF},
	{"address-mask-request", 17, 0, 0xFF},
	{"address-mask-reply", 18, 0, 0xFF},
};

static const struct ctg_micmp_desc desc = {
	.mod = "icmp",
	.opt = "icmp-type",
	.what = "ICMP",
	.need_proto = "add -p icmp",
	.need_opt = "add --icmp-type TYPE",
	.proto = 1,
	.any = true,
	.names = names,
	.nnames = sizeof(names) / sizeof(names[0]),
};

static int icmp_parse(struct ctg_mctx *c, void *data, unsigned id, bool inv, const char *arg,
		      const char *arg2)
{
	return ctg_micmp_parse(c, &desc, data, inv, arg);
}

static int icmp_final(struct ctg_mctx *c, void *data)
{
	return ctg_micmp_final(c, &desc, data);
}

static void icmp_emit(const void *data, enum ctg_family f, struct ctg_strbuf *sb)
{
	ctg_micmp_emit(&desc, data, sb);
}

static enum ctg_tri icmp_eval(const void *data, const struct ctg_pkt *p,
			      const struct ctg_eval_env *env)
{
	return ctg_micmp_eval(&desc, data, p);
}

const struct ctg_match_ops ctg_match_icmp = {
	.name = "icmp",
	.family_mask = 1,
	.opts = opts,
	.nopts = sizeof(opts) / sizeof(opts[0]),
	.size = sizeof(struct ctg_micmp),
	.parse = icmp_parse,
	.final = icmp_final,
	.emit = icmp_emit,
	.eval = icmp_eval,
};
