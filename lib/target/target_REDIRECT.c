// SPDX-License-Identifier: GPL-2.0-or-later
/* -j REDIRECT [--to-ports p[-q]] [--random]: DNAT to the local host (libxt_REDIRECT). */
#include <stdbool.h>

#include "../ruleset/ir.h"

/* target_MASQUERADE.c; same option ids and data */
int ctg_masq_parse(struct ctg_mctx *c, void *data, unsigned id, bool inv, const char *arg,
		   const char *arg2);
void ctg_masq_emit(const void *data, enum ctg_family f, struct ctg_strbuf *sb);

enum { O_RANDOM, O_RANDOM_FULLY, O_TO_PORTS };

struct masq_data {
	uint16_t lo, hi;
	uint8_t flags;
};

static const struct ctg_opt redir_opts[] = {
	{"random", O_RANDOM, 0},
	{"to-ports", O_TO_PORTS, CTG_OPT_ARG},
};

const struct ctg_target_ops ctg_target_REDIRECT = {
	.name = "REDIRECT",
	.family_mask = 3,
	.opts = redir_opts,
	.nopts = sizeof(redir_opts) / sizeof(redir_opts[0]),
	.size = sizeof(struct masq_data),
	.parse = ctg_masq_parse,
	.emit = ctg_masq_emit,
	.verdict = CTG_V_ACCEPT,
	.tables = 1u << CTG_TABLE_NAT,
	.hooks = (1u << CTG_HOOK_PREROUTING) | (1u << CTG_HOOK_OUTPUT),
	.needs_ct = true,
};
