// SPDX-License-Identifier: GPL-2.0-or-later
/* -m comment --comment TEXT (libxt_comment.c): always matches. */
#include <errno.h>
#include <string.h>

#include "../ruleset/ir.h"
#include "mutil.h"

#define COMMENT_MAX 255 /* XT_MAX_COMMENT_LEN - 1 */

enum { O_COMMENT };

struct comment_data {
	const char *text; /* on the arena */
};

static const struct ctg_opt opts[] = {
	{"comment", O_COMMENT, CTG_OPT_ARG},
};

static int comment_parse(struct ctg_mctx *c, void *data, unsigned id, bool inv, const char *arg,
			 const char *arg2)
{
	struct comment_data *d = data;

	if (d->text)
		return ctg_mctx_error(c, "duplicate-option", NULL,
				      "comment: option \"--comment\" can only be used once");
	if (!arg)
		return ctg_mctx_error(c, "missing-argument", NULL, "--comment requires a text");
	if (strlen(arg) > COMMENT_MAX)
		return ctg_mctx_error(c, "bad-value", "shorten it to 255 characters",
				      "comment is %zu characters, at most %d allowed", strlen(arg),
				      COMMENT_MAX);
	d->text = ctg_arena_strdup(c->arena, arg);
	return d->text ? 0 : -ENOMEM;
}

static int comment_final(struct ctg_mctx *c, void *data)
{
	const struct comment_data *d = data;

	if (!d->text)
		return ctg_mctx_error(c, "missing-option", "add --comment TEXT",
				      "comment match: \"--comment\" is required");
	return 0;
}

static void comment_emit(const void *data, enum ctg_family f, struct ctg_strbuf *sb)
{
	const struct comment_data *d = data;

	ctg_sb_puts(sb, " --comment");
	ctg_mu_quoted(sb, d->text ? d->text : "");
}

static enum ctg_tri comment_eval(const void *data, const struct ctg_pkt *p,
				 const struct ctg_eval_env *env)
{
	return CTG_TRUE;
}

const struct ctg_match_ops ctg_match_comment = {
	.name = "comment",
	.family_mask = 3,
	.opts = opts,
	.nopts = sizeof(opts) / sizeof(opts[0]),
	.size = sizeof(struct comment_data),
	.parse = comment_parse,
	.final = comment_final,
	.emit = comment_emit,
	.eval = comment_eval,
};
