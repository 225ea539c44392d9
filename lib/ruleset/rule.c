// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * One "-A CHAIN ..." / "-I CHAIN [N] ..." line: counters, the IP part, then matches and the
 * target (rule_mod.c). On the first error the rest of the line is skipped.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"

int ctg_parse_counters(const char *s, uint64_t *pkts, uint64_t *bytes);

enum ipopt {
	O_SRC,
	O_DST,
	O_IN,
	O_OUT,
	O_PROTO,
	O_FRAG,
	O_JUMP,
	O_GOTO,
	O_MATCH,
	O_COUNTERS,
	O_V4,
	O_V6
};

static const struct {
	const char *s, *l, *l2;
	enum ipopt o;
} ipopts[] = {
	{"-s", "--source", "--src", O_SRC},   {"-d", "--destination", "--dst", O_DST},
	{"-i", "--in-interface", NULL, O_IN}, {"-o", "--out-interface", NULL, O_OUT},
	{"-p", "--protocol", NULL, O_PROTO},  {"-f", "--fragment", NULL, O_FRAG},
	{"-j", "--jump", NULL, O_JUMP},	      {"-g", "--goto", NULL, O_GOTO},
	{"-m", "--match", NULL, O_MATCH},     {"-c", "--set-counters", NULL, O_COUNTERS},
	{"-4", "--ipv4", NULL, O_V4},	      {"-6", "--ipv6", NULL, O_V6},
};

void ctg_rule_error(struct rctx *rc, const char *code, const struct ctg_word *w, const char *hint,
		    const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ctg_parse_error(rc->p, code, w ? w->col : 0, w ? w->end_col : 0, hint, "%s", msg);
	rc->err = true;
}

int ctg_ipopt_lookup(const char *s)
{
	bool lng = s[1] == '-';

	if (!lng && s[1] && s[2])
		return -1;
	if (!lng) { /* "-X": the table's short names are distinct letters */
		switch (s[1]) {
		case 's':
			return O_SRC;
		case 'd':
			return O_DST;
		case 'i':
			return O_IN;
		case 'o':
			return O_OUT;
		case 'p':
			return O_PROTO;
		case 'f':
			return O_FRAG;
		case 'j':
			return O_JUMP;
		case 'g':
			return O_GOTO;
		case 'm':
			return O_MATCH;
		case 'c':
			return O_COUNTERS;
		case '4':
			return O_V4;
		case '6':
			return O_V6;
		default:
			return -1;
		}
	}
	for (size_t i = 0; i < sizeof(ipopts) / sizeof(ipopts[0]); i++) {
		if (!lng && s[1] == ipopts[i].s[1])
			return (int)ipopts[i].o;
		if (lng && s[2] == ipopts[i].l[2] &&
		    (!strcmp(s, ipopts[i].l) || (ipopts[i].l2 && !strcmp(s, ipopts[i].l2))))
			return (int)ipopts[i].o;
	}
	return -1;
}

/* Long IP option names without dashes, for "did you mean". */
size_t ctg_ipopt_names(const char **out, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < sizeof(ipopts) / sizeof(ipopts[0]) && n < max; i++)
		out[n++] = ipopts[i].l + 2;
	return n;
}

const struct ctg_word *ctg_rule_arg(struct rctx *rc, const struct ctg_word *opt, bool *inv)
{
	const struct ctg_word *a;

	if (rc->i >= rc->n) {
		ctg_rule_error(rc, "missing-argument", opt, NULL, "option \"%s\" needs an argument",
			       opt->s);
		return NULL;
	}
	a = &rc->w[rc->i++];
	if (ctg_word_is_bang(a) && inv) {
		if (*inv) {
			ctg_rule_error(rc, "bad-negation", a, NULL, "multiple \"!\" flags");
			return NULL;
		}
		*inv = true;
		return ctg_rule_arg(rc, opt, NULL);
	}
	return a;
}

static bool looks_like_host(const char *s)
{
	for (; *s && *s != '/'; s++)
		if (isalpha((unsigned char)*s) && !isxdigit((unsigned char)*s))
			return true;
	return false;
}

