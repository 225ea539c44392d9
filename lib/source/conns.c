// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The joined connection view: sockets x conntrack entries. Each entry is hashed under both
 * of its tuples; a socket (L -> P) looks up L->P and P->L, so NATed entries (whose other
 * tuple holds the translated address) are found through the tuple that has the real one.
 */
#include <ctguard/source.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct ct_hash {
	uint32_t *slot; /* (entry index << 1 | dir) + 1, 0 = empty */
	size_t mask;
	const struct ctg_ct_table *t;
};

struct key {
	uint8_t family, l4proto;
	const struct ctg_addr *src, *dst;
	uint16_t sport, dport;
};

static size_t hash_key(const struct key *k)
{
	uint64_t h = (uint64_t)k->family << 40 ^ (uint64_t)k->l4proto << 32 ^
		     (uint64_t)k->sport << 16 ^ k->dport;

	for (int i = 0; i < 4; i++)
		h = (h ^ k->src->w[i]) * 0x100000001b3ull ^ k->dst->w[i];
	h *= 0x9e3779b97f4a7c15ull;
	return (size_t)(h ^ h >> 29);
}

static const struct ctg_tuple *slot_tuple(const struct ct_hash *h, uint32_t v)
{
	const struct ctg_ct_entry *e = &h->t->v[(v - 1) >> 1];

	return ((v - 1) & 1) ? &e->reply : &e->orig;
}

static bool slot_eq(const struct ct_hash *h, uint32_t v, const struct key *k)
{
	const struct ctg_ct_entry *e = &h->t->v[(v - 1) >> 1];
	const struct ctg_tuple *tu = slot_tuple(h, v);

	return e->family == k->family && e->l4proto == k->l4proto && tu->sport == k->sport &&
	       tu->dport == k->dport && ctg_addr_eq(&tu->src, k->src) &&
	       ctg_addr_eq(&tu->dst, k->dst);
}

static int hash_build(struct ct_hash *h, const struct ctg_ct_table *t)
{
	size_t cap = 64;

	while (cap < t->n * 4)
		cap <<= 1;
	h->slot = calloc(cap, sizeof(*h->slot));
	if (!h->slot || t->n >= UINT32_MAX / 2)
		return -ENOMEM;
	h->mask = cap - 1;
	h->t = t;
	for (size_t i = 0; i < t->n; i++) {
		for (int dir = 0; dir < 2; dir++) {
			const struct ctg_tuple *tu = dir ? &t->v[i].reply : &t->v[i].orig;
			struct key k = {t->v[i].family, t->v[i].l4proto, &tu->src,
					&tu->dst,	tu->sport,	 tu->dport};
			size_t s = hash_key(&k) & h->mask;

			while (h->slot[s])
				s = (s + 1) & h->mask;
			h->slot[s] = (uint32_t)(i << 1 | (size_t)dir) + 1;
		}
	}
	return 0;
}

/* Returns the slot value (index << 1 | dir) + 1 or 0. */
static uint32_t hash_find(const struct ct_hash *h, const struct key *k)
{
	for (size_t s = hash_key(k) & h->mask; h->slot[s]; s = (s + 1) & h->mask)
		if (slot_eq(h, h->slot[s], k))
			return h->slot[s];
	return 0;
}

static struct ctg_conn *push(struct ctg_conn_table *t)
{
	if (t->n == t->cap) {
		size_t ncap = t->cap ? t->cap * 2 : 64;
		struct ctg_conn *nv = realloc(t->v, ncap * sizeof(*nv));

		if (!nv)
			return NULL;
		t->v = nv;
		t->cap = ncap;
	}
	memset(&t->v[t->n], 0, sizeof(t->v[0]));
	return &t->v[t->n++];
}

void ctg_conn_table_init(struct ctg_conn_table *t)
{
	memset(t, 0, sizeof(*t));
}

