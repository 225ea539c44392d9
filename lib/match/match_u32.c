// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * -m u32: tests on packet words (libxt_u32.c, xt_u32.c). The expression is parsed into
 * its tests so it prints in iptables-save's canonical hex form; eval is unknown (the
 * packet model has no payload).
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../ruleset/ir.h"
#include "mutil.h"

#define U32_MAX_N 10 /* XT_U32_MAXSIZE: tests, numbers per location, values */

enum { OP_AND, OP_LSH, OP_RSH, OP_AT };

struct u32_test {
	uint32_t num[U32_MAX_N];
	uint8_t op[U32_MAX_N]; /* op[i] joins num[i-1] and num[i] */
	uint32_t lo[U32_MAX_N], hi[U32_MAX_N];
	uint8_t nnums, nvalues;
};

struct u32_data {
	struct u32_test *tests; /* on the arena */
	uint8_t ntests;
	bool inv, seen;
};

static const struct ctg_opt opts[] = {
	{"u32", 0, CTG_OPT_ARG | CTG_OPT_INV},
};

static const char *skip_ws(const char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	return s;
}

static int parse_num(const char **s, uint32_t *out)
{
	unsigned long long v;
	char *end;

	*s = skip_ws(*s);
	if (!isdigit((unsigned char)**s))
		return -EINVAL;
	errno = 0;
	v = strtoull(*s, &end, 0);
	if (errno || v > UINT32_MAX)
		return -EINVAL;
	*out = v;
	*s = skip_ws(end);
	return 0;
}

static int parse_op(const char **s, uint8_t *op)
{
	static const char *const ops[] = {"&", "<<", ">>", "@"};

	for (unsigned i = 0; i < 4; i++)
		if (!strncmp(*s, ops[i], strlen(ops[i])) && strncmp(*s, "&&", 2)) {
			*op = i;
			*s += strlen(ops[i]);
			return 0;
		}
	return -EINVAL;
}

/* location "=" values, where location is N (op N)* and values are N[:M] (, N[:M])*. */
static int parse_test(const char **s, struct u32_test *t)
{
	if (parse_num(s, &t->num[0]))
		return -EINVAL;
	for (t->nnums = 1; **s != '='; t->nnums++) {
		if (t->nnums == U32_MAX_N || parse_op(s, &t->op[t->nnums]) ||
		    parse_num(s, &t->num[t->nnums]))
			return -EINVAL;
	}
	(*s)++;
	for (t->nvalues = 0;; (*s)++) {
		if (t->nvalues == U32_MAX_N || parse_num(s, &t->lo[t->nvalues]))
			return -EINVAL;
		t->hi[t->nvalues] = t->lo[t->nvalues];
		if (**s == ':' && ((*s)++, parse_num(s, &t->hi[t->nvalues])))
			return -EINVAL;
		t->nvalues++;
		if (**s != ',')
			return 0;
	}
}

static int u32_parse(struct ctg_mctx *c, void *data, unsigned id, bool inv, const char *arg,
		     const char *arg2)
{
	struct u32_data *d = data;
	const char *s = arg;

	if (d->seen)
		return ctg_mctx_error(c, "duplicate-option", NULL,
				      "multiple --u32 flags not allowed");
	d->tests = ctg_arena_zalloc(c->arena, sizeof(*d->tests) * U32_MAX_N);
	if (!d->tests)
		return -ENOMEM;
	for (;;) {
		if (d->ntests == U32_MAX_N || parse_test(&s, &d->tests[d->ntests]))
			return ctg_mctx_error(c, "bad-value", "e.g. \"6&0xFF=1\"",
					      "u32: bad expression near \"%s\"", s);
		d->ntests++;
		s = skip_ws(s);
		if (!*s)
			break;
		if (strncmp(s, "&&", 2))
			return ctg_mctx_error(c, "bad-value", NULL,
					      "u32: expected \"&&\" near \"%s\"", s);
		s += 2;
	}
	d->inv = inv;
	d->seen = true;
	return 0;
}

static int u32_final(struct ctg_mctx *c, void *data)
{
	const struct u32_data *d = data;

	if (!d->seen)
		return ctg_mctx_error(c, "missing-option", "--u32 TESTS", "u32: --u32 is required");
	return 0;
}

static void u32_emit(const void *data, enum ctg_family f, struct ctg_strbuf *sb)
{
	static const char *const ops[] = {"&", "<<", ">>", "@"};
	const struct u32_data *d = data;

	ctg_sb_puts(sb, d->inv ? " ! --u32 \"" : " --u32 \"");
	for (unsigned i = 0; i < d->ntests; i++) {
		const struct u32_test *t = &d->tests[i];

		ctg_sb_printf(sb, "%s0x%x", i ? "&&" : "", t->num[0]);
		for (unsigned j = 1; j < t->nnums; j++)
			ctg_sb_printf(sb, "%s0x%x", ops[t->op[j]], t->num[j]);
		ctg_sb_putc(sb, '=');
		for (unsigned j = 0; j < t->nvalues; j++) {
			ctg_sb_printf(sb, "%s0x%x", j ? "," : "", t->lo[j]);
			if (t->hi[j] != t->lo[j])
				ctg_sb_printf(sb, ":0x%x", t->hi[j]);
		}
	}
	ctg_sb_putc(sb, '"');
}

static enum ctg_tri u32_eval(const void *data, const struct ctg_pkt *p,
			     const struct ctg_eval_env *env)
{
	return CTG_UNKNOWN;
}

const struct ctg_match_ops ctg_match_u32 = {
	.name = "u32",
	.family_mask = 3,
	.opts = opts,
	.nopts = sizeof(opts) / sizeof(opts[0]),
	.size = sizeof(struct u32_data),
	.parse = u32_parse,
	.final = u32_final,
	.emit = u32_emit,
	.eval = u32_eval,
};
