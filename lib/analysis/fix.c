// SPDX-License-Identifier: GPL-2.0-or-later
/* `ctguard check --fix`: rules that save cut/at-risk connections, and their verification. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../ruleset/ir.h"
#include "fix.h"

static enum ctg_impact_method fix_method(unsigned methods)
{
	if (methods & (1u << CTG_IMPACT_RESTART))
		return CTG_IMPACT_RESTART;
	if (methods & (1u << CTG_IMPACT_ATOMIC))
		return CTG_IMPACT_ATOMIC;
	return CTG_IMPACT_FLUSH;
}

static const struct ctg_ruleset *method_rs(const struct ctg_impact_input *in,
					   enum ctg_impact_method m, uint8_t family)
{
	if (m == CTG_IMPACT_FLUSH)
		return family == 10 ? in->cur6 : in->cur4;
	return family == 10 ? in->cand6 : in->cand4;
}

static void put_addr(struct ctg_strbuf *sb, const char *opt, uint8_t fam, const struct ctg_addr *a)
{
	char buf[CTG_ADDRSTRLEN];

	ctg_sb_printf(sb, "%s %s/%d ", opt, ctg_addr_format(fam, a, buf, sizeof(buf)),
		      fam == 10 ? 128 : 32);
}

static void put_port(struct ctg_strbuf *sb, const char *opt, uint16_t lo, uint16_t hi)
{
	if (lo == hi)
		ctg_sb_printf(sb, " %s %u", opt, lo);
	else
		ctg_sb_printf(sb, " %s %u:%u", opt, lo, hi);
}

/*
 * The rule accepting the dropped packet of c: from the peer (P) or from the local side
 * (L). Ports: the peer's service port for client roles and the local range, the local
 * service port for server roles (the peer's ephemeral port is left open), both exact for
 * forwarded flows.
 */
static char *make_spec(const struct ctg_impact_input *in, const struct ctg_impact_conn *c,
		       bool from_peer)
{
	uint16_t plo = c->pport, phi = c->pport, llo = c->lport, lhi = c->lport;
	const char *proto = c->l4proto == 6 ? "tcp" : "udp";
	struct ctg_strbuf sb;

	if (c->role == CTG_IMPACT_CLIENT && in->port_lo && c->lport >= in->port_lo &&
	    c->lport <= in->port_hi) {
		llo = in->port_lo;
		lhi = in->port_hi;
	}
	if (c->role == CTG_IMPACT_SERVER) {
		plo = 0;
		phi = 65535;
	}
	ctg_sb_init(&sb);
	put_addr(&sb, "-s", c->family, from_peer ? &c->paddr : &c->laddr);
	put_addr(&sb, "-d", c->family, from_peer ? &c->laddr : &c->paddr);
	ctg_sb_printf(&sb, "-p %s -m %s", proto, proto);
	if (!(plo == 0 && phi == 65535))
		put_port(&sb, "--sport", from_peer ? plo : llo, from_peer ? phi : lhi);
	if (from_peer)
		put_port(&sb, "--dport", llo, lhi);
	else if (!(plo == 0 && phi == 65535))
		put_port(&sb, "--dport", plo, phi);
	if (!from_peer && c->role == CTG_IMPACT_SERVER) {
		/* local server answering: source port is the service port */
		ctg_sb_reset(&sb);
		put_addr(&sb, "-s", c->family, &c->laddr);
		put_addr(&sb, "-d", c->family, &c->paddr);
		ctg_sb_printf(&sb, "-p %s -m %s", proto, proto);
		put_port(&sb, "--sport", c->lport, c->lport);
	}
	if (c->l4proto == 6)
		ctg_sb_puts(&sb, " ! --tcp-flags FIN,SYN,RST,ACK SYN");
	ctg_sb_puts(&sb, " -j ACCEPT");
	return ctg_sb_take(&sb);
}

static struct ctg_fix_rule *find_rule(struct ctg_fix *fx, uint8_t fam, uint8_t table,
				      const char *chain, uint32_t pos, const char *spec)
{
	for (size_t i = 0; i < fx->n; i++) {
		struct ctg_fix_rule *r = &fx->v[i];

		if (r->family == fam && r->table == table && r->pos == pos &&
		    !strcmp(r->chain, chain) && !strcmp(r->spec, spec))
			return r;
	}
	return NULL;
}

