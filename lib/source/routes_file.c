// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Routes from a file (`ip -j route show table all`, `ip -j rule`, `ip -6 -j rule`) and
 * the model that answers lookups from them: policy rules by priority, then the longest
 * prefix of the rule's table (lowest metric among equals).
 */
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "core/fileio.h"
#include "routes_int.h"

struct rparse {
	struct ctg_routes *r;
	struct ctg_diags *d;
	const char *name;
	const char *text;
	size_t base; /* offset of the current array in text */
	int err;
};

static void perr(struct rparse *p, size_t off, const char *fmt, const char *what)
{
	struct ctg_loc loc = {.src = p->name, .line = 1};
	const char *ls = p->text;
	char line[200];
	size_t n;

	for (size_t i = 0; i < off && p->text[i]; i++)
		if (p->text[i] == '\n') {
			loc.line++;
			ls = p->text + i + 1;
		}
	loc.col = (uint16_t)(p->text + off - ls + 1);
	n = strcspn(ls, "\n");
	if (n >= sizeof(line))
		n = sizeof(line) - 1;
	memcpy(line, ls, n);
	line[n] = 0;
	ctg_diags_add(p->d, CTG_SEV_ERROR, "bad-routes", &loc, line, NULL, fmt, what);
}

static int addr_family(const char *s)
{
	return strchr(s, ':') ? 10 : 2;
}

/* "10.0.0.0/8", "default", "1.2.3.4": into a/plen. -1 when unparsable. */
static int parse_prefix(const char *s, int family, struct ctg_addr *a, uint8_t *plen)
{
	char buf[64];
	const char *slash = strchr(s, '/');
	size_t n = slash ? (size_t)(slash - s) : strlen(s);
	int max = family == 10 ? 128 : 32;

	memset(a, 0, sizeof(*a));
	if (!strcmp(s, "default") || !strcmp(s, "all")) {
		*plen = 0;
		return 0;
	}
	if (n >= sizeof(buf))
		return -1;
	memcpy(buf, s, n);
	buf[n] = 0;
	if (ctg_addr_parse(family, buf, a))
		return -1;
	*plen = (uint8_t)max;
	if (slash) {
		char *end;
		long l = strtol(slash + 1, &end, 10);

		if (*end || l < 0 || l > max)
			return -1;
		*plen = (uint8_t)l;
	}
	return 0;
}