void ctg_conn_table_release(struct ctg_conn_table *t)
{
	free(t->v);
	memset(t, 0, sizeof(*t));
}

const char *ctg_conn_role_name(enum ctg_conn_role r)
{
	return r == CTG_ROLE_SERVER ? "server" : r == CTG_ROLE_FORWARD ? "forward" : "client";
}

static bool is_listener(const struct ctg_sock *s)
{
	static const struct ctg_addr zero;

	if (s->l4proto == 6)
		return s->state == CTG_SK_LISTEN;
	return s->pport == 0 && ctg_addr_eq(&s->paddr, &zero);
}

static bool has_ports(int l4proto)
{
	return l4proto == 6 || l4proto == 17 || l4proto == 132 || l4proto == 33 || l4proto == 136;
}

struct join {
	const struct ctg_sock_table *socks;
	uint16_t lo, hi;
};

static bool listening(const struct join *j, const struct ctg_conn *c)
{
	static const struct ctg_addr zero;

	for (size_t i = 0; i < j->socks->n; i++) {
		const struct ctg_sock *s = &j->socks->v[i];

		if (is_listener(s) && s->l4proto == c->l4proto && s->lport == c->lport &&
		    (ctg_addr_eq(&s->laddr, &zero) || ctg_addr_eq(&s->laddr, &c->laddr)))
			return true;
	}
	return false;
}

static enum ctg_conn_role port_role(const struct join *j, const struct ctg_conn *c)
{
	bool lin = c->lport >= j->lo && c->lport <= j->hi;
	bool pin = c->pport >= j->lo && c->pport <= j->hi;

	if (listening(j, c) || (!lin && pin))
		return CTG_ROLE_SERVER;
	return CTG_ROLE_CLIENT;
}

static void match_sock(const struct ct_hash *h, struct ctg_conn *c, uint8_t *used)
{
	struct key lp = {c->family, c->l4proto, &c->laddr, &c->paddr, c->lport, c->pport};
	struct key pl = {c->family, c->l4proto, &c->paddr, &c->laddr, c->pport, c->lport};
	uint32_t v = hash_find(h, &lp);

	if (v) {
		c->ct_dir_reply = (v - 1) & 1; /* L->P is the reply tuple */
	} else if ((v = hash_find(h, &pl))) {
		c->ct_dir_reply = !((v - 1) & 1); /* P->L is the original tuple */
	}
	if (v) {
		c->ct = &h->t->v[(v - 1) >> 1];
		used[(v - 1) >> 1] = 1;
	}
}

static int sock_rows(const struct join *j, const struct ct_hash *h, uint8_t *used,
		     struct ctg_conn_table *out)
{
	for (size_t i = 0; i < j->socks->n; i++) {
		const struct ctg_sock *s = &j->socks->v[i];
		struct ctg_conn *c;

		if (is_listener(s) || (s->l4proto != 6 && s->l4proto != 17))
			continue;
		c = push(out);
		if (!c)
			return -ENOMEM;
		*c = (struct ctg_conn){.family = s->family,
				       .l4proto = s->l4proto,
				       .sock = s,
				       .laddr = s->laddr,
				       .paddr = s->paddr,
				       .lport = s->lport,
				       .pport = s->pport};
		match_sock(h, c, used);
		c->role = (uint8_t)port_role(j, c);
	}
	return 0;
}

static bool is_local(const struct ctg_addr_set *locals, int family, const struct ctg_addr *a)
{
	return ctg_addr_set_has(locals, family, a);
}

/* locals plus every bound socket address. */
static int local_set(const struct ctg_addr_set *locals, const struct ctg_sock_table *socks,
		     struct ctg_addr_set *out)
{
	static const struct ctg_addr zero;
	int ret = 0;

