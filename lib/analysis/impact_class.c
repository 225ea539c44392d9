// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Equivalence classes of addresses and ports for the impact memo. Two values are in the
 * same class when no rule of the rulesets can tell them apart: no prefix, range or port
 * number boundary falls between them. Boundaries come from the rules' IP part and from
 * the canonical text of the matches that look at addresses or ports; a match the builder
 * does not know makes the field exact (every value its own class).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../match/mutil.h"
#include "../ruleset/ir.h"
#include "impact.h"

struct bound_vec {
	struct ctg_addr *v;
	size_t n, cap;
};

struct ctg_impact_classes {
	bool exact_addr, exact_port, need_timeout;
	struct bound_vec b[2]; /* [0] IPv4, [1] IPv6; sorted, unique */
	uint32_t *v4;	       /* b[0] as host-order numbers, for a fast search */
	uint32_t *port_cls;    /* 65536 entries */
	bool oom;
};

/* Matches that look at no address, port or timeout (or whose answer is unknown anyway). */
static const char *const free_mods[] = {
	"comment",  "connlimit", "connmark", "dscp",   "ecn",	   "hashlimit", "helper",
	"hl",	    "icmp",	 "icmp6",    "length", "limit",	   "mac",	"mark",
	"owner",    "physdev",	 "pkttype",  "quota",  "set",	   "state",	"statistic",
	"tcpmss",   "time",	 "tos",	     "ttl",    "recent",   "nfacct",	"cpu",
	"devgroup", "realm",	 "cgroup",   "socket", "rpfilter",
};
/* Matches whose port conditions are numbers in their canonical text. */
static const char *const port_mods[] = {"tcp", "udp", "multiport", "sctp", "dccp", "udplite"};
/* Matches whose address conditions are addresses/ranges in their canonical text. */
static const char *const addr_mods[] = {"iprange", "policy", "addrtype"};

static bool in_list(const char *name, const char *const *l, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(name, l[i]))
			return true;
	return false;
}

#define IN(name, l) in_list(name, l, sizeof(l) / sizeof(l[0]))

static void bound_push(struct ctg_impact_classes *c, int fi, const struct ctg_addr *a)
{
	struct bound_vec *b = &c->b[fi];

	if (b->n == b->cap) {
		size_t nc = b->cap ? b->cap * 2 : 64;
		struct ctg_addr *nv = realloc(b->v, nc * sizeof(*nv));

		if (!nv) {
			c->oom = true;
			return;
		}
		b->v = nv;
		b->cap = nc;
	}
	b->v[b->n++] = *a;
}

/* Adds the boundaries of [lo, hi]: lo and hi + 1 (unless hi is the last address). */
static void add_range(struct ctg_impact_classes *c, int family, const struct ctg_addr *lo,
		      const struct ctg_addr *hi)
{
	int fi = family == 10, len = family == 10 ? 16 : 4;
	struct ctg_addr next = *hi;

	bound_push(c, fi, lo);
	for (int i = len - 1; i >= 0; i--)
		if (++next.b[i] != 0) {
			bound_push(c, fi, &next);
			return;
		}
}

static void add_prefix(struct ctg_impact_classes *c, int family, const struct ctg_addr *net,
		       const struct ctg_addr *mask)
{
	struct ctg_addr lo, hi;

	for (int i = 0; i < 4; i++) {
		lo.w[i] = net->w[i] & mask->w[i];
		hi.w[i] = net->w[i] | ~mask->w[i];
	}
	if (family == 2)
		hi.w[1] = hi.w[2] = hi.w[3] = 0;
	add_range(c, family, &lo, &hi);
}

static void scan_ports(struct ctg_impact_classes *c, const char *s, uint8_t *bits)
{
	while (*s) {
		char *end;
		unsigned long v;

		if (*s < '0' || *s > '9') {
			s++;
			continue;
		}
		v = strtoul(s, &end, 10);
		if (v <= 65535 && (*end == 0 || *end == ' ' || *end == ',' || *end == ':')) {
			bits[v >> 3] |= 1u << (v & 7);
			if (v < 65535)
				bits[(v + 1) >> 3] |= 1u << ((v + 1) & 7);
		}
		s = end;
	}
}