static int add_rule(struct ctg_fix *fx, uint8_t fam, uint8_t table, const char *chain, uint32_t pos,
		    char *spec, size_t idx)
{
	struct ctg_fix_rule *r = find_rule(fx, fam, table, chain, pos, spec);

	if (r) {
		r->nconns++;
		free(spec);
		return 0;
	}
	if (fx->n == fx->cap) {
		size_t nc = fx->cap ? fx->cap * 2 : 16;
		struct ctg_fix_rule *nv = realloc(fx->v, nc * sizeof(*nv));

		if (!nv) {
			free(spec);
			return -ENOMEM;
		}
		fx->v = nv;
		fx->cap = nc;
	}
	fx->v[fx->n++] = (struct ctg_fix_rule){.family = fam,
					       .table = table,
					       .chain = chain,
					       .pos = pos,
					       .spec = spec,
					       .nconns = 1,
					       .first = idx};
	return 0;
}

/*
 * Position in the original chain of rule k of the fixed chain (which holds the fix rules
 * inserted so far): the j with j + (fix rules inserted at positions <= j) == k.
 */
static uint32_t orig_pos(const struct ctg_fix *fx, uint8_t fam, uint8_t table, const char *chain,
			 uint32_t k)
{
	for (uint32_t j = 1; k && j <= k; j++) {
		uint32_t before = 0;

		for (size_t i = 0; i < fx->n; i++) {
			const struct ctg_fix_rule *r = &fx->v[i];

			if (r->family == fam && r->table == table && r->pos && r->pos <= j &&
			    !strcmp(r->chain, chain))
				before++;
		}
		if (j + before == k)
			return j;
	}
	return k;
}

/* The chain name as the original ruleset spells it (stable across rounds). */
static const char *orig_chain(const struct ctg_ruleset *rs, uint8_t table, const char *name)
{
	int i = rs && name ? ctg_table_chain_index(&rs->tables[table], name) : -1;

	return i >= 0 ? rs->tables[table].chains[i].name : NULL;
}

/* Rules for the bad verdicts of res (round 0: the analysis; later: of the fixed rulesets). */
static int add_round(const struct ctg_impact_input *in, const struct ctg_impact *orig,
		     const struct ctg_impact *res, bool later, struct ctg_fix *fx)
{
	for (size_t i = 0; i < res->n; i++) {
		const struct ctg_impact_verdict *o = ctg_impact_get(orig, i, fx->method);
		const struct ctg_impact_verdict *v = ctg_impact_get(res, i, fx->method);
		const struct ctg_impact_conn *c = &in->conns[i];
		const char *chain;
		uint32_t pos;
		char *spec;

		if ((o->outcome != CTG_OUT_CUT && o->outcome != CTG_OUT_AT_RISK) ||
		    (v->outcome != CTG_OUT_CUT && v->outcome != CTG_OUT_AT_RISK))
			continue;
		chain = orig_chain(method_rs(in, fx->method, c->family), v->stop.table,
				   v->stop.chain_name);
		if (!v->has_stop || !chain || (c->l4proto != 6 && c->l4proto != 17)) {
			fx->unfixable += !later;
			continue;
		}
		pos = later ? orig_pos(fx, c->family, v->stop.table, chain, v->stop.rule)
			    : v->stop.rule;
		spec = make_spec(in, c, v->stop_from_peer);
		if (!spec || add_rule(fx, c->family, v->stop.table, chain, pos, spec, i))
			return -ENOMEM;
	}
	return 0;
}

int ctg_fix_build(const struct ctg_impact_input *in, const struct ctg_impact *res,
		  struct ctg_fix *fx)
{
	memset(fx, 0, sizeof(*fx));
	fx->method = fix_method(in->methods);
	return add_round(in, res, res, false, fx);
}

/* ---------------------------------------------------------------- fixed ruleset */

static const char *line_chain(const char *line, size_t len, char *buf, size_t sz)
{
	size_t n = 0;

	if (len < 4 || strncmp(line, "-A ", 3))
		return NULL;
	for (const char *p = line + 3; p < line + len && *p != ' ' && n + 1 < sz; p++)
		buf[n++] = *p;
	buf[n] = 0;
	return buf;
}

