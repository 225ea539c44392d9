// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * COMMIT: turn the chains read for a table into IR. Built-in chains first in hook order,
 * then user chains sorted by name (as iptables-save prints them); jumps resolved to
 * chain indexes; rule arrays handed over to the ruleset.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"

void ctg_table_commit(struct parser *p);
void ctg_table_discard(struct parser *p);

/* Target extensions of iptables we may not model: "-j NAME" is then an unknown target. */
static const char *const known_targets[] = {
	"AUDIT",   "CHECKSUM", "CLASSIFY", "CLUSTERIP",	 "CONNMARK", "CONNSECMARK", "CT",
	"DNAT",	   "DNPT",     "DSCP",	   "ECN",	 "HL",	     "HMARK",	    "IDLETIMER",
	"LED",	   "LOG",      "MARK",	   "MASQUERADE", "MIRROR",   "NETMAP",	    "NFLOG",
	"NFQUEUE", "NOTRACK",  "RATEEST",  "REDIRECT",	 "REJECT",   "SAME",	    "SECMARK",
	"SET",	   "SNAT",     "SNPT",	   "SYNPROXY",	 "TCPMSS",   "TCPOPTSTRIP", "TEE",
	"TOS",	   "TPROXY",   "TRACE",	   "TTL",	 "ULOG",     "ipvs",
};

static bool known_target_name(const char *s)
{
	for (size_t i = 0; i < sizeof(known_targets) / sizeof(known_targets[0]); i++)
		if (!strcmp(known_targets[i], s))
			return true;
	return false;
}

static int track(struct parser *p, void *mem)
{
	struct rs_priv *pr = p->priv;

	if (pr->nallocs == pr->capallocs) {
		size_t ncap = pr->capallocs ? pr->capallocs * 2 : 64;
		void **na = realloc(pr->allocs, ncap * sizeof(*na));

		if (!na)
			return -ENOMEM;
		pr->allocs = na;
		pr->capallocs = ncap;
	}
	pr->allocs[pr->nallocs++] = mem;
	return 0;
}

/* Line starts of the source, indexed once on the first diagnostic found at COMMIT (many
 * of them in a big file would otherwise rescan it from the top each). 0 or -ENOMEM. */
static int index_lines(struct parser *p)
{
	const char *s = p->rs->text, *end = s + p->rs->text_len, *nl;
	size_t n = 0, cap = 1024;

	if (p->line_off)
		return 0;
	p->line_off = malloc(cap * sizeof(*p->line_off));
	while (p->line_off) {
		if (n == cap) {
			size_t *nv = realloc(p->line_off, 2 * cap * sizeof(*nv));

			if (!nv)
				break;
			p->line_off = nv;
			cap *= 2;
		}
		p->line_off[n++] = (size_t)(s - p->rs->text);
		nl = memchr(s, '\n', (size_t)(end - s));
		if (!nl) {
			p->nline_off = n;
			return 0;
		}
		s = nl + 1;
	}
	free(p->line_off);
	p->line_off = NULL;
	return -ENOMEM;
}

/* The text of line `line` of the source (for diagnostics found at COMMIT), or NULL. */
static char *line_at(struct parser *p, uint32_t line)
{
	const char *s, *end = p->rs->text + p->rs->text_len, *nl;
	char *out;
	size_t n;

	if (index_lines(p) || line == 0 || line > p->nline_off)
		return NULL;
	s = p->rs->text + p->line_off[line - 1];
	nl = memchr(s, '\n', (size_t)(end - s));
	n = nl ? (size_t)(nl - s) : (size_t)(end - s);
	while (n && s[n - 1] == '\r')
		n--;
	out = malloc(n + 1);
	if (out) {
		memcpy(out, s, n);
		out[n] = '\0';
	}
	return out;
}

