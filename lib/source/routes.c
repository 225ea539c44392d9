// SPDX-License-Identifier: GPL-2.0-or-later
/* Routes object: names, the per-query cache, dispatch to the model or the kernel. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "routes_int.h"

struct ctg_routes *ctg_routes_new_live(void)
{
	struct ctg_routes *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->live = true;
	pthread_mutex_init(&r->lock, NULL);
	return r;
}

bool ctg_routes_is_live(const struct ctg_routes *r)
{
	return r && r->live;
}

unsigned long ctg_routes_lookups(const struct ctg_routes *r)
{
	return r ? r->lookups : 0;
}

void ctg_routes_free(struct ctg_routes *r)
{
	if (!r)
		return;
	ctg_routes_nl_close(r);
	for (size_t i = 0; i < r->nnames; i++)
		free(r->names[i]);
	free(r->names);
	free(r->cache);
	free(r->routes);
	free(r->rules);
	pthread_mutex_destroy(&r->lock);
	free(r);
}

const char *ctg_routes_intern(struct ctg_routes *r, const char *s)
{
	char *c;

	for (size_t i = 0; i < r->nnames; i++)
		if (!strcmp(r->names[i], s))
			return r->names[i];
	if (r->nnames == r->capnames) {
		size_t nc = r->capnames ? r->capnames * 2 : 16;
		char **nv = realloc(r->names, nc * sizeof(*nv));

		if (!nv)
			return NULL;
		r->names = nv;
		r->capnames = nc;
	}
	c = strdup(s);
	if (!c)
		return NULL;
	r->names[r->nnames++] = c;
	return c;
}

static uint64_t key_hash(const struct ctg_route_query *q)
{
	uint64_t h = 0xcbf29ce484222325ull ^ q->family ^ ((uint64_t)q->mark << 8);
	const uint8_t *p = q->dst.b;

	for (int i = 0; i < 16; i++)
		h = (h ^ p[i]) * 0x100000001b3ull;
	if (q->has_src)
		for (int i = 0; i < 16; i++)
			h = (h ^ q->src.b[i]) * 0x100000001b3ull;
	for (const char *s = q->iif ? q->iif : ""; *s; s++)
		h = (h ^ (uint8_t)*s) * 0x100000001b3ull;
	return h;
}

static bool key_eq(const struct rt_cache_ent *e, const struct ctg_route_query *q)
{
	return e->family == q->family && e->mark == q->mark && e->has_src == q->has_src &&
	       ctg_addr_eq(&e->dst, &q->dst) && (!q->has_src || ctg_addr_eq(&e->src, &q->src)) &&
	       !strcmp(e->iif, q->iif ? q->iif : "");
}

static struct rt_cache_ent *cache_slot(struct ctg_routes *r, const struct ctg_route_query *q)
{
	size_t i;

	if ((r->ncache + 1) * 2 > r->capcache) {
		size_t nc = r->capcache ? r->capcache * 2 : 256;
		struct rt_cache_ent *nv = calloc(nc, sizeof(*nv));

		if (!nv)
			return NULL;
		for (size_t j = 0; j < r->capcache; j++) {
			struct rt_cache_ent *e = &r->cache[j];
			struct ctg_route_query k = {.family = e->family,
						    .has_src = e->has_src,
						    .src = e->src,
						    .dst = e->dst,
						    .mark = e->mark,
						    .iif = e->iif};

			if (!e->used)
				continue;
			for (i = key_hash(&k) & (nc - 1); nv[i].used; i = (i + 1) & (nc - 1))
				;
			nv[i] = *e;
		}
		free(r->cache);
		r->cache = nv;
		r->capcache = nc;
	}
	for (i = key_hash(q) & (r->capcache - 1); r->cache[i].used; i = (i + 1) & (r->capcache - 1))
		if (key_eq(&r->cache[i], q))
			break;
	return &r->cache[i];
}

static int lookup_locked(struct ctg_routes *r, const struct ctg_route_query *q,
			 struct ctg_route_res *res)
{
	struct rt_cache_ent *e = cache_slot(r, q);
	int ret = 0;

	if (!e)
		return -ENOMEM;
	if (e->used) {
		*res = e->res;
		return 0;
	}
	res->type = CTG_RT_UNKNOWN;
	res->dev = NULL;
	if (q->iif && strlen(q->iif) >= IF_NAMESIZE)
		return 0; /* not an interface name: unknown, not cached */
	r->lookups++;
	if (r->live)
		ret = ctg_routes_nl_lookup(r, q, res);
	else
		ctg_routes_model_lookup(r, q, res);
	if (ret)
		return ret;
	e->used = true;
	e->family = q->family;
	e->has_src = q->has_src;
	e->src = q->has_src ? q->src : (struct ctg_addr){0};
	e->dst = q->dst;
	e->mark = q->mark;
	strcpy(e->iif, q->iif ? q->iif : "");
	e->res = *res;
	r->ncache++;
	return 0;
}

int ctg_routes_lookup(struct ctg_routes *r, const struct ctg_route_query *q,
		      struct ctg_route_res *res)
{
	int ret;

	res->type = CTG_RT_UNKNOWN;
	res->dev = NULL;
	if (!r || (q->family != 2 && q->family != 10))
		return 0;
	pthread_mutex_lock(&r->lock);
	ret = lookup_locked(r, q, res);
	pthread_mutex_unlock(&r->lock);
	return ret;
}

int ctg_routes_eval_cb(void *arg, const struct ctg_route_query *q, struct ctg_route_res *res)
{
	return ctg_routes_lookup(arg, q, res);
}