static void addr_opt(struct rctx *rc, const struct ctg_word *opt, bool dst, bool inv)
{
	const struct ctg_word *a = ctg_rule_arg(rc, opt, &inv);
	struct ctg_addr *av = dst ? rc->daddr : rc->saddr, *mv = dst ? rc->dmask : rc->smask;
	size_t *n = dst ? &rc->nd : &rc->ns;
	char buf[256];
	char *save = NULL, *tok;

	if (!a)
		return;
	if ((dst ? rc->r.dst_set : rc->r.src_set))
		return ctg_rule_error(rc, "duplicate-option", opt, NULL,
				      "multiple %s flags not allowed", dst ? "-d" : "-s");
	{
		size_t len = strlen(a->s); /* truncated like snprintf */

		if (len > sizeof(buf) - 1)
			len = sizeof(buf) - 1;
		memcpy(buf, a->s, len);
		buf[len] = '\0';
	}
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (*n == CTG_MAX_ADDRS)
			return ctg_rule_error(rc, "bad-address", a, NULL, "too many addresses");
		if (ctg_parse_addr_mask(rc->p->rs->family, tok, &av[*n], &mv[*n]))
			return ctg_rule_error(
				rc, "bad-address", a,
				looks_like_host(tok)
					? "host names are not resolved; write an address"
					: NULL,
				"bad address \"%s\"", tok);
		(*n)++;
	}
	if (*n == 0)
		return ctg_rule_error(rc, "bad-address", a, NULL, "empty address");
	if (*n > 1 && inv)
		return ctg_rule_error(rc, "bad-negation", opt, NULL,
				      "\"!\" not allowed with multiple addresses");
	if (dst) {
		rc->r.dst_set = true;
		rc->r.inv_dst = inv;
	} else {
		rc->r.src_set = true;
		rc->r.inv_src = inv;
	}
}

static void iface_opt(struct rctx *rc, const struct ctg_word *opt, bool out, bool inv)
{
	const struct ctg_word *a = ctg_rule_arg(rc, opt, &inv);
	struct ctg_iface *ifc = out ? &rc->r.out : &rc->r.in;

	if (!a)
		return;
	if (ifc->set)
		return ctg_rule_error(rc, "duplicate-option", opt, NULL,
				      "multiple %s flags not allowed", out ? "-o" : "-i");
	if (ctg_parse_iface(a->s, ifc))
		return ctg_rule_error(rc, "bad-interface", a, NULL, "bad interface name \"%s\"",
				      a->s);
	ifc->inv = inv;
	if (!strcmp(a->s, "+") && !inv)
		ifc->set = false; /* "+" is any interface: iptables drops it */
	if (out)
		rc->out_w = opt;
	else
		rc->in_w = opt;
}

static void proto_opt(struct rctx *rc, const struct ctg_word *opt, bool inv)
{
	static const char *const names[] = {"tcp",     "udp", "icmp", "ipv6-icmp", "sctp",
					    "udplite", "esp", "ah",   "gre",	   "all"};
	const struct ctg_word *a = ctg_rule_arg(rc, opt, &inv);

	if (!a)
		return;
	if (rc->r.proto_set)
		return ctg_rule_error(rc, "duplicate-option", opt, NULL,
				      "multiple -p flags not allowed");
	if (ctg_parse_proto(a->s, &rc->r.proto)) {
		const char *s = ctg_misspell_suggest(a->s, names, sizeof(names) / sizeof(names[0]));
		char hint[64];

		if (s)
			snprintf(hint, sizeof(hint), "did you mean \"%s\"?", s);
		return ctg_rule_error(rc, "bad-protocol", a, s ? hint : NULL,
				      "unknown protocol \"%s\"", a->s);
	}
	if (inv && rc->r.proto == 0)
		return ctg_rule_error(rc, "bad-negation", a, NULL,
				      "rule would never match protocol (\"! -p %s\")", a->s);
	rc->r.proto_set = true;
	rc->r.inv_proto = inv;
	rc->mc.proto = rc->r.proto;
	rc->mc.proto_inv = inv;
}

static void counters_opt(struct rctx *rc, const struct ctg_word *opt)
{
	const struct ctg_word *a = ctg_rule_arg(rc, opt, NULL), *b = NULL;
	const char *bs;
	char *e1, *e2;

	if (!a)
		return;
	/* "-c PKTS BYTES" or "-c PKTS,BYTES" */
	bs = strchr(a->s, ',');
	if (bs)
		bs++;
	else if ((b = ctg_rule_arg(rc, opt, NULL)))
		bs = b->s;
	else
		return;
	rc->r.pkts = strtoull(a->s, &e1, 10);
	rc->r.bytes = strtoull(bs, &e2, 10);
	if ((*e1 && *e1 != ',') || *e2 || !isdigit((unsigned char)a->s[0]) ||
	    !isdigit((unsigned char)bs[0]))
		return ctg_rule_error(rc, "bad-counters", a, NULL, "bad counters \"%s%s%s\"", a->s,
				      b ? " " : "", b ? b->s : "");
	rc->r.has_counters = true;
}