static void put_rules(struct ctg_strbuf *sb, const struct ctg_fix *fx, uint8_t fam, int table,
		      const char *chain, uint32_t pos)
{
	for (size_t i = 0; i < fx->n; i++) {
		const struct ctg_fix_rule *r = &fx->v[i];

		if (r->family == fam && r->table == table && r->pos == pos &&
		    (!chain || !strcmp(chain, r->chain)))
			ctg_sb_printf(sb, "-A %s %s\n", r->chain, r->spec);
	}
}

/* Rule count seen so far per chain of the current table (small linear map). */
struct chain_count {
	char name[64];
	uint32_t n;
};

static uint32_t bump(struct chain_count *cc, size_t *ncc, const char *name)
{
	for (size_t i = 0; i < *ncc; i++)
		if (!strcmp(cc[i].name, name))
			return ++cc[i].n;
	if (*ncc >= 4096)
		return 0;
	snprintf(cc[*ncc].name, sizeof(cc[*ncc].name), "%s", name);
	cc[*ncc].n = 1;
	return cc[(*ncc)++].n;
}

static char *insert_text(const char *text, const struct ctg_fix *fx, uint8_t fam)
{
	struct chain_count *cc = calloc(4096, sizeof(*cc));
	struct ctg_strbuf sb;
	size_t ncc = 0;
	int table = -1;

	if (!cc)
		return NULL;
	ctg_sb_init(&sb);
	for (const char *l = text; *l;) {
		const char *e = strchr(l, '\n');
		size_t len = e ? (size_t)(e - l) : strlen(l);
		char name[64];

		if (l[0] == '*') {
			table = ctg_table_lookup(strndupa(l + 1, len - 1));
			ncc = 0;
		} else if (!strncmp(l, "COMMIT", 6) && table >= 0) {
			put_rules(&sb, fx, fam, table, NULL, 0);
		} else if (table >= 0 && line_chain(l, len, name, sizeof(name))) {
			put_rules(&sb, fx, fam, table, name, bump(cc, &ncc, name));
		}
		ctg_sb_putn(&sb, l, len);
		ctg_sb_putc(&sb, '\n');
		l += len + (e ? 1 : 0);
	}
	free(cc);
	return ctg_sb_take(&sb);
}

static int fixed_ruleset(const struct ctg_ruleset *rs, const struct ctg_fix *fx, uint8_t fam,
			 struct ctg_ruleset **out)
{
	char *text, *fixed;
	struct ctg_diags *d;
	int err = 0;

	*out = NULL;
	if (!rs)
		return 0;
	text = ctg_ruleset_emit(rs, 0);
	fixed = text ? insert_text(text, fx, fam) : NULL;
	d = ctg_diags_new();
	if (fixed && d) {
		*out = ctg_ruleset_parse(fixed, strlen(fixed), rs->name, fam, d);
		if (*out && ctg_diags_errors(d)) {
			ctg_ruleset_free(*out);
			*out = NULL;
			err = -EINVAL;
		}
	}
	if (!err && !*out)
		err = -ENOMEM;
	ctg_diags_free(d);
	free(text);
	free(fixed);
	return err;
}

static bool bad(uint8_t o)
{
	return o == CTG_OUT_CUT || o == CTG_OUT_AT_RISK;
}

static void compare(const struct ctg_impact_input *in, const struct ctg_impact *res,
		    struct ctg_fix *fx, const struct ctg_impact *after)
{
	for (size_t i = 0; i < res->n; i++) {
		uint8_t b = ctg_impact_get(res, i, fx->method)->outcome;
		uint8_t a = ctg_impact_get(after, i, fx->method)->outcome;

		if (bad(b) && a != CTG_OUT_SAFE)
			fx->remaining++;
		for (int m = 0; m < CTG_IMPACT_NMETHODS; m++) {
			if (!(in->methods & (1u << m)) || (m == (int)fx->method && bad(b)))
				continue;
			if (bad(ctg_impact_get(res, i, m)->outcome))
				continue; /* saving it under another method is fine too */
			if (ctg_impact_get(res, i, m)->outcome !=
			    ctg_impact_get(after, i, m)->outcome)
				fx->changed++;
		}
	}
	fx->verified = fx->remaining == 0 && fx->changed == 0;
}

