/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Test helper for match modules: runs an option string ("! --dport 22 --syn") through a
 * module's parse/final/emit without the ruleset parser, the way the core dispatches options.
 */
#ifndef CTG_MTEST_H
#define CTG_MTEST_H

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ruleset/ir.h"

/*
 * Weak fallbacks so the tests link before lib/ruleset provides these; the library's
 * definitions win once they exist.
 */
/* The cases are current iptables's: strict parsing unless a test says otherwise. */
static bool mt_strict = true;

__attribute__((weak)) int ctg_mctx_error(struct ctg_mctx *c, const char *code, const char *hint,
					 const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	c->nerrors++;
	ctg_diags_add(c->diags, CTG_SEV_ERROR, code, &c->loc, NULL, hint, "%s", msg);
	return -EINVAL;
}

__attribute__((weak)) void ctg_mctx_warn(struct ctg_mctx *c, const char *code, const char *fmt, ...)
{
	(void)c;
	(void)code;
	(void)fmt;
}

struct mt {
	struct ctg_arena *arena;
	struct ctg_diags *diags;
	struct ctg_mctx c;
	void *data;
	const struct ctg_match_ops *ops;
};

static inline int mt_cmp_opt(const void *key, const void *elem)
{
	return strcmp(key, ((const struct ctg_opt *)elem)->name);
}

/* Splits s on blanks, honouring "double quotes" with \" and \\ escapes. */
static inline int mt_split(char *s, char **w, int max)
{
	int n = 0;

	while (*s && n < max) {
		char *o;

		while (*s == ' ')
			s++;
		if (!*s)
			break;
		w[n++] = o = s;
		bool q = false;
		for (; *s && (q || *s != ' '); s++) {
			if (*s == '"') {
				q = !q;
				continue;
			}
			if (q && *s == '\\' && s[1])
				s++;
			*o++ = *s;
		}
		if (*s)
			s++;
		*o = 0;
	}
	return n;
}

static inline bool mt_is_opt(const char *w)
{
	return w[0] == '-' && w[1] == '-';
}

static inline int mt_dispatch(struct mt *m, char **w, int n)
{
	for (int i = 0; i < n; i++) {
		bool inv = false;
		const struct ctg_opt *o;
		const char *a1 = NULL, *a2 = NULL;

		if (!strcmp(w[i], "!")) {
			inv = true;
			if (++i >= n)
				return -EINVAL;
		}
		if (!mt_is_opt(w[i]))
			return -EINVAL;
		o = bsearch(w[i] + 2, m->ops->opts, m->ops->nopts, sizeof(*o), mt_cmp_opt);
		if (!o || (inv && !(o->flags & CTG_OPT_INV)))
			return -EINVAL;
		if (o->flags & (CTG_OPT_ARG | CTG_OPT_ARG2)) {
			if (i + 1 >= n)
				return -EINVAL;
			a1 = w[++i];
		}
		if (o->flags & CTG_OPT_ARG2) {
			if (i + 1 >= n)
				return -EINVAL;
			a2 = w[++i];
		}
		if ((o->flags & CTG_OPT_OPTARG) && i + 1 < n && !mt_is_opt(w[i + 1]) &&
		    strcmp(w[i + 1], "!"))
			a1 = w[++i];
		if (m->ops->parse(&m->c, m->data, o->id, inv, a1, a2))
			return -EINVAL;
	}
	return m->ops->final ? m->ops->final(&m->c, m->data) : 0;
}

/*
 * Parses opts for ops (family 2/10, -p proto, chain); returns the emitted text (malloc'd,
 * without the leading space) or NULL when the module rejected it. *mp keeps the state for
 * eval; release with mt_free.
 */
static inline char *mt_run_in(struct mt *m, const struct ctg_match_ops *ops, int family,
			      uint8_t proto, const char *chain, const char *opts)
{
	char buf[2048], *w[64];
	struct ctg_strbuf sb;
	int n;

	memset(m, 0, sizeof(*m));
	m->ops = ops;
	m->arena = ctg_arena_new(4096);
	m->diags = ctg_diags_new();
	m->c.arena = m->arena;
	m->c.diags = m->diags;
	m->c.family = (enum ctg_family)family;
	m->c.table = CTG_TABLE_FILTER;
	m->c.chain = chain;
	m->c.proto = proto;
	m->c.strict = mt_strict;
	m->data = ctg_arena_zalloc(m->arena, ops->size ? ops->size : 1);
	snprintf(buf, sizeof(buf), "%s", opts);
	n = mt_split(buf, w, 64);
	if (mt_dispatch(m, w, n))
		return NULL;
	ctg_sb_init(&sb);
	ops->emit(m->data, (enum ctg_family)family, &sb);
	char *s = strdup(ctg_sb_str(&sb));
	ctg_sb_release(&sb);
	return s;
}

static inline void mt_free(struct mt *m)
{
	ctg_arena_free(m->arena);
	ctg_diags_free(m->diags);
}

/* One-shot: emitted text without the leading space, or NULL on rejection. */
static inline char *mt_emit(const struct ctg_match_ops *ops, int family, uint8_t proto,
			    const char *opts)
{
	struct mt m;
	char *s = mt_run_in(&m, ops, family, proto, "INPUT", opts);

	mt_free(&m);
	if (s && s[0] == ' ')
		memmove(s, s + 1, strlen(s));
	return s;
}

/* A conformance case: input options, expected output ("=" same, NULL = must fail). */
struct mt_case {
	int family;
	uint8_t proto;
	const char *in;
	const char *out;
};

static inline int mt_check_cases(const struct ctg_match_ops *ops, const struct mt_case *cs,
				 size_t n)
{
	int bad = 0;

	for (size_t i = 0; i < n; i++) {
		char *got = mt_emit(ops, cs[i].family ? cs[i].family : 2, cs[i].proto, cs[i].in);
		const char *want = cs[i].out && !strcmp(cs[i].out, "=") ? cs[i].in : cs[i].out;

		if ((!got && want) || (got && !want) || (got && strcmp(got, want))) {
			fprintf(stderr, "case %zu [%s]: want [%s] got [%s]\n", i, cs[i].in,
				want ? want : "FAIL", got ? got : "FAIL");
			bad++;
		}
		free(got);
	}
	return bad;
}

/* Cases of one family, any protocol: V4("--opt 1", "="). */
#define V4(in, out)                                                                                \
	{                                                                                          \
		2, 0, in, out                                                                      \
	}
#define V6(in, out)                                                                                \
	{                                                                                          \
		10, 0, in, out                                                                     \
	}

/*
 * Runs opts through ops in chain (they must be accepted), then the module's eval on p with
 * no environment. Needs cmocka.h before this header.
 */
static inline enum ctg_tri mt_eval(const struct ctg_match_ops *ops, int family, uint8_t proto,
				   const char *chain, const char *opts, const struct ctg_pkt *p)
{
	struct mt m;
	char *s = mt_run_in(&m, ops, family, proto, chain, opts);
	enum ctg_tri r;

	assert_non_null(s);
	free(s);
	r = ops->eval(m.data, p, NULL);
	mt_free(&m);
	return r;
}

#define MT_CASES(ops, arr)                                                                         \
	assert_int_equal(mt_check_cases(&(ops), arr, sizeof(arr) / sizeof(arr[0])), 0)

#endif
