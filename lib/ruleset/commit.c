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

/* The text of line `line` of the source (for diagnostics found at COMMIT), or NULL. */
static char *line_at(const struct ctg_ruleset *rs, uint32_t line)
{
	const char *s = rs->text, *end = rs->text + rs->text_len, *nl;
	char *out;
	size_t n;

	for (uint32_t l = 1; l < line && s < end; l++) {
		nl = memchr(s, '\n', (size_t)(end - s));
		if (!nl)
			return NULL;
		s = nl + 1;
	}
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
	char msg[512], *text = line_at(p->rs, loc->line);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ctg_diags_add(p->diags, CTG_SEV_ERROR, code, loc, text, hint, "%s", msg);
	p->errors++;
	free(text);
}

static const struct pchain *sort_base;

static int cmp_user(const void *a, const void *b)
{
	return strcmp(sort_base[*(const uint32_t *)a].name, sort_base[*(const uint32_t *)b].name);
}

static void unresolved(struct parser *p, struct ctg_rule *r, const char **names, size_t n)
{
	struct ctg_target *t = &r->target;
	char *text = line_at(p->rs, t->loc.line);
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

static int fill_table(struct parser *p, struct ctg_table *tb, uint32_t *order, uint32_t *newidx)
{
	uint32_t *dest = malloc((p->ntr + 1) * sizeof(*dest));
	size_t off = 0;

	if (!dest)
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
		for (uint32_t k = 0; k < pc->n; k++)
			dest[pc->idx[k]] = (uint32_t)(off + k);
		off += pc->n;
	}
	permute(p->trules, dest, p->ntr);
	free(dest);
	if (p->ntr) {
		struct ctg_rule *shrunk = realloc(p->trules, p->ntr * sizeof(*shrunk));

		if (shrunk)
			p->trules = shrunk;
		if (track(p, p->trules))
			return -ENOMEM;
	}
	off = 0;
	for (uint32_t i = 0; i < tb->nchains; i++) {
		tb->chains[i].rules = tb->chains[i].nrules ? p->trules + off : NULL;
		off += tb->chains[i].nrules;
	}
	p->rs->nrules += p->ntr;
	p->trules = NULL; /* the ruleset owns it now */
	p->ntr = p->captr = 0;
	return 0;
}

void ctg_table_commit(struct parser *p)
{
	struct ctg_table *tb = &p->rs->tables[p->table];
	uint32_t *order = malloc((p->nchains + 1) * sizeof(*order));
	uint32_t *newidx = malloc((p->nchains + 1) * sizeof(*newidx));
	const char **names = malloc((p->nchains + 1) * sizeof(*names));
	uint32_t n = 0, nb;

	if (!order || !newidx || !names)
		goto out;
	for (int h = 0; h < CTG_HOOK_MAX; h++)
		for (uint32_t i = 0; i < p->nchains; i++)
			if (p->chains[i].builtin && p->chains[i].hook == (enum ctg_hook)h)
				order[n++] = i;
	nb = n;
	for (uint32_t i = 0; i < p->nchains; i++)
		if (!p->chains[i].builtin)
			order[n++] = i;
	sort_base = p->chains;
	qsort(order + nb, n - nb, sizeof(*order), cmp_user);
	memset(tb, 0, sizeof(*tb));
	for (int h = 0; h < CTG_HOOK_MAX; h++)
		tb->hook_chain[h] = -1;
	tb->present = true;
	tb->loc = p->table_loc;
	tb->nchains = n;
	tb->chains = ctg_arena_zalloc(p->rs->arena, (n + 1) * sizeof(*tb->chains));
	if (!tb->chains || fill_table(p, tb, order, newidx))
		goto out;
	for (uint32_t i = 0; i < n; i++)
		names[i] = tb->chains[i].name;
	resolve_rules(p, tb, newidx, names);
	check_loops(p, tb);
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
	p->last_chain = -1;
	free(p->trules);
	p->trules = NULL;
	p->ntr = p->captr = 0;
	ctg_chainmap_release(&p->map);
	p->table = -1;
}
