// SPDX-License-Identifier: GPL-2.0-or-later
/* -j TRACE (raw table): packet tracing, non-terminal, no options. */
#include "../ruleset/ir.h"

static void trace_emit(const void *data, enum ctg_family f, struct ctg_strbuf *sb)
{
}

const struct ctg_target_ops ctg_target_TRACE = {
	.name = "TRACE",
	.family_mask = 3,
	.size = 1,
	.emit = trace_emit,
	.verdict = CTG_V_CONTINUE,
	.tables = 1u << CTG_TABLE_RAW,
};
