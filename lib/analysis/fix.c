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
 * forwarded flows. coarse (a service with many peers): no client address or port, only
 * the service side (address and port) and not-SYN; for client roles, every server of that
 * service port (local address, local port range, service port, not-SYN).
 */
static char *make_spec(const struct ctg_impact_input *in, const struct ctg_impact_conn *c,
		       bool from_peer, bool coarse)
{
	uint16_t plo = c->pport, phi = c->pport, llo = c->lport, lhi = c->lport;
	const char *proto = c->l4proto == 6 ? "tcp" : "udp";
	bool server = c->role == CTG_IMPACT_SERVER;
	struct ctg_strbuf sb;

	if (c->role == CTG_IMPACT_CLIENT && in->port_lo && c->lport >= in->port_lo &&
	    c->lport <= in->port_hi) {
		llo = in->port_lo;
		lhi = in->port_hi;
	}
	ctg_sb_init(&sb);
	if (coarse && c->role == CTG_IMPACT_CLIENT) {
		/* every server of that port: local address and port range, service port */
		put_addr(&sb, from_peer ? "-d" : "-s", c->family, &c->laddr);
		ctg_sb_printf(&sb, "-p %s -m %s", proto, proto);
		put_port(&sb, "--sport", from_peer ? c->pport : llo, from_peer ? c->pport : lhi);
		put_port(&sb, "--dport", from_peer ? llo : c->pport, from_peer ? lhi : c->pport);
	} else if (coarse) {
		/* service side: local for servers, the peer for forwarded flows */
		const struct ctg_addr *sa = server ? &c->laddr : &c->paddr;
		uint16_t sp = server ? c->lport : c->pport;
		bool to_service = server == from_peer;

		put_addr(&sb, to_service ? "-d" : "-s", c->family, sa);
		ctg_sb_printf(&sb, "-p %s -m %s", proto, proto);
		put_port(&sb, to_service ? "--dport" : "--sport", sp, sp);
	} else if (server) {
		put_addr(&sb, "-s", c->family, from_peer ? &c->paddr : &c->laddr);
		put_addr(&sb, "-d", c->family, from_peer ? &c->laddr : &c->paddr);
		ctg_sb_printf(&sb, "-p %s -m %s", proto, proto);
		put_port(&sb, from_peer ? "--dport" : "--sport", c->lport, c->lport);
	} else {
		put_addr(&sb, "-s", c->family, from_peer ? &c->paddr : &c->laddr);
		put_addr(&sb, "-d", c->family, from_peer ? &c->laddr : &c->paddr);
		ctg_sb_printf(&sb, "-p %s -m %s", proto, proto);
		put_port(&sb, "--sport", from_peer ? plo : llo, from_peer ? phi : lhi);
		put_port(&sb, "--dport", from_peer ? llo : plo, from_peer ? lhi : phi);
	}
	if (c->l4proto == 6)
		ctg_sb_puts(&sb, " ! --tcp-flags FIN,SYN,RST,ACK SYN");
	ctg_sb_puts(&sb, " -j ACCEPT");
	return ctg_sb_take(&sb);
}

/* ---------------------------------------------------------------- grouping */

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 0x100000001b3ull;
	return h;
}

static uint64_t rule_hash(uint8_t fam, uint8_t table, const char *chain, uint32_t pos,
			  const char *spec)
{
	uint64_t h = 0xcbf29ce484222325ull;

	h = fnv(h, &fam, 1);
	h = fnv(h, &table, 1);
	h = fnv(h, &pos, sizeof(pos));
	h = fnv(h, chain, strlen(chain));
	return fnv(h, spec, strlen(spec)) | 1;
}

/* Service group of a connection for the coarse decision (clients: per service port). */
static uint64_t service_key(const struct ctg_impact_conn *c, const struct ctg_impact_verdict *v)
{
	uint64_t h = 0xcbf29ce484222325ull;
	bool server = c->role == CTG_IMPACT_SERVER;

	h = fnv(h, &c->role, 1);
	h = fnv(h, &c->family, 1);
	h = fnv(h, &c->l4proto, 1);
	h = fnv(h, &v->stop.table, 1);
	h = fnv(h, &v->stop.rule, sizeof(v->stop.rule));
	h = fnv(h, &v->stop_from_peer, 1);
	if (c->role != CTG_IMPACT_CLIENT) /* clients: every server of that port */
		h = fnv(h, server ? &c->laddr : &c->paddr, sizeof(c->laddr));
	h = fnv(h, server ? &c->lport : &c->pport, sizeof(c->lport));
	if (v->stop.chain_name)
		h = fnv(h, v->stop.chain_name, strlen(v->stop.chain_name));
	return h | 1;
}

