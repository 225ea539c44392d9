// SPDX-License-Identifier: GPL-2.0-or-later
/* -j CHECKSUM --checksum-fill (mangle table): fill in a missing checksum (libxt_CHECKSUM). */
#include "../ruleset/ir.h"

static const struct ctg_opt checksum_opts[] = {
	{"checksum-fill", 0, 0},
};

static int checksum_parse(struct ctg_mctx *c, void *data, unsigned id, bool inv, const char *arg,
			  const char *arg2)
{
	*(bool *)data = true;
	return 0;
}

static int checksum_final(struct ctg_mctx *c, void *data)
{
	if (!*(bool *)data)
		return ctg_mctx_error(c, "missing-option", NULL, "CHECKSUM needs --checksum-fill");
	return 0;
}

static void checksum_emit(const void *data, enum ctg_family f, struct ctg_strbuf *sb)
{
	ctg_sb_puts(sb, " --checksum-fill");
}

const struct ctg_target_ops ctg_target_CHECKSUM = {
	.name = "CHECKSUM",
	.family_mask = 3,
	.opts = checksum_opts,
	.nopts = 1,
	.size = sizeof(bool),
	.parse = checksum_parse,
	.final = checksum_final,
	.emit = checksum_emit,
	.verdict = CTG_V_CONTINUE,
	.tables = 1u << CTG_TABLE_MANGLE,
};
