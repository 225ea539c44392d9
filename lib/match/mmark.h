/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * --mark VALUE[/MASK] as -m mark (packet mark) and -m connmark (conntrack mark) share it
 * (libxt_mark.c, libxt_connmark.c): given once, required, printed 0x%x[/0x%x].
 */
#ifndef CTG_MMARK_H
#define CTG_MMARK_H

#include <stdbool.h>
#include <stdint.h>

#include "../ruleset/ir.h"

/* Module data (ops.size = sizeof(struct ctg_mmark)). */
struct ctg_mmark {
	uint32_t mark, mask;
	bool inv, seen;
};

/* mod ("mark", "connmark") names the module in the messages. */
int ctg_mmark_parse(struct ctg_mctx *c, const char *mod, struct ctg_mmark *d, bool inv,
		    const char *arg);
int ctg_mmark_final(struct ctg_mctx *c, const char *mod, const struct ctg_mmark *d);
void ctg_mmark_emit(const struct ctg_mmark *d, struct ctg_strbuf *sb);
/* (v & mask) == mark, inverted by "!". */
enum ctg_tri ctg_mmark_eval(const struct ctg_mmark *d, uint32_t v);

#endif