static const char *jstr(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static int route_family(json_t *o)
{
	const char *keys[] = {"dst", "gateway", "prefsrc"};

	if (json_object_get(o, "pref"))
		return 10;
	for (size_t i = 0; i < 3; i++) {
		const char *s = jstr(o, keys[i]);

		if (s && strcmp(s, "default"))
			return addr_family(s);
	}
	return 2;
}

static uint8_t route_type(const char *t, bool *throw_)
{
	*throw_ = false;
	if (!t || !strcmp(t, "unicast"))
		return CTG_RT_UNICAST;
	if (!strcmp(t, "local") || !strcmp(t, "broadcast") || !strcmp(t, "anycast") ||
	    !strcmp(t, "multicast"))
		return CTG_RT_LOCAL;
	if (!strcmp(t, "unreachable") || !strcmp(t, "blackhole") || !strcmp(t, "prohibit"))
		return CTG_RT_UNREACHABLE;
	if (!strcmp(t, "throw")) {
		*throw_ = true;
		return CTG_RT_UNREACHABLE;
	}
	return CTG_RT_UNKNOWN;
}

/* Every device of a multipath route, when they are all the same; else NULL. */
static const char *route_dev(json_t *o)
{
	json_t *nh = json_object_get(o, "nexthops"), *v;
	const char *dev = jstr(o, "dev");
	size_t i;

	if (!json_is_array(nh))
		return dev;
	json_array_foreach(nh, i, v)
	{
		const char *d = jstr(v, "dev");

		if (!d || (dev && strcmp(d, dev)))
			return NULL;
		dev = d;
	}
	return dev;
}

static int add_route(struct rparse *p, json_t *o)
{
	struct ctg_routes *r = p->r;
	struct rt_route rt = {0};
	const char *dst = jstr(o, "dst"), *table = jstr(o, "table"), *dev = route_dev(o);

	if (!json_is_object(o) || !dst) {
		perr(p, p->base, "%s", "a route without \"dst\"");
		return 0;
	}
	rt.family = (uint8_t)route_family(o);
	if (parse_prefix(dst, rt.family, &rt.dst, &rt.plen)) {
		perr(p, p->base, "bad route destination \"%s\"", dst);
		return 0;
	}
	rt.type = route_type(jstr(o, "type"), &rt.throw_);
	rt.metric = (uint32_t)json_integer_value(json_object_get(o, "metric"));
	rt.table = ctg_routes_intern(r, table ? table : "main");
	rt.dev = dev ? ctg_routes_intern(r, dev) : NULL;
	if (json_object_get(o, "tos") || (rt.type == CTG_RT_UNICAST && !dev))
		rt.type = CTG_RT_UNKNOWN;
	if (!rt.table || (dev && !rt.dev))
		return -ENOMEM;
	if (r->nroutes == r->caproutes) {
		size_t nc = r->caproutes ? r->caproutes * 2 : 64;
		struct rt_route *nv = realloc(r->routes, nc * sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		r->routes = nv;
		r->caproutes = nc;
	}
	r->routes[r->nroutes++] = rt;
	return 0;
}

/* Rule keys the model understands; any other one makes the rule unknown. */
static bool known_rule_key(const char *k)
{
	static const char *const keys[] = {"priority", "src",	 "srclen",   "dst",  "dstlen",
					   "fwmark",   "fwmask", "iif",	     "oif",  "table",
					   "action",   "not",	 "protocol", "flags"};

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (!strcmp(k, keys[i]))
			return true;
	return false;
}

static int rule_addr(struct rparse *p, json_t *o, const char *k, const char *lk, int family,
		     struct ctg_addr *a, uint8_t *len, bool *has)
{
	const char *s = jstr(o, k);

	*has = s && strcmp(s, "all");
	if (!*has)
		return 0;
	if (parse_prefix(s, family, a, len)) {
		perr(p, p->base, "bad rule address \"%s\"", s);
		return -1;
	}
	*len = json_is_integer(json_object_get(o, lk))
		       ? (uint8_t)json_integer_value(json_object_get(o, lk))
		       : *len;
	return 0;
}

static int set_rule_action(struct ctg_routes *r, json_t *o, struct rt_rule *ru)
{
	const char *table = jstr(o, "table"), *action = jstr(o, "action");

	if (table) {
		ru->action = RA_TABLE;
		ru->table = ctg_routes_intern(r, table);
		return ru->table ? 0 : -ENOMEM;
	}
	ru->action = action && (!strcmp(action, "unreachable") || !strcmp(action, "blackhole") ||
				!strcmp(action, "prohibit"))
			     ? RA_UNREACHABLE
			     : RA_UNKNOWN;
	return 0;
}

static int push_rule(struct ctg_routes *r, const struct rt_rule *ru)
{
	if (r->nrules == r->caprules) {
		size_t nc = r->caprules ? r->caprules * 2 : 16;
		struct rt_rule *nv = realloc(r->rules, nc * sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		r->rules = nv;
		r->caprules = nc;
	}
	r->rules[r->nrules++] = *ru;
	return 0;
}

static int add_rule(struct rparse *p, json_t *o, int family)
{
	struct rt_rule ru = {0};
	const char *k, *mark = jstr(o, "fwmark"), *mask = jstr(o, "fwmask"), *iif = jstr(o, "iif");
	json_t *v;
	int ret;

	if (!json_is_object(o) || !json_is_integer(json_object_get(o, "priority"))) {
		perr(p, p->base, "%s", "a rule without \"priority\"");
		return 0;
	}
	ru.family = (uint8_t)family;
	ru.prio = (uint32_t)json_integer_value(json_object_get(o, "priority"));
	ru.inv = json_object_get(o, "not") != NULL;
	json_object_foreach(o, k, v) if (!known_rule_key(k)) ru.unknown_sel = true;
	if (rule_addr(p, o, "src", "srclen", family, &ru.src, &ru.slen, &ru.has_src) ||
	    rule_addr(p, o, "dst", "dstlen", family, &ru.dst, &ru.dlen, &ru.has_dst))
		return 0;
	ru.has_mark = mark != NULL;
	ru.mark = mark ? (uint32_t)strtoul(mark, NULL, 0) : 0;
	ru.mask = mask ? (uint32_t)strtoul(mask, NULL, 0) : 0xffffffffu;
	ru.has_oif = json_object_get(o, "oif") != NULL;
	if (iif && !(ru.iif = ctg_routes_intern(p->r, iif)))
		return -ENOMEM;
	ret = set_rule_action(p->r, o, &ru);
	return ret ? ret : push_rule(p->r, &ru);
}

static int default_rules(struct ctg_routes *r, int family)
{
	static const struct {
		uint32_t prio;
		const char *table;
	} defs[] = {{0, "local"}, {32766, "main"}, {32767, "default"}};

	for (size_t i = 0; i < 3; i++) {
		struct rt_rule ru = {.family = (uint8_t)family, .prio = defs[i].prio};

		ru.table = ctg_routes_intern(r, defs[i].table);
		if (!ru.table || push_rule(r, &ru))
			return -ENOMEM;
	}
	return 0;
}

static int cmp_rule(const void *a, const void *b)
{
	const struct rt_rule *x = a, *y = b;

	if (x->family != y->family)
		return x->family - y->family;
	return x->prio < y->prio ? -1 : x->prio > y->prio;
}

/* The nth array: 0 routes, 1 IPv4 rules, 2 IPv6 rules. */
static int add_array(struct rparse *p, json_t *arr, int nth)
{
	json_t *v;
	size_t i;
	int ret = 0;

	if (!json_is_array(arr) || nth > 2) {
		perr(p, p->base, "%s",
		     nth > 2 ? "more than three JSON arrays (routes, IPv4 rules, IPv6 rules)"
			     : "expected a JSON array");
		return 0;
	}
	json_array_foreach(arr, i, v)
	{
		ret = nth ? add_rule(p, v, nth == 1 ? 2 : 10) : add_route(p, v);
		if (ret)
			break;
	}
	return ret;
}

static int parse_arrays(struct rparse *p, size_t len, bool have[3])
{
	size_t off = 0;
	int nth = 0, ret = 0;

	for (;;) {
		json_error_t e;
		json_t *j;

		while (off < len && strchr(" \t\r\n", p->text[off]))
			off++;
		if (off >= len)
			break;
		p->base = off;
		j = json_loadb(p->text + off, len - off, JSON_DISABLE_EOF_CHECK, &e);
		if (!j) {
			perr(p, off + (size_t)(e.position > 0 ? e.position - 1 : 0), "%s", e.text);
			break;
		}
		ret = add_array(p, j, nth);
		json_decref(j);
		if (ret)
			break;
		if (nth < 3)
			have[nth] = true;
		nth++;
		off += e.position;
	}
	return ret;
}

struct ctg_routes *ctg_routes_parse(const char *text, size_t len, const char *name,
				    struct ctg_diags *diags)
{
	struct ctg_routes *r = calloc(1, sizeof(*r));
	struct rparse p = {.r = r, .d = diags, .name = name, .text = text};
	bool have[3] = {0};
	int ret;

	if (!r)
		return NULL;
	pthread_mutex_init(&r->lock, NULL);
	ret = parse_arrays(&p, len, have);
	if (!ret && !have[0])
		perr(&p, 0, "%s",
		     "no routes (expected the output of `ip -j route show table all`)");
	if (!ret && !have[1])
		ret = default_rules(r, 2);
	if (!ret && !have[2])
		ret = default_rules(r, 10);
	if (ret) {
		ctg_routes_free(r);
		errno = -ret;
		return NULL;
	}
	if (r->nrules > 1)
		qsort(r->rules, r->nrules, sizeof(r->rules[0]), cmp_rule);
	return r;
}

struct ctg_routes *ctg_routes_parse_file(const char *path, struct ctg_diags *diags)
{
	struct ctg_routes *r;
	char *text;
	size_t len;
	int ret = ctg_file_read(path, &text, &len);

	if (ret) {
		errno = -ret;
		return NULL;
	}
	r = ctg_routes_parse(text, len, strcmp(path, "-") ? path : "<stdin>", diags);
	free(text);
	return r;
}

/* ---------------------------------------------------------------- model */

static bool in_prefix(const struct ctg_addr *a, const struct ctg_addr *net, int family,
		      unsigned plen)
{
	struct ctg_addr m;

	ctg_addr_mask_from_len(family, plen, &m);
	for (int i = 0; i < 4; i++)
		if ((a->w[i] & m.w[i]) != (net->w[i] & m.w[i]))
			return false;
	return true;
}

/* -1 unknown, 0 no match, 1 match. */
static int rule_matches(const struct rt_rule *ru, const struct ctg_route_query *q)
{
	bool m = true;

	if (ru->unknown_sel || (ru->has_src && !q->has_src && q->iif))
		return -1;
	if (ru->has_src && !q->has_src)
		return -1; /* the kernel picks the source after the rules: not modelled */
	if (ru->has_src && !in_prefix(&q->src, &ru->src, q->family, ru->slen))
		m = false;
	if (ru->has_dst && !in_prefix(&q->dst, &ru->dst, q->family, ru->dlen))
		m = false;
	if (ru->has_mark && (q->mark & ru->mask) != ru->mark)
		m = false;
	/* locally generated packets carry iif lo; an unbound socket no oif */
	if (ru->iif && strcmp(ru->iif, q->iif ? q->iif : "lo"))
		m = false;
	if (ru->has_oif)
		m = false;
	return m != ru->inv;
}

/* 1 found (res set), 0 no route in the table (or throw), -1 unknown. */
static int table_lookup(const struct ctg_routes *r, const char *table,
			const struct ctg_route_query *q, struct ctg_route_res *res)
{
	const struct rt_route *best = NULL;

	for (size_t i = 0; i < r->nroutes; i++) {
		const struct rt_route *rt = &r->routes[i];

		if (rt->family != q->family || strcmp(rt->table, table) ||
		    !in_prefix(&q->dst, &rt->dst, q->family, rt->plen))
			continue;
		if (!best || rt->plen > best->plen ||
		    (rt->plen == best->plen && rt->metric < best->metric))
			best = rt;
	}
	if (!best || best->throw_)
		return 0;
	if (best->type == CTG_RT_UNKNOWN)
		return -1;
	res->type = best->type;
	res->dev = best->type == CTG_RT_LOCAL ? "lo" : best->dev;
	if (res->type == CTG_RT_UNREACHABLE)
		res->dev = NULL;
	return 1;
}

void ctg_routes_model_lookup(struct ctg_routes *r, const struct ctg_route_query *q,
			     struct ctg_route_res *res)
{
	res->type = CTG_RT_UNKNOWN;
	res->dev = NULL;
	for (size_t i = 0; i < r->nrules; i++) {
		const struct rt_rule *ru = &r->rules[i];
		int m, t;

		if (ru->family != q->family)
			continue;
		m = rule_matches(ru, q);
		if (m < 0)
			return;
		if (!m)
			continue;
		if (ru->action == RA_UNKNOWN)
			return;
		if (ru->action == RA_UNREACHABLE) {
			res->type = CTG_RT_UNREACHABLE;
			return;
		}
		t = table_lookup(r, ru->table, q, res);
		if (t)
			return; /* found, or unknown (res stays UNKNOWN) */
	}
	res->type = CTG_RT_UNREACHABLE;
}
