// SPDX-License-Identifier: GPL-2.0-or-later
/* -j NOTRACK (raw table): the packet stays untracked; an alias of CT --notrack. */
#include "../ruleset/ir.h"

static void notrack_emit(const void *data, enum ctg_family f, struct ctg_strbuf *sb)
{
}

static enum ctg_verdict notrack_apply(const void *data, struct ctg_pkt *p)
{
	p->ctstate = CTG_CTS_UNTRACKED;
	p->ct = NULL;
	return CTG_V_CONTINUE;
}

const struct ctg_target_ops ctg_target_NOTRACK = {
	.name = "NOTRACK",
	.family_mask = 3,
	.size = 1,
	.emit = notrack_emit,
	.apply = notrack_apply,
	.verdict = CTG_V_CONTINUE,
	.tables = 1u << CTG_TABLE_RAW,
	.needs_ct = true,
	.notrack = true,
};