struct svc_peer {
	uint64_t key;
	struct ctg_addr peer;
};

static int cmp_svc_peer(const void *a, const void *b)
{
	const struct svc_peer *x = a, *y = b;

	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return memcmp(&x->peer, &y->peer, sizeof(x->peer));
}

#define COARSE_PEERS 16

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * Service groups with more than COARSE_PEERS distinct peers, as a sorted array of keys
 * (*n of them). Returns NULL when none (or ENOMEM: rules then stay per peer).
 */
static uint64_t *coarse_services(const struct ctg_impact_input *in, const struct ctg_impact *res,
				 enum ctg_impact_method m, size_t *n)
{
	struct svc_peer *sp = malloc((res->n + 1) * sizeof(*sp));
	uint64_t *out = NULL;
	size_t k = 0, no = 0;

	*n = 0;
	for (size_t i = 0; sp && i < res->n; i++) {
		const struct ctg_impact_verdict *v = ctg_impact_get(res, i, m);

		if (v->outcome != CTG_OUT_CUT && v->outcome != CTG_OUT_AT_RISK)
			continue;
		sp[k].key = service_key(&in->conns[i], v);
		sp[k].peer = in->conns[i].paddr;
		k += sp[k].key != 0;
	}
	if (sp && k)
		qsort(sp, k, sizeof(*sp), cmp_svc_peer);
	out = k ? malloc(k * sizeof(*out)) : NULL;
	for (size_t i = 0, j; out && i < k; i = j) {
		size_t peers = 1;

		for (j = i + 1; j < k && sp[j].key == sp[i].key; j++)
			peers += !!memcmp(&sp[j].peer, &sp[j - 1].peer, sizeof(sp[j].peer));
		if (peers > COARSE_PEERS)
			out[no++] = sp[i].key;
	}
	free(sp);
	if (out && no)
		qsort(out, no, sizeof(*out), cmp_u64);
	*n = no;
	return out;
}

static bool is_coarse(const uint64_t *keys, size_t n, uint64_t key)
{
	return key && n && bsearch(&key, keys, n, sizeof(*keys), cmp_u64);
}

static int hash_grow(struct ctg_fix *fx)
{
	size_t nc = fx->hcap ? fx->hcap * 2 : 256;
	uint32_t *nh = calloc(nc, sizeof(*nh));

	if (!nh)
		return -ENOMEM;
	for (size_t r = 0; r < fx->n; r++) {
		size_t i = fx->v[r].hash & (nc - 1);

		while (nh[i])
			i = (i + 1) & (nc - 1);
		nh[i] = (uint32_t)r + 1;
	}
	free(fx->htab);
	fx->htab = nh;
	fx->hcap = nc;
	return 0;
}

/* Slot of the rule equal to (fam, table, chain, pos, spec): filled (found) or empty. */
static uint32_t *find_slot(struct ctg_fix *fx, uint64_t h, uint8_t fam, uint8_t table,
			   const char *chain, uint32_t pos, const char *spec)
{
	size_t i;

	if ((fx->n + 1) * 2 > fx->hcap && hash_grow(fx))
		return NULL;
	for (i = h & (fx->hcap - 1); fx->htab[i]; i = (i + 1) & (fx->hcap - 1)) {
		const struct ctg_fix_rule *r = &fx->v[fx->htab[i] - 1];

		if (r->hash == h && r->family == fam && r->table == table && r->pos == pos &&
		    !strcmp(r->chain, chain) && !strcmp(r->spec, spec))
			break;
	}
	return &fx->htab[i];
}

