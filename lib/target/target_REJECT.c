// SPDX-License-Identifier: GPL-2.0-or-later
/* -j REJECT: drop and answer with an ICMP error or a TCP RST (libipt_REJECT, libip6t_REJECT). */
#include <errno.h>
#include <string.h>
#include <strings.h>

#include "../ruleset/ir.h"

enum { O_REJECT_WITH };

struct reject_name {
	const char *name, *alias;
};

/* Index order = the kernel's enum ipt_reject_with / ip6t_reject_with. */
static const struct reject_name v4[] = {
	{"icmp-net-unreachable", "net-unreach"},
	{"icmp-host-unreachable", "host-unreach"},
	{"icmp-proto-unreachable", "proto-unreach"},
	{"icmp-port-unreachable", "port-unreach"},
	{"icmp-echo-reply", "echoreply"},
	{"icmp-net-prohibited", "net-prohib"},
	{"icmp-host-prohibited", "host-prohib"},
	{"tcp-reset", "tcp-rst"},
	{"icmp-admin-prohibited", "admin-prohib"},
};
static const struct reject_name v6[] = {
	{"icmp6-no-route", "no-route"},
	{"icmp6-adm-prohibited", "adm-prohibited"},
	{"icmp6-not-neighbour", "not-neighbour"},
	{"icmp6-addr-unreachable", "addr-unreach"},
	{"icmp6-port-unreachable", "port-unreach"},
	{"icmp6-echo-reply", "echoreply"},
	{"tcp-reset", "tcp-reset"},
	{"icmp6-policy-fail", "policy-fail"},
	{"icmp6-reject-route", "reject-route"},
};
enum { V4_PORT = 3, V4_ECHO = 4, V4_RST = 7, V6_NOTNB = 2, V6_PORT = 4, V6_ECHO = 5, V6_RST = 6 };

struct reject_data {
	int with; /* 1 + index in v4[] / v6[]; 0 = not given */
};

static const struct ctg_opt opts[] = {
	{"reject-with", O_REJECT_WITH, CTG_OPT_ARG},
};

static int reject_parse(struct ctg_mctx *c, void *data, unsigned id, bool inv, const char *arg,
			const char *arg2)
{
	struct reject_data *d = data;
	bool six = c->family == CTG_FAMILY_IPV6;
	const struct reject_name *t = six ? v6 : v4;
	size_t n = six ? sizeof(v6) / sizeof(v6[0]) : sizeof(v4) / sizeof(v4[0]);
	size_t len = strlen(arg);

	/* Like libipt_REJECT: case-insensitive prefix of a name or an alias, first wins. */
	for (size_t i = 0; len && i < n; i++) {
		if (strncasecmp(t[i].name, arg, len) && strncasecmp(t[i].alias, arg, len))
			continue;
		if ((!six && (int)i == V4_ECHO) ||
		    (six && ((int)i == V6_ECHO || (int)i == V6_NOTNB)))
			return ctg_mctx_error(c, "bad-argument", NULL,
					      "--reject-with %s is no longer supported", arg);
		d->with = (int)i + 1;
		return 0;
	}
	return ctg_mctx_error(
		c, "bad-argument",
		six ? "valid: icmp6-port-unreachable, icmp6-adm-prohibited, tcp-reset, ..."
		    : "valid: icmp-port-unreachable, icmp-host-prohibited, tcp-reset, ...",
		"unknown reject type \"%s\"", arg);
}

static int reject_final(struct ctg_mctx *c, void *data)
{
	struct reject_data *d = data;
	bool six = c->family == CTG_FAMILY_IPV6;

	if (d->with == 0)
		d->with = (six ? V6_PORT : V4_PORT) + 1;
	if (d->with - 1 == (six ? V6_RST : V4_RST) && (c->proto != 6 || c->proto_inv))
		return ctg_mctx_error(c, "bad-target", "add -p tcp",
				      "REJECT --reject-with tcp-reset is only valid with -p tcp");
	return 0;
}

static void reject_emit(const void *data, enum ctg_family f, struct ctg_strbuf *sb)
{
	const struct reject_data *d = data;
	const struct reject_name *t = f == CTG_FAMILY_IPV6 ? v6 : v4;

	ctg_sb_printf(sb, " --reject-with %s", t[d->with - 1].name);
}

const struct ctg_target_ops ctg_target_REJECT = {
	.name = "REJECT",
	.family_mask = 3,
	.opts = opts,
	.nopts = sizeof(opts) / sizeof(opts[0]),
	.size = sizeof(struct reject_data),
	.parse = reject_parse,
	.final = reject_final,
	.emit = reject_emit,
	.verdict = CTG_V_REJECT,
	.hooks = (1u << CTG_HOOK_INPUT) | (1u << CTG_HOOK_FORWARD) | (1u << CTG_HOOK_OUTPUT),
};