static void ip_option(struct rctx *rc, const struct ctg_word *opt, enum ipopt o)
{
	bool inv = rc->inv;

	rc->inv = false;
	if (inv && (o == O_JUMP || o == O_GOTO || o == O_MATCH || o == O_COUNTERS || o == O_V4 ||
		    o == O_V6))
		return ctg_rule_error(rc, "bad-negation", opt, NULL, "\"!\" not allowed before %s",
				      opt->s);
	ctg_rule_close_unknown(rc);
	switch (o) {
	case O_SRC:
	case O_DST:
		return addr_opt(rc, opt, o == O_DST, inv);
	case O_IN:
	case O_OUT:
		return iface_opt(rc, opt, o == O_OUT, inv);
	case O_PROTO:
		return proto_opt(rc, opt, inv);
	case O_FRAG:
		if (rc->p->rs->family == CTG_FAMILY_IPV6)
			return ctg_rule_error(rc, "bad-option", opt, NULL,
					      "-f is not supported for IPv6");
		if (rc->r.frag_set)
			return ctg_rule_error(rc, "duplicate-option", opt, NULL,
					      "multiple -f flags not allowed");
		rc->r.frag_set = true;
		rc->r.inv_frag = inv;
		return;
	case O_COUNTERS:
		return counters_opt(rc, opt);
	case O_V4:
	case O_V6:
		if ((o == O_V4) != (rc->p->rs->family == CTG_FAMILY_IPV4) && !rc->ignore) {
			rc->ignore = true; /* as iptables-restore does: the rule is for the other
					      family */
			ctg_parse_warn(rc->p, "other-family", opt->col, opt->end_col,
				       "rule is for %s only: skipped", o == O_V4 ? "IPv4" : "IPv6");
		}
		return;
	case O_MATCH:
	case O_JUMP:
	case O_GOTO: {
		const struct ctg_word *a = ctg_rule_arg(rc, opt, NULL);

		if (!a)
			return;
		if (o == O_MATCH)
			return ctg_rule_match(rc, opt, a->s);
		return ctg_rule_jump(rc, opt, a->s, o == O_GOTO);
	}
	}
}

/* getopt forms: "--name=value" and "-Xvalue" ("-ptcp") become two words. */
static void split_attached(struct rctx *rc)
{
	static const char *const shorts[] = {"-s", "-d", "-i", "-o", "-p", "-j", "-g", "-m", "-c"};
	struct ctg_lexline *lx = &rc->p->lx;
	struct ctg_word *w = &lx->w[rc->i], nw = {0};
	char *s = (char *)w->s, *eq;

	if (w->quoted || s[0] != '-' || !s[1] || !s[2])
		return;
	if (s[1] == '-') {
		eq = strchr(s, '=');
		if (!eq)
			return;
		*eq = '\0';
		nw.s = eq + 1;
		nw.col = (uint16_t)(w->col + (eq - s) + 1);
		nw.end_col = w->end_col;
		w->end_col = (uint16_t)(nw.col - 2);
	} else {
		size_t k = 0;

		while (k < sizeof(shorts) / sizeof(shorts[0]) && shorts[k][1] != s[1])
			k++;
		if (k == sizeof(shorts) / sizeof(shorts[0]))
			return;
		nw.s = s + 2;
		nw.col = (uint16_t)(w->col + 2);
		nw.end_col = w->end_col;
		w->s = shorts[k];
		w->end_col = (uint16_t)(w->col + 1);
	}
	if (ctg_lex_insert(lx, rc->i + 1, &nw)) {
		rc->err = rc->p->nomem = true;
		return;
	}
	rc->w = lx->w;
	rc->n = lx->n;
}

static void one_word(struct rctx *rc)
{
	const struct ctg_word *w = &rc->w[rc->i];
	int o;

	if (ctg_word_is_bang(w)) {
		if (rc->inv)
			return ctg_rule_error(rc, "bad-negation", w, NULL, "multiple \"!\" flags");
		rc->inv = true;
		rc->inv_col = w->col;
		rc->i++;
		return;
	}
	if (ctg_word_is_opt(w) && w->s[1] && w->s[2]) {
		split_attached(rc);
		w = &rc->w[rc->i];
	}
	if (!ctg_word_is_opt(w) || !w->s[1])
		return ctg_rule_error(rc, "unexpected-argument", w, NULL,
				      "unexpected argument \"%s\"", w->s);
	o = ctg_ipopt_lookup(w->s);
	if (o >= 0) {
		rc->i++;
		return ip_option(rc, w, (enum ipopt)o);
	}
	if (w->s[1] != '-') {
		return ctg_rule_error(rc, "unknown-option", w, NULL, "unknown option \"%s\"", w->s);
	}
	ctg_rule_module_option(rc);
}