static int add_rule(struct ctg_fix *fx, uint8_t fam, uint8_t table, const char *chain, uint32_t pos,
		    char *spec, size_t idx)
{
	uint64_t h = rule_hash(fam, table, chain, pos, spec);
	uint32_t *slot = find_slot(fx, h, fam, table, chain, pos, spec);

	if (slot && *slot) {
		fx->v[*slot - 1].nconns++;
		free(spec);
		return 0;
	}
	if (!slot)
		goto oom;
	if (fx->n == fx->cap) {
		size_t nc = fx->cap ? fx->cap * 2 : 16;
		struct ctg_fix_rule *nv = realloc(fx->v, nc * sizeof(*nv));

		if (!nv)
			goto oom;
		fx->v = nv;
		fx->cap = nc;
	}
	fx->v[fx->n] = (struct ctg_fix_rule){.family = fam,
					     .table = table,
					     .chain = chain,
					     .pos = pos,
					     .spec = spec,
					     .nconns = 1,
					     .first = idx,
					     .hash = h};
	*slot = (uint32_t)++fx->n;
	return 0;
oom:
	free(spec);
	return -ENOMEM;
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
	size_t ncoarse;
	uint64_t *coarse = coarse_services(in, res, fx->method, &ncoarse);
	int err = 0;

	for (size_t i = 0; i < res->n && !err; i++) {
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
		spec = make_spec(in, c, v->stop_from_peer,
				 is_coarse(coarse, ncoarse, service_key(c, v)));
		if (!spec || add_rule(fx, c->family, v->stop.table, chain, pos, spec, i))
			err = -ENOMEM;
	}
	free(coarse);
	return err;
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

/* Fix rules by table, then chain: the first keys of both orders below. */
static int cmp_table_chain(const struct ctg_fix_rule *x, const struct ctg_fix_rule *y)
{
	int c = (int)x->table - (int)y->table;

	return c ? c : strcmp(x->chain, y->chain);
}

static int cmp_place(const void *a, const void *b)
{
	const struct ctg_fix_rule *x = *(const struct ctg_fix_rule *const *)a;
	const struct ctg_fix_rule *y = *(const struct ctg_fix_rule *const *)b;
	int c = cmp_table_chain(x, y);

	if (c)
		return c;
	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

/* Emits the rules placed at (table, chain, pos) from the sorted index. */
static void put_rules(struct ctg_strbuf *sb, const struct ctg_fix_rule **idx, size_t n, int table,
		      const char *chain, uint32_t pos)
{
	struct ctg_fix_rule key = {.table = (uint8_t)table, .chain = chain, .pos = pos};
	const struct ctg_fix_rule *kp = &key;
	size_t lo = 0, hi = n;

	while (lo < hi) { /* first >= key */
		size_t mid = (lo + hi) / 2;

		if (cmp_place(&idx[mid], &kp) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < n && !cmp_place(&idx[lo], &kp); lo++)
		ctg_sb_printf(sb, "-A %s %s\n", idx[lo]->chain, idx[lo]->spec);
}

/* Appends (pos 0) the rules of every chain of table: at its COMMIT. */
static void put_appends(struct ctg_strbuf *sb, const struct ctg_fix_rule **idx, size_t n, int table)
{
	for (size_t i = 0; i < n; i++)
		if (idx[i]->table == table && idx[i]->pos == 0)
			ctg_sb_printf(sb, "-A %s %s\n", idx[i]->chain, idx[i]->spec);
}

/*
 * The canonical text with the rules inserted. Canonical output groups each chain's rules
 * in one block, so a running count per block gives the rule numbers.
 */
static char *insert_text(const char *text, const struct ctg_fix *fx, uint8_t fam)
{
	const struct ctg_fix_rule **idx = calloc(fx->n + 1, sizeof(*idx));
	char cur[64] = "";
	struct ctg_strbuf sb;
	size_t n = 0;
	uint32_t count = 0;
	int table = -1;

	if (!idx)
		return NULL;
	for (size_t i = 0; i < fx->n; i++)
		if (fx->v[i].family == fam)
			idx[n++] = &fx->v[i];
	if (n > 1)
		qsort(idx, n, sizeof(*idx), cmp_place);
	ctg_sb_init(&sb);
	for (const char *l = text; *l;) {
		const char *e = strchr(l, '\n');
		size_t len = e ? (size_t)(e - l) : strlen(l);
		char name[64];

		if (l[0] == '*') {
			table = ctg_table_lookup(strndupa(l + 1, len - 1));
			cur[0] = 0;
		} else if (!strncmp(l, "COMMIT", 6) && table >= 0) {
			put_appends(&sb, idx, n, table);
		} else if (table >= 0 && line_chain(l, len, name, sizeof(name))) {
			if (strcmp(name, cur)) {
				snprintf(cur, sizeof(cur), "%s", name);
				count = 0;
			}
			put_rules(&sb, idx, n, table, name, ++count);
		}
		ctg_sb_putn(&sb, l, len);
		ctg_sb_putc(&sb, '\n');
		l += len + (e ? 1 : 0);
	}
	free(idx);
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
	int c = cmp_table_chain(x, y);

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
	if (n > 1)
		qsort(v, n, sizeof(*v), cmp_pos_desc);
	ctg_sb_init(&sb);
	for (size_t i = 0; i < n; i++) {
		if (v[i]->table != table) {
			if (table >= 0)
				ctg_sb_puts(&sb, "COMMIT\n");
			table = v[i]->table;
			ctg_sb_printf(&sb, "*%s\n", ctg_table_name(table));
		}
		ctg_sb_printf(&sb, "# %zu connection%s; dropped by %s\n", v[i]->nconns,
			      v[i]->nconns == 1 ? "" : "s",
			      v[i]->pos ? "an explicit rule: review before overriding it"
					: "the chain's policy");
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
	free(fx->htab);
	memset(fx, 0, sizeof(*fx));
}
