// SPDX-License-Identifier: GPL-2.0-or-later
/* -j REDIRECT [--to-ports p[-q]] [--random]: DNAT to the local host (libxt_REDIRECT). */
#include <stdbool.h>

#include <string.h>

#include "../ruleset/ir.h"
#include "target_nat.h"

/* target_MASQUERADE.c; same option ids and data */
int ctg_masq_parse(struct ctg_mctx *c, void *data, unsigned id, bool inv, const char *arg,
		   const char *arg2);
void ctg_masq_emit(const void *data, enum ctg_family f, struct ctg_strbuf *sb);

enum { O_RANDOM, O_RANDOM_FULLY, O_TO_PORTS };
enum { F_RANDOM = 1, F_RANDOM_FULLY = 2, F_PORTS = 4 }; /* as target_MASQUERADE.c */

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

extern const struct ctg_target_ops ctg_target_DNAT, ctg_target_SNAT, ctg_target_MASQUERADE;

enum ctg_nat_kind ctg_target_nat_info(const struct ctg_target *t, struct ctg_nat_range *r,
				      bool *random)
{
	const struct nat_data *n = t->data;
	const struct masq_data *m = t->data;

	if (!t->ops || !t->data)
		return CTG_NATK_NONE;
	memset(r, 0, sizeof(*r));
	if (t->ops == &ctg_target_DNAT || t->ops == &ctg_target_SNAT) {
		if (n->have_range)
			*r = n->r;
		*random = n->flags & (NAT_F_RANDOM | NAT_F_RANDOM_FULLY);
		return t->ops == &ctg_target_DNAT ? CTG_NATK_DNAT : CTG_NATK_SNAT;
	}
	if (t->ops != &ctg_target_REDIRECT && t->ops != &ctg_target_MASQUERADE)
		return CTG_NATK_NONE;
	r->proto_specified = m->flags & F_PORTS;
	r->min_port = m->lo;
	r->max_port = m->hi;
	*random = m->flags & (F_RANDOM | F_RANDOM_FULLY);
	return t->ops == &ctg_target_REDIRECT ? CTG_NATK_REDIRECT : CTG_NATK_MASQUERADE;
}
