// SPDX-License-Identifier: GPL-2.0-or-later
/* The candidate as iptables-restore leaves the kernel (candidate.h). */
#include "candidate.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../core/strbuf.h"
#include "../ruleset/ir.h"

unsigned ctg_candidate_tables(const struct ctg_ruleset *cand)
{
	unsigned n = 0;

	for (int t = 0; t < CTG_TABLE_MAX; t++)
		n += cand->tables[t].present;
	return n;
}

/* The "*name\n ... COMMIT\n" section of table name in emitted text; NULL when absent. */
static const char *section(const char *text, const char *name, size_t *len)
{
	size_t n = strlen(name);

	for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		const char *end;

		if (p[0] != '*' || strncmp(p + 1, name, n) || p[1 + n] != '\n')
			continue;
		end = strstr(p, "\nCOMMIT\n");
		if (!end)
			return NULL;
		*len = (size_t)(end + 8 - p);
		return p;
	}
	return NULL;
}

int ctg_candidate_complete(const struct ctg_ruleset *cand, const struct ctg_ruleset *cur,
			   struct ctg_ruleset **out, unsigned *kept)
{
	struct ctg_strbuf sb;
	struct ctg_diags *d;
	char *curtext;
	int ret = 0;

	*out = NULL;
	*kept = 0;
	for (int t = 0; t < CTG_TABLE_MAX; t++)
		if (cur && cur->tables[t].present && !cand->tables[t].present)
			*kept |= 1u << t;
	if (!*kept)
		return 0;
	curtext = ctg_ruleset_emit(cur, 0);
	d = ctg_diags_new();
	ctg_sb_init(&sb);
	if (!curtext || !d) {
		ret = -ENOMEM;
		goto out;
	}
	ctg_sb_putn(&sb, cand->text, cand->text_len);
	if (cand->text_len && cand->text[cand->text_len - 1] != '\n')
		ctg_sb_putc(&sb, '\n');
	ctg_sb_printf(&sb, "# tables not in %s: kept from the current ruleset\n",
		      cand->name ? cand->name : "the candidate");
	for (int t = 0; t < CTG_TABLE_MAX; t++) {
		const char *s;
		size_t len;

		if (!(*kept & (1u << t)))
			continue;
		s = section(curtext, ctg_table_name((enum ctg_table_id)t), &len);
		if (s)
			ctg_sb_putn(&sb, s, len);
	}
	if (sb.oom) {
		ret = -ENOMEM;
		goto out;
	}
	*out = ctg_ruleset_parse(sb.buf, sb.len, cand->name, cand->family, d);
	if (!*out)
		ret = -errno;
	else if (ctg_diags_errors(d)) { /* cannot happen: both parts parsed cleanly */
		ctg_ruleset_free(*out);
		*out = NULL;
		ret = -EINVAL;
	}
out:
	ctg_sb_release(&sb);
	ctg_diags_free(d);
	free(curtext);
	return ret;
}