/* Makes room for `more` rules in p->trules. 0 or -ENOMEM. */
static int rules_reserve(struct parser *p, size_t more)
{
	if (p->ntr + more > p->captr) {
		/* first guess from the input size (a rule line is rarely under 64 bytes), so
		 * that a big table is not copied again and again; pages never written cost
		 * nothing, and COMMIT shrinks the array to its size */
		size_t ncap = p->captr ? p->captr * 2 : 256 + p->size_hint / 64;
		struct ctg_rule *nr;

		while (ncap < p->ntr + more)
			ncap *= 2;
		nr = ctg_huge_realloc(p->trules, p->ntr * sizeof(*nr), ncap * sizeof(*nr));
		if (!nr)
			return -ENOMEM;
		p->trules = nr;
		p->captr = ncap;
	}
	return 0;
}

/* The chain stops being one run of p->trules: list its rule indexes explicitly. */
static int reserve_idx(struct pchain *c, size_t more)
{
	if (!c->idx || c->n + more > c->cap) {
		size_t ncap = c->cap ? c->cap * 2 : 4;
		uint32_t *ni;

		while (ncap < c->n + more)
			ncap *= 2;
		ni = realloc(c->idx, ncap * sizeof(*ni));
		if (!ni)
			return -ENOMEM;
		if (!c->idx)
			for (uint32_t k = 0; k < c->n; k++)
				ni[k] = c->start + k;
		c->idx = ni;
		c->cap = (uint32_t)ncap;
	}
	return 0;
}

/* The rule for source address s and destination address d of the lists. */
static void copy_rule(const struct rctx *rc, struct ctg_rule *r, size_t s, size_t d)
{
	*r = rc->r;
	if (rc->ns) {
		r->src = rc->saddr[s];
		r->smsk = rc->smask[s];
	}
	if (rc->nd) {
		r->dst = rc->daddr[d];
		r->dmsk = rc->dmask[d];
	}
}

/* Adds the rule (one copy per source x destination address) at position pos. */
static void store_rule(struct rctx *rc, uint32_t pos)
{
	struct pchain *c = rc->chain;
	struct parser *p = rc->p;
	size_t ns = rc->ns ? rc->ns : 1, nd = rc->nd ? rc->nd : 1, k = 0;
	struct ctg_match *mv = NULL;
	bool run;

	if (rc->nm) {
		mv = ctg_arena_alloc(p->arena, rc->nm * sizeof(*mv));
		if (!mv) {
			p->nomem = true;
			return;
		}
		memcpy(mv, p->mv, rc->nm * sizeof(*mv));
	}
	rc->r.matches = mv;
	rc->r.nmatches = (uint16_t)rc->nm;
	if (rules_reserve(p, ns * nd)) {
		p->nomem = true;
		return;
	}
	/* appending right after the chain's last rule keeps it one run */
	run = !c->idx && pos == c->n && (c->n == 0 || c->start + c->n == p->ntr);
	if (!run) {
		if (reserve_idx(c, ns * nd)) {
			p->nomem = true;
			return;
		}
		memmove(&c->idx[pos + ns * nd], &c->idx[pos], (c->n - pos) * sizeof(*c->idx));
	} else if (c->n == 0) {
		c->start = (uint32_t)p->ntr;
	}
	for (size_t s = 0; s < ns; s++)
		for (size_t d = 0; d < nd; d++) {
			copy_rule(rc, &p->trules[p->ntr], s, d);
			if (!run)
				c->idx[pos + k++] = (uint32_t)p->ntr;
			p->ntr++;
		}
	c->n += (uint32_t)(ns * nd);
}

static void check_ifaces(struct rctx *rc)
{
	if (!rc->chain->builtin)
		return;
	if (rc->r.in.set &&
	    (rc->chain->hook == CTG_HOOK_OUTPUT || rc->chain->hook == CTG_HOOK_POSTROUTING))
		ctg_rule_error(rc, "bad-interface", rc->in_w, NULL, "-i is not valid in chain %s",
			       rc->chain->name);
	else if (rc->r.out.set &&
		 (rc->chain->hook == CTG_HOOK_PREROUTING || rc->chain->hook == CTG_HOOK_INPUT))
		ctg_rule_error(rc, "bad-interface", rc->out_w, NULL, "-o is not valid in chain %s",
			       rc->chain->name);
}

