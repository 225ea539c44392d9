// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Matches and targets of one rule: "-m NAME", "-j/-g NAME" and the "--option" words,
 * dispatched to the most recently loaded module that knows them; implicit protocol
 * matches ("-p tcp --dport 22"); unknown modules and targets kept verbatim.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"

size_t ctg_ipopt_names(const char **out, size_t max);

static unsigned fam_bit(enum ctg_family f)
{
	return f == CTG_FAMILY_IPV6 ? 2 : 1;
}

static const char *fam_name(enum ctg_family f)
{
	return f == CTG_FAMILY_IPV6 ? "IPv6" : "IPv4";
}

/* Binary search of a module's options (sorted by name); the first byte decides most steps
 * without a call. */
static const struct ctg_opt *find_opt(const struct ctg_opt *v, size_t n, const char *name)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = (unsigned char)name[0] - (unsigned char)v[mid].name[0];

		if (!c)
			c = strcmp(name, v[mid].name);
		if (!c)
			return &v[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

static struct ctg_loc word_loc(struct rctx *rc, const struct ctg_word *a, const struct ctg_word *b)
{
	return ctg_parse_loc(rc->p, a->col, b->end_col);
}

static int push_match(struct rctx *rc)
{
	struct parser *p = rc->p;

	if (rc->nm == p->capm) {
		size_t ncap = p->capm ? p->capm * 2 : 16;
		struct ctg_match *nv = realloc(p->mv, ncap * sizeof(*nv));
		uint8_t(*ns)[32];

		if (!nv)
			return -1;
		p->mv = nv;
		ns = realloc(p->seen_opts, ncap * sizeof(*ns));
		if (!ns)
			return -1;
		p->seen_opts = ns;
		p->capm = ncap;
	}
	memset(&p->mv[rc->nm], 0, sizeof(p->mv[0]));
	memset(p->seen_opts[rc->nm], 0, sizeof(p->seen_opts[0]));
	return (int)rc->nm++;
}

static void warn_unknown_match(struct rctx *rc, const struct ctg_loc *loc, const char *name)
{
	size_t n;
	const char *const *names = ctg_match_names(&n);
	const char *s = ctg_misspell_suggest(name, names, n);
	char hint[96];

	if (s)
		snprintf(hint, sizeof(hint), "did you mean \"%s\"?", s);
	ctg_diags_add(rc->p->diags, CTG_SEV_WARNING, "unknown-match", loc,
		      ctg_parse_line_text(rc->p), s ? hint : NULL,
		      "unknown match \"%s\": kept verbatim", name);
	rc->r.has_unknown = true;
}

/* Adds a match; returns its index or -1 (error reported). */
static int add_match(struct rctx *rc, const struct ctg_match_ops *ops, const char *name,
		     struct ctg_loc loc)
{
	int k = push_match(rc);
	struct ctg_match *m;

	if (k < 0) {
		rc->err = rc->p->nomem = true;
		return -1;
	}
	m = &rc->p->mv[k];
	m->ops = ops;
	/* known modules use their static name: no interning on the hot path */
	m->name = ops ? ops->name : ctg_arena_intern(rc->p->arena, name, strlen(name));
	m->loc = loc;
	if (ops) {
		m->data = ctg_arena_zalloc(rc->p->arena, ops->size ? ops->size : 1);
		if (!m->data) {
			rc->err = rc->p->nomem = true;
			return -1;
		}
	} else {
		warn_unknown_match(rc, &loc, name);
		rc->unk = k;
		rc->raw_col = 0;
	}
	return k;
}

/* ctg_match_lookup() with a small cache of the modules last found (a module's own name
 * always finds that module). */
static const struct ctg_match_ops *lookup_match(struct parser *p, const char *name)
{
	const struct ctg_match_ops *ops;

	for (size_t i = 0; i < sizeof(p->mcache) / sizeof(p->mcache[0]); i++)
		if (p->mcache[i] && p->mcache[i]->name[0] == name[0] &&
		    !strcmp(p->mcache[i]->name, name))
			return p->mcache[i];
	ops = ctg_match_lookup(name);
	if (ops) {
		memmove(&p->mcache[1], &p->mcache[0], sizeof(p->mcache) - sizeof(p->mcache[0]));
		p->mcache[0] = ops;
	}
	return ops;
}

void ctg_rule_match(struct rctx *rc, const struct ctg_word *opt, const char *name)
{
	const struct ctg_match_ops *ops;
	const struct ctg_word *arg = &rc->w[rc->i - 1];

	if (!*name)
		return ctg_rule_error(rc, "bad-match", arg, NULL, "empty match name");
	ops = lookup_match(rc->p, name);
	if (ops && !(ops->family_mask & fam_bit(rc->p->rs->family)))
		return ctg_rule_error(rc, "bad-match", arg, NULL,
				      "match \"%s\" is not available for %s", name,
				      fam_name(rc->p->rs->family));
	add_match(rc, ops, name, word_loc(rc, opt, arg));
}

static const char *standard_verdict(const char *name, enum ctg_verdict *v)
{
	if (name[0] != 'A' && name[0] != 'D' && name[0] != 'R' && name[0] != 'Q')
		return NULL;
	static const struct {
		const char *n;
		enum ctg_verdict v;
	} std[] = {{"ACCEPT", CTG_V_ACCEPT},
		   {"DROP", CTG_V_DROP},
		   {"RETURN", CTG_V_RETURN},
		   {"QUEUE", CTG_V_QUEUE}};

	for (size_t i = 0; i < sizeof(std) / sizeof(std[0]); i++)
		if (!strcmp(name, std[i].n)) {
			*v = std[i].v;
			return std[i].n;
		}
	return NULL;
}

/* ctg_target_lookup() that remembers the extension last found. */
static const struct ctg_target_ops *lookup_target(struct parser *p, const char *name)
{
	const struct ctg_target_ops *ops;

	if (p->tcache && p->tcache->name[0] == name[0] && !strcmp(p->tcache->name, name))
		return p->tcache;
	ops = ctg_target_lookup(name);
	if (ops)
		p->tcache = ops;
	return ops;
}

void ctg_rule_jump(struct rctx *rc, const struct ctg_word *opt, const char *name, bool go)
{
	struct ctg_target *t = &rc->r.target;
	const struct ctg_word *arg = &rc->w[rc->i - 1];
	const struct ctg_target_ops *ops;
	enum ctg_verdict v;
	int idx;

	if (rc->target_set)
		return ctg_rule_error(rc, "duplicate-option", opt, NULL,
				      "multiple -j/-g flags not allowed");
	if (!*name)
		return ctg_rule_error(rc, "bad-target", arg, NULL, "empty target name");
	rc->target_set = true;
	t->loc = word_loc(rc, opt, arg);
	t->chain = -1;
	if ((t->name = standard_verdict(name, &v))) {
		if (go)
			return ctg_rule_error(rc, "bad-target", arg, NULL,
					      "-g needs a chain, not %s", name);
		t->verdict = v;
		return;
	}
	/* "-j NAME" is the extension NAME even when a chain has that name; "-g" takes a chain */
	ops = go ? NULL : lookup_target(rc->p, name);
	idx = ops ? -1 : ctg_chainmap_get(&rc->p->map, name);
	if (ops) {
		t->name = ops->name;
		if (!(ops->family_mask & fam_bit(rc->p->rs->family)))
			return ctg_rule_error(rc, "bad-target", arg, NULL,
					      "target \"%s\" is not available for %s", name,
					      fam_name(rc->p->rs->family));
		t->ops = ops;
		t->verdict = ops->verdict;
		t->data = ctg_arena_zalloc(rc->p->arena, ops->size ? ops->size : 1);
		if (!t->data)
			rc->err = rc->p->nomem = true;
		return;
	}
	{
		t->name = idx >= 0 ? rc->p->chains[idx].name
				   : ctg_arena_intern(rc->p->arena, name, strlen(name));
		/* known already: remember its parse index (-2 - idx) so COMMIT needs no lookup */
		if (idx >= 0)
			t->chain = -2 - idx;
	}
	t->verdict = go ? CTG_V_GOTO : CTG_V_JUMP; /* resolved at COMMIT */
}

static char *append_raw(struct rctx *rc, const char *old, unsigned col, unsigned end)
{
	size_t plen = end >= col ? end - col + 1 : 0, olen = old ? strlen(old) : 0;
	char *s = ctg_arena_alloc(rc->p->arena, olen + plen + 2);

	if (!s)
		return NULL;
	if (old) {
		memcpy(s, old, olen);
		s[olen++] = ' ';
	}
	memcpy(s + olen, rc->p->line + col - 1, plen);
	s[olen + plen] = '\0';
	return s;
}

/* Takes "--opt [args...]" (and a pending "!") verbatim; returns the column span. */
static void take_raw(struct rctx *rc, unsigned *col, unsigned *end)
{
	const struct ctg_word *w = &rc->w[rc->i++];

	*col = rc->inv ? rc->inv_col : w->col;
	*end = w->end_col;
	rc->inv = false;
	while (rc->i < rc->n) {
		const struct ctg_word *a = &rc->w[rc->i];

		if (ctg_word_is_bang(a) && rc->i + 1 < rc->n &&
		    !ctg_word_is_opt(&rc->w[rc->i + 1])) {
			*end = rc->w[rc->i + 1].end_col;
			rc->i += 2;
		} else if (!ctg_word_is_opt(a) && !ctg_word_is_bang(a)) {
			*end = a->end_col;
			rc->i++;
		} else {
			break;
		}
	}
}

void ctg_rule_close_unknown(struct rctx *rc)
{
	if (rc->unk >= 0 && rc->raw_col)
		rc->p->mv[rc->unk].raw = append_raw(rc, NULL, rc->raw_col, rc->raw_end);
	rc->unk = -1;
	rc->raw_col = 0;
}

static void raw_to_unknown_match(struct rctx *rc)
{
	unsigned col, end;

	take_raw(rc, &col, &end);
	if (!rc->raw_col)
		rc->raw_col = col;
	rc->raw_end = end;
}

static void raw_to_target(struct rctx *rc)
{
	unsigned col, end;

	take_raw(rc, &col, &end);
	rc->r.target.raw = append_raw(rc, rc->r.target.raw, col, end);
}

static void call_opt(struct rctx *rc, const struct ctg_opt *o, void *data, uint8_t *seen,
		     int (*parse)(struct ctg_mctx *, void *, unsigned, bool, const char *,
				  const char *))
{
	const struct ctg_word *w = &rc->w[rc->i++], *a, *b;
	const char *arg = NULL, *arg2 = NULL;
	bool inv = rc->inv;
	int nerr = rc->mc.nerrors;

	rc->inv = false;
	if (o->flags & (CTG_OPT_ARG | CTG_OPT_ARG2)) {
		if (!(a = ctg_rule_arg(rc, w, &inv)))
			return;
		arg = a->s;
		if (o->flags & CTG_OPT_ARG2) {
			if (!(b = ctg_rule_arg(rc, w, NULL)))
				return;
			arg2 = b->s;
		}
	} else if ((o->flags & CTG_OPT_OPTARG) && rc->i < rc->n &&
		   !ctg_word_is_opt(&rc->w[rc->i]) && !ctg_word_is_bang(&rc->w[rc->i])) {
		arg = rc->w[rc->i++].s;
	}
	if (inv && !(o->flags & CTG_OPT_INV))
		return ctg_rule_error(rc, "bad-negation", w, NULL,
				      "option \"%s\" cannot be negated", w->s);
	if ((seen[o->id / 8] & (1u << (o->id % 8))) && !(o->flags & CTG_OPT_MULTI))
		return ctg_rule_error(rc, "duplicate-option", w, NULL, "option \"%s\" given twice",
				      w->s);
	seen[o->id / 8] |= (uint8_t)(1u << (o->id % 8));
	rc->mc.loc = ctg_parse_loc(rc->p, w->col, w->end_col);
	if (parse && parse(&rc->mc, data, o->id, inv, arg, arg2) < 0) {
		if (rc->mc.nerrors == nerr)
			ctg_rule_error(rc, "bad-argument", w, NULL, "invalid argument for \"%s\"",
				       w->s);
		rc->err = true;
	}
}

static const char *proto_module(uint8_t proto, enum ctg_family f)
{
	switch (proto) {
	case 6:
		return "tcp";
	case 17:
		return "udp";
	case 1:
		return f == CTG_FAMILY_IPV4 ? "icmp" : NULL;
	case 58:
		return f == CTG_FAMILY_IPV6 ? "icmp6" : NULL;
	case 132:
		return "sctp";
	case 33:
		return "dccp";
	case 50:
		return "esp";
	case 51:
		return "ah";
	default:
		return NULL;
	}
}

static bool match_loaded(struct rctx *rc, const char *name)
{
	for (size_t k = 0; k < rc->nm; k++)
		if (!strcmp(rc->p->mv[k].name, name) ||
		    (rc->p->mv[k].ops && !strcmp(rc->p->mv[k].ops->name, name)))
			return true;
	return false;
}

static void unknown_option(struct rctx *rc, const struct ctg_word *w, const char *implicit)
{
	const char *cands[256], *ip[64];
	char *dashed = NULL;
	size_t n = 0, nip = ctg_ipopt_names(ip, 64), need = 0;
	const struct ctg_match_ops *im = implicit ? ctg_match_lookup(implicit) : NULL;
	const char *s = NULL;
	char hint[96];

	/* Compare with the dashes on: "--dprot" is close enough to "--dport". */
#define EACH_NAME(X)                                                                               \
	for (size_t j = 0; j < nip; j++)                                                           \
		X(ip[j]);                                                                          \
	for (size_t j = 0; rc->r.target.ops && j < rc->r.target.ops->nopts; j++)                   \
		X(rc->r.target.ops->opts[j].name);                                                 \
	for (size_t k = 0; k < rc->nm; k++)                                                        \
		for (size_t j = 0; rc->p->mv[k].ops && j < rc->p->mv[k].ops->nopts; j++)           \
			X(rc->p->mv[k].ops->opts[j].name);                                         \
	for (size_t j = 0; im && j < im->nopts; j++)                                               \
		X(im->opts[j].name);
#define COUNT(x) need += strlen(x) + 3
#define ADD(x)                                                                                     \
	if (n < 256) {                                                                             \
		cands[n++] = p;                                                                    \
		p += sprintf(p, "--%s", x) + 1;                                                    \
	}
	EACH_NAME(COUNT)
	dashed = malloc(need + 1);
	if (dashed) {
		char *p = dashed;

		EACH_NAME(ADD)
		s = ctg_misspell_suggest(w->s, cands, n);
	}
#undef ADD
#undef COUNT
#undef EACH_NAME
	if (s)
		snprintf(hint, sizeof(hint), "did you mean \"%s\"?", s);
	ctg_rule_error(rc, "unknown-option", w, s ? hint : NULL, "unknown option \"%s\"", w->s);
	free(dashed);
}

static bool implicit_proto(struct rctx *rc, const struct ctg_word *w)
{
	const char *pname = rc->r.proto_set ? proto_module(rc->r.proto, rc->p->rs->family) : NULL;
	const struct ctg_match_ops *ops;
	const struct ctg_opt *o;
	int k;

	if (!pname || match_loaded(rc, pname))
		return false;
	ops = ctg_match_lookup(pname);
	o = ops ? find_opt(ops->opts, ops->nopts, w->s + 2) : NULL;
	if (ops && !o)
		return false;
	k = add_match(rc, ops, pname, ctg_parse_loc(rc->p, w->col, w->end_col));
	if (k < 0)
		return true;
	if (!ops)
		raw_to_unknown_match(rc);
	else
		call_opt(rc, o, rc->p->mv[k].data, rc->p->seen_opts[k], ops->parse);
	return true;
}

void ctg_rule_module_option(struct rctx *rc)
{
	const struct ctg_word *w = &rc->w[rc->i];
	const char *name = w->s + 2;
	const struct ctg_target_ops *tops = rc->r.target.ops;
	const struct ctg_opt *o;

	if (rc->unk >= 0)
		return raw_to_unknown_match(rc);
	if (tops && (o = find_opt(tops->opts, tops->nopts, name)))
		return call_opt(rc, o, rc->r.target.data, rc->tseen, tops->parse);
	for (size_t k = rc->nm; k-- > 0;) {
		const struct ctg_match_ops *ops = rc->p->mv[k].ops;

		if (ops && (o = find_opt(ops->opts, ops->nopts, name)))
			return call_opt(rc, o, rc->p->mv[k].data, rc->p->seen_opts[k], ops->parse);
	}
	if (rc->target_set && !tops &&
	    (rc->r.target.verdict == CTG_V_JUMP || rc->r.target.verdict == CTG_V_GOTO))
		return raw_to_target(rc);
	if (implicit_proto(rc, w))
		return;
	unknown_option(rc, w,
		       rc->r.proto_set ? proto_module(rc->r.proto, rc->p->rs->family) : NULL);
}

static void check_where(struct rctx *rc, const char *what, const char *name, unsigned tables,
			unsigned hooks, const struct ctg_loc *loc)
{
	const struct pchain *c = rc->chain;

	if (tables && !(tables & (1u << rc->p->table))) {
		ctg_diags_add(rc->p->diags, CTG_SEV_ERROR, "bad-table", loc,
			      ctg_parse_line_text(rc->p), NULL,
			      "%s \"%s\" is not valid in table %s", what, name,
			      ctg_table_name(rc->p->table));
		rc->err = true;
	} else if (hooks && c->builtin && !(hooks & (1u << c->hook))) {
		ctg_diags_add(rc->p->diags, CTG_SEV_ERROR, "bad-chain", loc,
			      ctg_parse_line_text(rc->p), NULL,
			      "%s \"%s\" is not valid in chain %s", what, name, c->name);
		rc->err = true;
	}
}

void ctg_rule_finish_modules(struct rctx *rc)
{
	struct ctg_target *t = &rc->r.target;

	for (size_t k = 0; k < rc->nm && !rc->err; k++) {
		struct ctg_match *m = &rc->p->mv[k];
		int nerr = rc->mc.nerrors;

		if (!m->ops)
			continue;
		rc->mc.loc = m->loc;
		if (m->ops->final && m->ops->final(&rc->mc, m->data) < 0) {
			if (rc->mc.nerrors == nerr)
				ctg_diags_add(rc->p->diags, CTG_SEV_ERROR, "bad-match", &m->loc,
					      ctg_parse_line_text(rc->p), NULL,
					      "bad options for match \"%s\"", m->name);
			rc->err = true;
		}
		check_where(rc, "match", m->name, 0, m->ops->hooks, &m->loc);
		if (m->ops->needs_ct)
			rc->p->uses_ct = true;
	}
	if (!t->ops || rc->err)
		return;
	rc->mc.loc = t->loc;
	if (t->ops->final) {
		int nerr = rc->mc.nerrors;

		if (t->ops->final(&rc->mc, t->data) < 0) {
			if (rc->mc.nerrors == nerr)
				ctg_diags_add(rc->p->diags, CTG_SEV_ERROR, "bad-target", &t->loc,
					      ctg_parse_line_text(rc->p), NULL,
					      "bad options for target \"%s\"", t->name);
			rc->err = true;
		}
	}
	check_where(rc, "target", t->name, t->ops->tables, t->ops->hooks, &t->loc);
	if (t->ops->needs_ct || t->ops->notrack)
		rc->p->uses_ct = true;
}