static void commit_error(struct parser *p, const char *code, const struct ctg_loc *loc,
			 const char *hint, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static void commit_error(struct parser *p, const char *code, const struct ctg_loc *loc,
			 const char *hint, const char *fmt, ...)
{
	char msg[512], *text = line_at(p, loc->line);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ctg_diags_add(p->diags, CTG_SEV_ERROR, code, loc, text, hint, "%s", msg);
	p->errors++;
	free(text);
}

/*
 * User chains sort by name (strcmp order). The names' common prefix is skipped and the next
 * 8 bytes are compared as one integer (big-endian, NUL-padded: a shorter name sorts first,
 * as with strcmp); names equal in those bytes are ordered by the rest afterwards.
 */
struct sort_key {
	uint64_t k;
	uint32_t idx;
};

static uint64_t be_prefix(const char *s, size_t n)
{
	uint64_t k = 0;

	for (size_t i = 0; i < 8; i++)
		k = k << 8 | (i < n ? (unsigned char)s[i] : 0);
	return k;
}

/*
 * LSD radix sort by k, 11 bits a pass (6 passes cover 64 bits; a pass whose digit is the
 * same for every key is skipped). Stable. tmp has room for n keys. 0 or -ENOMEM.
 */
static int sort_keys(struct sort_key *v, struct sort_key *tmp, uint32_t n)
{
	enum { BITS = 11, BUCKETS = 1 << BITS };
	uint32_t *count = malloc(BUCKETS * sizeof(*count));
	struct sort_key *src = v, *dst = tmp, *t;

	if (!count)
		return -ENOMEM;
	for (unsigned shift = 0; shift < 64; shift += BITS) {
		uint32_t sum = 0;

		memset(count, 0, BUCKETS * sizeof(*count));
		for (uint32_t i = 0; i < n; i++)
			count[(src[i].k >> shift) & (BUCKETS - 1)]++;
		if (n && count[(src[0].k >> shift) & (BUCKETS - 1)] == n)
			continue; /* one digit for all: nothing to do */
		for (uint32_t b = 0; b < BUCKETS; b++) {
			uint32_t c = count[b];

			count[b] = sum;
			sum += c;
		}
		for (uint32_t i = 0; i < n; i++)
			dst[count[(src[i].k >> shift) & (BUCKETS - 1)]++] = src[i];
		t = src;
		src = dst;
		dst = t;
	}
	if (src != v)
		memcpy(v, src, n * sizeof(*v));
	free(count);
	return 0;
}

/* Runs of equal keys whose names go on past them: by the rest of the names. */
static void sort_ties(const struct pchain *chains, struct sort_key *v, uint32_t n, size_t skip)
{
	for (uint32_t lo = 0, hi; lo < n; lo = hi) {
		for (hi = lo + 1; hi < n && v[hi].k == v[lo].k; hi++)
			;
		if (hi - lo < 2 || !(v[lo].k & 0xff))
			continue; /* one name, or all of them end within the key: equal */
		for (uint32_t i = lo + 1; i < hi; i++) {
			struct sort_key x = v[i];
			uint32_t j = i;

			for (; j > lo && strcmp(chains[x.idx].name + skip,
						chains[v[j - 1].idx].name + skip) < 0;
			     j--)
				v[j] = v[j - 1];
			v[j] = x;
		}
	}
}

static int sort_user(const struct pchain *chains, uint32_t *order, uint32_t n)
{
	struct sort_key *v = malloc((2 * (size_t)n + 1) * sizeof(*v));
	size_t lcp = n ? strlen(chains[order[0]].name) : 0;

	if (!v)
		return -ENOMEM;
	for (uint32_t i = 1; i < n && lcp; i++) {
		const char *a = chains[order[0]].name, *b = chains[order[i]].name;
		size_t k = 0;

		while (k < lcp && a[k] == b[k])
			k++;
		lcp = k;
	}
	for (uint32_t i = 0; i < n; i++) {
		const char *s = chains[order[i]].name + lcp;

		v[i].k = be_prefix(s, strnlen(s, 8));
		v[i].idx = order[i];
	}
	if (sort_keys(v, v + n, n)) {
		free(v);
		return -ENOMEM;
	}
	sort_ties(chains, v, n, lcp + 8);
	for (uint32_t i = 0; i < n; i++)
		order[i] = v[i].idx;
	free(v);
	return 0;
}

static void unresolved(struct parser *p, struct ctg_rule *r, const char **names, size_t n)
{
	struct ctg_target *t = &r->target;
	char *text = line_at(p, t->loc.line);
	const char *s;
	char hint[96];

	if (t->verdict == CTG_V_JUMP && (t->raw || known_target_name(t->name))) {
		ctg_diags_add(p->diags, CTG_SEV_WARNING, "unknown-target", &t->loc, text, NULL,
			      "unknown target \"%s\": kept verbatim", t->name);
		t->verdict = CTG_V_QUEUE;
		r->has_unknown = true;
		free(text);
		return;
	}
	s = ctg_misspell_suggest(t->name, names, n);
	if (s)
		snprintf(hint, sizeof(hint), "did you mean \"%s\"?", s);
	ctg_diags_add(p->diags, CTG_SEV_ERROR, "unknown-chain", &t->loc, text, s ? hint : NULL,
		      "%s to unknown chain \"%s\"", t->verdict == CTG_V_GOTO ? "goto" : "jump",
		      t->name);
	p->errors++;
	free(text);
}

static void resolve_rules(struct parser *p, struct ctg_table *tb, const uint32_t *newidx,
			  const char **names)
{
	for (uint32_t c = 0; c < tb->nchains; c++) {
		for (uint32_t i = 0; i < tb->chains[c].nrules; i++) {
			struct ctg_rule *r = &tb->chains[c].rules[i];
			int old;

			if ((r->target.verdict != CTG_V_JUMP && r->target.verdict != CTG_V_GOTO) ||
			    r->target.chain >= 0)
				continue;
			old = r->target.chain <= -2 ? -2 - r->target.chain
						    : ctg_chainmap_get(&p->map, r->target.name);
			if (old < 0) {
				unresolved(p, r, names, tb->nchains);
				continue;
			}
			if (r->target.raw) {
				commit_error(p, "unknown-option", &r->target.loc,
					     "a jump to a user chain takes no options",
					     "unknown option after jump to chain \"%s\": %s",
					     r->target.name, r->target.raw);
			}
			r->target.chain = (int32_t)newidx[old];
			if (tb->chains[r->target.chain].builtin)
				commit_error(p, "bad-target", &r->target.loc, NULL,
					     "cannot jump to built-in chain %s", r->target.name);
		}
	}
}

/*
 * Loops reachable from a built-in chain are refused by the kernel (ELOOP / "Too many
 * links"); unreachable ones are accepted. Iterative DFS over jump and goto edges.
 */
static void check_loops(struct parser *p, const struct ctg_table *tb)
{
	struct frame {
		uint32_t chain, rule;
	} *stack = malloc((tb->nchains + 1) * sizeof(*stack));
	uint8_t *color = calloc(tb->nchains + 1, 1); /* 0 new, 1 on the stack, 2 done */

	for (uint32_t b = 0; stack && color && b < tb->nchains && tb->chains[b].builtin; b++) {
		size_t sp = 0;

		if (color[b])
			continue;
		stack[sp++] = (struct frame){b, 0};
		color[b] = 1;
		while (sp) {
			struct frame *f = &stack[sp - 1];
			const struct ctg_chain *c = &tb->chains[f->chain];
			const struct ctg_rule *r;
			int32_t to;

			if (f->rule == c->nrules) {
				color[f->chain] = 2;
				sp--;
				continue;
			}
			r = &c->rules[f->rule++];
			to = r->target.chain;
			if ((r->target.verdict != CTG_V_JUMP && r->target.verdict != CTG_V_GOTO) ||
			    to < 0 || tb->chains[to].builtin)
				continue; /* a jump to a built-in chain is reported already */
			if (color[to] == 1) {
				commit_error(p, "chain-loop", &r->target.loc, NULL,
					     "loop: chain %s reaches itself again through %s",
					     r->target.name, c->name);
			} else if (color[to] == 0) {
				color[to] = 1;
				stack[sp++] = (struct frame){(uint32_t)to, 0};
			}
		}
	}
	free(stack);
	free(color);
}

/* Moves every rule to its final place (chain order) in place: dest[i] = final index. */
static void permute(struct ctg_rule *v, uint32_t *dest, size_t n)
{
	struct ctg_rule tmp;

	for (size_t i = 0; i < n; i++) {
		while (dest[i] != i) {
			uint32_t j = dest[i], dj = dest[j];

			tmp = v[j];
			v[j] = v[i];
			v[i] = tmp;
			dest[i] = dj;
			dest[j] = j;
		}
	}
}

/*
 * Rules of chains that are not one run of p->trules (their rules are interleaved with other
 * chains' in the file, or -I was used) are copied to one extra block, in chain order; the
 * others stay where they are. Returns the block (tracked by the ruleset), or NULL.
 */
static struct ctg_rule *gather(struct parser *p, const uint32_t *order, uint32_t n, size_t nout)
{
	struct ctg_rule *out = ctg_huge_alloc(nout * sizeof(*out));
	size_t off = 0;

	if (!out || track(p, out)) {
		free(out);
		return NULL;
	}
	for (uint32_t i = 0; i < n; i++) {
		const struct pchain *pc = &p->chains[order[i]];

		for (uint32_t k = 0; pc->idx && k < pc->n; k++)
			out[off++] = p->trules[pc->idx[k]];
	}
	return out;
}

/* Shrinks the rule array to its size (before pointers into it are taken). */
static void shrink(struct parser *p)
{
	struct ctg_rule *v;

	if (p->ntr && (v = realloc(p->trules, p->ntr * sizeof(*v))))
		p->trules = v;
}

/* The rule array becomes the ruleset's (on failure discard frees it). */
static int hand_over(struct parser *p)
{
	if (p->ntr && track(p, p->trules))
		return -ENOMEM;
	if (!p->ntr)
		free(p->trules);
	p->trules = NULL;
	p->ntr = p->captr = 0;
	return 0;
}

static int fill_table(struct parser *p, struct ctg_table *tb, uint32_t *order, uint32_t *newidx)
{
	uint32_t *dest = NULL;
	struct ctg_rule *extra = NULL;
	size_t off = 0, nidx = 0, xoff = 0;

	for (uint32_t i = 0; i < tb->nchains; i++)
		if (p->chains[order[i]].idx)
			nidx += p->chains[order[i]].n;
	/* few scattered rules: copy them out; many: reorder the whole array in place */
	if (nidx && nidx * 8 <= p->ntr && !(extra = gather(p, order, tb->nchains, nidx)))
		return -ENOMEM;
	if (nidx && !extra && !(dest = malloc((p->ntr + 1) * sizeof(*dest))))
		return -ENOMEM;
	for (uint32_t i = 0; i < tb->nchains; i++) {
		struct pchain *pc = &p->chains[order[i]];
		struct ctg_chain *c = &tb->chains[i];

		newidx[order[i]] = i;
		c->name = pc->name;
		c->builtin = pc->builtin;
		c->hook = pc->hook;
		c->policy = pc->builtin ? pc->policy : CTG_V_RETURN;
		c->policy_pkts = pc->ppkts;
		c->policy_bytes = pc->pbytes;
		c->loc = pc->loc;
		c->nrules = pc->n;
		if (pc->builtin)
			tb->hook_chain[pc->hook] = (int32_t)i;
		for (uint32_t k = 0; dest && k < pc->n; k++)
			dest[pc->idx ? pc->idx[k] : pc->start + k] = (uint32_t)(off + k);
		off += pc->n;
	}
	bool moved = dest != NULL;

	if (dest)
		permute(p->trules, dest, p->ntr);
	free(dest);
	shrink(p);
	off = 0;
	for (uint32_t i = 0; i < tb->nchains; i++) {
		const struct pchain *pc = &p->chains[order[i]];
		struct ctg_rule *at = NULL;

		if (!tb->chains[i].nrules) {
			tb->chains[i].rules = NULL;
			continue;
		}
		if (!moved && pc->idx) {
			at = extra + xoff;
			xoff += pc->n;
		} else {
			at = p->trules + (moved ? off : pc->start);
		}
		tb->chains[i].rules = at;
		off += tb->chains[i].nrules;
	}
	p->rs->nrules += p->ntr;
	return hand_over(p);
}

/* The table's chains in IR order: built-ins by hook, then user chains by name; NULL on
 * ENOMEM. */
static uint32_t *chain_order(const struct parser *p)
{
	uint32_t *order = malloc((p->nchains + 1) * sizeof(*order));
	uint32_t n = 0, nb;

	if (!order)
		return NULL;
	/* the built-in chains are the table's first ones, created in hook order */
	for (uint32_t i = 0; i < p->nchains; i++)
		if (p->chains[i].builtin)
			order[n++] = i;
	nb = n;
	for (uint32_t i = 0; i < p->nchains; i++)
		if (!p->chains[i].builtin)
			order[n++] = i;
	if (sort_user(p->chains, order + nb, n - nb)) {
		free(order);
		return NULL;
	}
	return order;
}

void ctg_table_commit(struct parser *p)
{
	struct ctg_table *tb = &p->rs->tables[p->table];
	uint32_t *order = chain_order(p);
	uint32_t *newidx = malloc((p->nchains + 1) * sizeof(*newidx));
	const char **names = malloc((p->nchains + 1) * sizeof(*names)); /* "did you mean" */
	uint32_t n = (uint32_t)p->nchains;

	if (!order || !newidx || !names)
		goto nomem;
	memset(tb, 0, sizeof(*tb));
	for (int h = 0; h < CTG_HOOK_MAX; h++)
		tb->hook_chain[h] = -1;
	tb->present = true;
	tb->loc = p->table_loc;
	tb->nchains = n;
	/* every field is set by fill_table */
	tb->chains = ctg_arena_alloc(p->rs->arena, (n + 1) * sizeof(*tb->chains));
	if (!tb->chains || fill_table(p, tb, order, newidx))
		goto nomem;
	for (uint32_t i = 0; i < n; i++)
		names[i] = tb->chains[i].name;
	resolve_rules(p, tb, newidx, names);
	check_loops(p, tb);
	goto out;
nomem:
	p->nomem = true;
out:
	free(order);
	free(newidx);
	free(names);
	ctg_table_discard(p);
}

void ctg_table_discard(struct parser *p)
{
	for (size_t i = 0; i < p->nchains; i++)
		free(p->chains[i].idx);
	p->nchains = 0;
	free(p->trules);
	p->trules = NULL;
	p->ntr = p->captr = 0;
	ctg_chainmap_release(&p->map);
	p->table = -1;
}