static int verify_once(const struct ctg_impact_input *in, const struct ctg_impact *res,
		       struct ctg_fix *fx, struct ctg_impact *after)
{
	struct ctg_impact_input in2 = *in;
	int err;

	ctg_ruleset_free(fx->fixed4);
	ctg_ruleset_free(fx->fixed6);
	fx->fixed4 = fx->fixed6 = NULL;
	fx->remaining = fx->changed = 0;
	err = fixed_ruleset(method_rs(in, fx->method, 2), fx, 2, &fx->fixed4);
	if (!err)
		err = fixed_ruleset(method_rs(in, fx->method, 10), fx, 10, &fx->fixed6);
	if (err)
		return err;
	if (fx->method == CTG_IMPACT_FLUSH) {
		in2.cur4 = fx->fixed4 ? fx->fixed4 : in->cur4;
		in2.cur6 = fx->fixed6 ? fx->fixed6 : in->cur6;
	} else {
		in2.cand4 = fx->fixed4 ? fx->fixed4 : in->cand4;
		in2.cand6 = fx->fixed6 ? fx->fixed6 : in->cand6;
	}
	err = ctg_impact_run(&in2, after);
	if (!err)
		compare(in, res, fx, after);
	return err;
}

int ctg_fix_verify(const struct ctg_impact_input *in, const struct ctg_impact *res,
		   struct ctg_fix *fx, struct ctg_impact *after)
{
	int err = 0;

	memset(after, 0, sizeof(*after));
	for (int round = 0; round < 4; round++) {
		size_t before = fx->n;

		ctg_impact_release(after);
		err = verify_once(in, res, fx, after);
		if (err || !fx->remaining)
			break;
		err = add_round(in, res, after, true, fx);
		if (err || fx->n == before)
			break;
	}
	return err;
}

/* ---------------------------------------------------------------- output */

static int cmp_pos_desc(const void *a, const void *b)
{
	const struct ctg_fix_rule *x = *(const struct ctg_fix_rule *const *)a;
	const struct ctg_fix_rule *y = *(const struct ctg_fix_rule *const *)b;
	int c = (int)x->table - (int)y->table;

	if (c)
		return c;
	c = strcmp(x->chain, y->chain);
	if (c)
		return c;
	if (x->pos != y->pos) /* appends (0) last, then descending positions */
		return x->pos == 0 ? 1 : y->pos == 0 ? -1 : (x->pos < y->pos ? 1 : -1);
	return x < y ? -1 : 1;
}

char *ctg_fix_restore_text(const struct ctg_fix *fx, uint8_t family)
{
	const struct ctg_fix_rule **v = calloc(fx->n + 1, sizeof(*v));
	struct ctg_strbuf sb;
	size_t n = 0;
	int table = -1;

	if (!v)
		return NULL;
	for (size_t i = 0; i < fx->n; i++)
		if (fx->v[i].family == family)
			v[n++] = &fx->v[i];
	if (!n) {
		free(v);
		errno = 0;
		return NULL;
	}
	qsort(v, n, sizeof(*v), cmp_pos_desc);
	ctg_sb_init(&sb);
	for (size_t i = 0; i < n; i++) {
		if (v[i]->table != table) {
			if (table >= 0)
				ctg_sb_puts(&sb, "COMMIT\n");
			table = v[i]->table;
			ctg_sb_printf(&sb, "*%s\n", ctg_table_name(table));
		}
		if (v[i]->pos)
			ctg_sb_printf(&sb, "-I %s %u %s\n", v[i]->chain, v[i]->pos, v[i]->spec);
		else
			ctg_sb_printf(&sb, "-A %s %s\n", v[i]->chain, v[i]->spec);
	}
	ctg_sb_puts(&sb, "COMMIT\n");
	free(v);
	return ctg_sb_take(&sb);
}

void ctg_fix_release(struct ctg_fix *fx)
{
	for (size_t i = 0; i < fx->n; i++)
		free(fx->v[i].spec);
	free(fx->v);
	ctg_ruleset_free(fx->fixed4);
	ctg_ruleset_free(fx->fixed6);
	memset(fx, 0, sizeof(*fx));
}
