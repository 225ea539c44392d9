// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * -j MASQUERADE [--to-ports p[-q]] [--random] [--random-fully]: SNAT to the outgoing
 * interface's address (libxt_MASQUERADE). REDIRECT shares the parser and printer.
 */
#include <errno.h>

#include "../ruleset/ir.h"
#include "tutil.h"

enum { O_RANDOM, O_RANDOM_FULLY, O_TO_PORTS };
enum { F_RANDOM = 1, F_RANDOM_FULLY = 2, F_PORTS = 4 };

struct masq_data {
	uint16_t lo, hi;
	uint8_t flags;
};

static const struct ctg_opt masq_opts[] = {
	{"random", O_RANDOM, 0},
	{"random-fully", O_RANDOM_FULLY, 0},
	{"to-ports", O_TO_PORTS, CTG_OPT_ARG},
};

int ctg_masq_parse(struct ctg_mctx *c, void *data, unsigned id, bool inv, const char *arg,
		   const char *arg2);
void ctg_masq_emit(const void *data, enum ctg_family f, struct ctg_strbuf *sb);

int ctg_masq_parse(struct ctg_mctx *c, void *data, unsigned id, bool inv, const char *arg,
		   const char *arg2)
{
	struct masq_data *d = data;

	switch (id) {
	case O_TO_PORTS:
		if (!ctg_tu_proto_has_ports(c))
			return ctg_mctx_error(
				c, "bad-argument", "add -p tcp or -p udp",
				"need TCP, UDP, SCTP or DCCP with port specification");
		if (ctg_tu_port_range(c, "to-ports", arg, true, &d->lo, &d->hi))
			return -EINVAL;
		d->flags |= F_PORTS;
		return 0;
	case O_RANDOM:
		d->flags |= F_RANDOM;
		return 0;
	default:
		d->flags |= F_RANDOM_FULLY;
		return 0;
	}
}

void ctg_masq_emit(const void *data, enum ctg_family f, struct ctg_strbuf *sb)
{
	const struct masq_data *d = data;

	if (d->flags & F_PORTS) {
		ctg_sb_printf(sb, " --to-ports %u", d->lo);
		if (d->hi != d->lo)
			ctg_sb_printf(sb, "-%u", d->hi);
	}
	if (d->flags & F_RANDOM)
		ctg_sb_puts(sb, " --random");
	if (d->flags & F_RANDOM_FULLY)
		ctg_sb_puts(sb, " --random-fully");
}

const struct ctg_target_ops ctg_target_MASQUERADE = {
	.name = "MASQUERADE",
	.family_mask = 3,
	.opts = masq_opts,
	.nopts = sizeof(masq_opts) / sizeof(masq_opts[0]),
	.size = sizeof(struct masq_data),
	.parse = ctg_masq_parse,
	.emit = ctg_masq_emit,
	.verdict = CTG_V_ACCEPT,
	.tables = 1u << CTG_TABLE_NAT,
	.hooks = 1u << CTG_HOOK_POSTROUTING,
	.needs_ct = true,
};