/* One token: "a", "a/len", "a/mask" or "a-b". */
static void scan_addr_token(struct ctg_impact_classes *c, int family, char *tok)
{
	struct ctg_addr a, m, b;
	char *dash = strchr(tok, '-');

	if (dash) {
		*dash = 0;
		if (!ctg_addr_parse(family, tok, &a) && !ctg_addr_parse(family, dash + 1, &b))
			add_range(c, family, &a, &b);
		return;
	}
	if (!ctg_mu_addr_mask(family, tok, &a, &m))
		add_prefix(c, family, &a, &m);
}

static void scan_addrs(struct ctg_impact_classes *c, int family, const char *s)
{
	char *copy = strdup(s), *save = NULL;

	if (!copy) {
		c->oom = true;
		return;
	}
	for (char *t = strtok_r(copy, " ,", &save); t; t = strtok_r(NULL, " ,", &save))
		if (strchr(t, family == 10 ? ':' : '.'))
			scan_addr_token(c, family, t);
	free(copy);
}

static void scan_match(struct ctg_impact_classes *c, int family, const struct ctg_match *m,
		       uint8_t *bits, struct ctg_strbuf *sb)
{
	const char *name = m->ops ? m->ops->name : NULL;
	bool ports, addrs;

	if (!name || IN(name, free_mods))
		return;
	ports = IN(name, port_mods) || !strcmp(name, "conntrack");
	addrs = IN(name, addr_mods) || !strcmp(name, "conntrack");
	if (!ports && !addrs) {
		c->exact_addr = c->exact_port = true;
		return;
	}
	ctg_sb_reset(sb);
	if (m->ops->emit)
		m->ops->emit(m->data, (enum ctg_family)family, sb);
	if (strstr(ctg_sb_str(sb), "ctexpire"))
		c->need_timeout = true;
	if (ports)
		scan_ports(c, ctg_sb_str(sb), bits);
	if (addrs)
		scan_addrs(c, family, ctg_sb_str(sb));
}

static void scan_rule(struct ctg_impact_classes *c, int family, const struct ctg_rule *r,
		      uint8_t *bits, struct ctg_strbuf *sb)
{
	if (r->src_set)
		add_prefix(c, family, &r->src, &r->smsk);
	if (r->dst_set)
		add_prefix(c, family, &r->dst, &r->dmsk);
	for (uint16_t i = 0; i < r->nmatches; i++)
		scan_match(c, family, &r->matches[i], bits, sb);
	/* targets whose effect depends on the exact address (later rules see the result) */
	if (r->target.name &&
	    (!strcmp(r->target.name, "NETMAP") || !strcmp(r->target.name, "HMARK") ||
	     !strcmp(r->target.name, "CLUSTERIP")))
		c->exact_addr = c->exact_port = true;
}

static void scan_ruleset(struct ctg_impact_classes *c, const struct ctg_ruleset *rs, uint8_t *bits,
			 struct ctg_strbuf *sb)
{
	for (int t = 0; t < CTG_TABLE_MAX; t++) {
		const struct ctg_table *tb = &rs->tables[t];

		if (!tb->present)
			continue;
		for (uint32_t ch = 0; ch < tb->nchains; ch++)
			for (uint32_t k = 0; k < tb->chains[ch].nrules; k++)
				scan_rule(c, rs->family, &tb->chains[ch].rules[k], bits, sb);
	}
}

static int cmp_addr(const void *a, const void *b)
{
	return memcmp(a, b, sizeof(struct ctg_addr));
}

static void finish(struct ctg_impact_classes *c, const uint8_t *bits)
{
	uint32_t cls = 0;

	for (int fi = 0; fi < 2; fi++) {
		struct bound_vec *b = &c->b[fi];
		size_t j = 0;

		if (b->n)
			qsort(b->v, b->n, sizeof(*b->v), cmp_addr);
		for (size_t i = 0; i < b->n; i++)
			if (!j || memcmp(&b->v[j - 1], &b->v[i], sizeof(*b->v)))
				b->v[j++] = b->v[i];
		b->n = j;
	}
	c->v4 = malloc((c->b[0].n + 1) * sizeof(*c->v4));
	if (!c->v4) {
		c->oom = true;
		return;
	}
	for (size_t i = 0; i < c->b[0].n; i++)
		c->v4[i] = ntohl(c->b[0].v[i].w[0]);
	for (uint32_t p = 0; p < 65536; p++) {
		if (bits[p >> 3] & (1u << (p & 7)))
			cls++;
		c->port_cls[p] = cls;
	}
}