/* "-A CHAIN" or "-I CHAIN [N]"; returns the insert position or -1. */
static long command(struct rctx *rc)
{
	const struct ctg_word *cmd = &rc->w[rc->i++], *cw;
	bool append = cmd->s[0] == '-' && cmd->s[1] == 'A' && !cmd->s[2]; /* the usual line */
	bool insert = !append && (!strcmp(cmd->s, "-I") || !strcmp(cmd->s, "--insert"));
	int idx;
	long pos;

	if (!append && !insert && strcmp(cmd->s, "--append")) {
		ctg_rule_error(rc, "unknown-command", cmd,
			       "rules start with -A CHAIN or -I CHAIN [N]",
			       "unexpected \"%s\" at the start of a rule", cmd->s);
		return -1;
	}
	if (rc->i >= rc->n) {
		ctg_rule_error(rc, "missing-argument", cmd, NULL, "%s needs a chain name", cmd->s);
		return -1;
	}
	cw = &rc->w[rc->i++];
	idx = ctg_chainmap_get(&rc->p->map, cw->s);
	if (idx < 0) {
		const char **names = malloc((rc->p->nchains + 1) * sizeof(*names));
		const char *s = NULL;
		char hint[96];

		for (size_t i = 0; names && i < rc->p->nchains; i++)
			names[i] = rc->p->chains[i].name;
		if (names)
			s = ctg_misspell_suggest(cw->s, names, rc->p->nchains);
		if (s)
			snprintf(hint, sizeof(hint), "did you mean \"%s\"?", s);
		ctg_rule_error(
			rc, "unknown-chain", cw, s ? hint : "declare it with \":NAME - [0:0]\"",
			"unknown chain \"%s\" in table %s", cw->s, ctg_table_name(rc->p->table));
		free(names);
		return -1;
	}
	rc->chain = &rc->p->chains[idx];
	if (!insert)
		return rc->chain->n;
	pos = 0; /* -I CHAIN: the top */
	if (rc->i < rc->n && isdigit((unsigned char)rc->w[rc->i].s[0])) {
		const struct ctg_word *nw = &rc->w[rc->i++];
		char *end;
		unsigned long v = strtoul(nw->s, &end, 10);

		if (*end || v == 0 || v > (unsigned long)rc->chain->n + 1) {
			ctg_rule_error(rc, "bad-rule-number", nw, NULL,
				       "bad rule number \"%s\" (chain %s has %u rules)", nw->s,
				       rc->chain->name, rc->chain->n);
			return -1;
		}
		pos = (long)v - 1;
	}
	return pos;
}

static void init_rc(struct parser *p, struct rctx *rc)
{
	rc->p = p;
	rc->w = p->lx.w;
	rc->n = p->lx.n;
	rc->unk = -1;
	rc->r.target.chain = -1;
	rc->r.target.verdict = CTG_V_CONTINUE;
	rc->r.loc = ctg_parse_loc(p, 1, (unsigned)p->line_len);
	rc->mc.arena = p->arena;
	rc->mc.diags = p->diags;
	rc->mc.family = p->rs->family;
	rc->mc.table = (enum ctg_table_id)p->table;
	rc->mc.line = p->line;
	rc->mc.line_len = p->line_len;
	rc->mc.strict = p->strict;
}

void ctg_parse_rule(struct parser *p)
{
	struct rctx *rc = p->rc;
	long pos;

	if (!rc) {
		rc = p->rc = malloc(sizeof(*rc));
		if (!rc) {
			p->nomem = true;
			return;
		}
	}
	memset(rc, 0, offsetof(struct rctx, saddr));
	init_rc(p, rc);
	if (rc->w[0].s[0] == '[') {
		if (ctg_parse_counters(rc->w[0].s, &rc->r.pkts, &rc->r.bytes)) {
			ctg_rule_error(rc, "bad-counters", &rc->w[0], NULL,
				       "bad counters \"%s\" (expected [packets:bytes])",
				       rc->w[0].s);
			goto out;
		}
		rc->r.has_counters = true;
		rc->i++;
		if (rc->i >= rc->n) {
			ctg_rule_error(rc, "missing-argument", &rc->w[0], NULL,
				       "counters without a rule");
			goto out;
		}
	}
	pos = command(rc);
	if (pos < 0)
		goto out;
	rc->mc.chain = rc->chain->name;
	while (rc->i < rc->n && !rc->err)
		one_word(rc);
	if (!rc->err && rc->inv)
		ctg_rule_error(rc, "bad-negation", &rc->w[rc->n - 1], NULL,
			       "\"!\" at the end of the rule");
	if (rc->err)
		goto out;
	ctg_rule_close_unknown(rc);
	ctg_rule_finish_modules(rc);
	check_ifaces(rc);
	if (!rc->err && !rc->ignore)
		store_rule(rc, (uint32_t)pos);
out:
	return;
}