	for (size_t i = 0; locals && !ret && i < locals->n; i++)
		ret = ctg_addr_set_add(out, locals->v[i].family, &locals->v[i].a);
	for (size_t i = 0; !ret && i < socks->n; i++)
		if (!ctg_addr_eq(&socks->v[i].laddr, &zero))
			ret = ctg_addr_set_add(out, socks->v[i].family, &socks->v[i].laddr);
	return ret;
}

/* An entry no socket claimed: ours (we sent orig or we answer in reply) or forwarded. */
static void ct_row(const struct join *j, const struct ctg_addr_set *locals,
		   const struct ctg_ct_entry *e, struct ctg_conn *c)
{
	const struct ctg_tuple *tu = &e->orig;

	*c = (struct ctg_conn){.family = e->family, .l4proto = e->l4proto, .ct = e};
	if (!is_local(locals, e->family, &e->orig.src) &&
	    is_local(locals, e->family, &e->reply.src)) {
		tu = &e->reply;
		c->ct_dir_reply = true;
	}
	c->laddr = tu->src;
	c->paddr = tu->dst;
	c->lport = tu->sport;
	c->pport = tu->dport;
	if (tu == &e->orig && !is_local(locals, e->family, &e->orig.src))
		c->role = CTG_ROLE_FORWARD;
	else if (has_ports(e->l4proto))
		c->role = (uint8_t)port_role(j, c);
	else
		c->role = c->ct_dir_reply ? CTG_ROLE_SERVER : CTG_ROLE_CLIENT;
}

static int addr_cmp(const struct ctg_addr *a, const struct ctg_addr *b)
{
	return memcmp(a->b, b->b, 16);
}

static int conn_cmp(const void *pa, const void *pb)
{
	const struct ctg_conn *a = pa, *b = pb;
	int r;

	if (a->family != b->family)
		return a->family - b->family;
	if (a->l4proto != b->l4proto)
		return a->l4proto - b->l4proto;
	if ((r = addr_cmp(&a->laddr, &b->laddr)))
		return r;
	if (a->lport != b->lport)
		return a->lport - b->lport;
	if ((r = addr_cmp(&a->paddr, &b->paddr)))
		return r;
	if (a->pport != b->pport)
		return a->pport - b->pport;
	return (a->sock == NULL) - (b->sock == NULL);
}

int ctg_conns_join(const struct ctg_sock_table *socks, const struct ctg_ct_table *cts,
		   const struct ctg_addr_set *locals, uint16_t port_lo, uint16_t port_hi,
		   struct ctg_conn_table *out)
{
	struct join j = {.socks = socks, .lo = port_lo, .hi = port_hi};
	struct ct_hash h = {0};
	uint8_t *used = calloc(cts->n + 1, 1);
	size_t base = out->n;
	struct ctg_addr_set loc;
	int ret = used ? hash_build(&h, cts) : -ENOMEM;

	ctg_addr_set_init(&loc);
	if (!ret)
		ret = local_set(locals, socks, &loc);
	if (!ret)
		ret = sock_rows(&j, &h, used, out);
	for (size_t i = 0; !ret && i < cts->n; i++) {
		struct ctg_conn *c;

		if (used[i])
			continue;
		c = push(out);
		if (!c)
			ret = -ENOMEM;
		else
			ct_row(&j, &loc, &cts->v[i], c);
	}
	if (!ret && out->n > base)
		qsort(out->v + base, out->n - base, sizeof(out->v[0]), conn_cmp);
	ctg_addr_set_release(&loc);
	free(h.slot);
	free(used);
	return ret;
}

const char *ctg_conn_ct_state(const struct ctg_conn *c)
{
	if (!c->ct)
		return "no entry";
	if (c->ct->l4proto == 6)
		return ctg_tcp_state_name((enum ctg_tcp_state)c->ct->tcp_state);
	if (c->ct->status & CTG_IPS_ASSURED)
		return "ASSURED";
	return c->ct->status & CTG_IPS_SEEN_REPLY ? "REPLIED" : "UNREPLIED";
}