static void add_env_bounds(struct ctg_impact_classes *c, const struct ctg_impact_local *local,
			   size_t nlocal)
{
	struct ctg_addr lo = {0}, hi = {0};

	for (size_t i = 0; i < nlocal; i++)
		add_range(c, local[i].family, &local[i].addr, &local[i].addr);
	lo.b[0] = 127;
	hi.b[0] = 127;
	hi.b[1] = hi.b[2] = hi.b[3] = 255;
	add_range(c, 2, &lo, &hi);
	memset(&lo, 0, sizeof(lo));
	lo.b[15] = 1;
	add_range(c, 10, &lo, &lo);
	/* multicast and broadcast (pkttype, addrtype) */
	memset(&lo, 0, sizeof(lo));
	memset(&hi, 0, sizeof(hi));
	lo.b[0] = 224;
	hi.b[0] = 239;
	hi.b[1] = hi.b[2] = hi.b[3] = 255;
	add_range(c, 2, &lo, &hi);
	memset(&lo, 255, 4);
	add_range(c, 2, &lo, &lo);
	memset(&lo, 0, sizeof(lo));
	memset(&hi, 255, sizeof(hi));
	lo.b[0] = 0xff;
	add_range(c, 10, &lo, &hi);
}

struct ctg_impact_classes *ctg_impact_classes_new(const struct ctg_ruleset *const *rs, size_t nrs,
						  const struct ctg_impact_local *local,
						  size_t nlocal)
{
	struct ctg_impact_classes *c = calloc(1, sizeof(*c));
	uint8_t *bits = calloc(65536 / 8, 1);
	struct ctg_strbuf sb;

	if (c)
		c->port_cls = malloc(65536 * sizeof(*c->port_cls));
	if (!c || !bits || !c->port_cls) {
		free(bits);
		ctg_impact_classes_free(c);
		errno = ENOMEM;
		return NULL;
	}
	ctg_sb_init(&sb);
	bits[0] |= 1; /* class 0 starts at port 0 */
	for (size_t i = 0; i < nrs; i++)
		if (rs[i])
			scan_ruleset(c, rs[i], bits, &sb);
	add_env_bounds(c, local, nlocal);
	finish(c, bits);
	ctg_sb_release(&sb);
	free(bits);
	if (c->oom || sb.oom) {
		ctg_impact_classes_free(c);
		errno = ENOMEM;
		return NULL;
	}
	return c;
}

void ctg_impact_classes_free(struct ctg_impact_classes *c)
{
	if (!c)
		return;
	free(c->b[0].v);
	free(c->b[1].v);
	free(c->port_cls);
	free(c->v4);
	free(c);
}

void ctg_impact_class_addr(const struct ctg_impact_classes *c, uint8_t family,
			   const struct ctg_addr *a, struct ctg_addr *out)
{
	const struct bound_vec *b = &c->b[family == 10];
	size_t lo = 0, hi = b->n;

	if (c->exact_addr) {
		*out = *a;
		return;
	}
	if (family != 10) {
		uint32_t x = ntohl(a->w[0]);

		while (lo < hi) {
			size_t mid = (lo + hi) / 2;

			if (c->v4[mid] <= x)
				lo = mid + 1;
			else
				hi = mid;
		}
		memset(out, 0, sizeof(*out));
		out->w[0] = (uint32_t)lo;
		return;
	}
	/* Number of boundaries <= a. */
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (memcmp(&b->v[mid], a, sizeof(*a)) <= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	memset(out, 0, sizeof(*out));
	out->w[0] = (uint32_t)lo;
}

uint32_t ctg_impact_class_v4(const struct ctg_impact_classes *c, uint32_t x, uint32_t *lo,
			     uint32_t *hi)
{
	size_t a = 0, b = c->b[0].n;

	if (c->exact_addr) {
		*lo = *hi = x;
		return x;
	}
	while (a < b) {
		size_t mid = (a + b) / 2;

		if (c->v4[mid] <= x)
			a = mid + 1;
		else
			b = mid;
	}
	*lo = a ? c->v4[a - 1] : 0;
	*hi = a < c->b[0].n ? c->v4[a] - 1 : UINT32_MAX;
	return (uint32_t)a;
}

uint32_t ctg_impact_class_port(const struct ctg_impact_classes *c, uint16_t port)
{
	return c->exact_port ? port : c->port_cls[port];
}

bool ctg_impact_classes_need_timeout(const struct ctg_impact_classes *c)
{
	return c->need_timeout;
}
