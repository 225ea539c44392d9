/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Internal: the routes object shared by routes.c (cache, names), routes_file.c (model)
 * and routes_nl.c (rtnetlink). */
#ifndef CTG_SOURCE_ROUTES_INT_H
#define CTG_SOURCE_ROUTES_INT_H

#include <net/if.h>
#include <pthread.h>

#include <ctguard/route.h>

struct rt_route {
	uint8_t family, plen, type; /* enum ctg_route_type; CTG_RT_UNKNOWN: not modelled */
	bool throw_;		    /* type throw: the table lookup fails, next rule */
	uint32_t metric;
	const char *table;
	const char *dev;
	struct ctg_addr dst;
};

enum rt_action { RA_TABLE, RA_UNREACHABLE, RA_UNKNOWN };

struct rt_rule {
	uint8_t family, slen, dlen, action; /* enum rt_action */
	bool inv, has_src, has_dst, has_mark, has_oif, unknown_sel;
	uint32_t prio, mark, mask;
	struct ctg_addr src, dst;
	const char *iif;
	const char *table;
};

struct rt_cache_ent {
	bool used, has_src;
	uint8_t family;
	uint32_t mark;
	struct ctg_addr src, dst;
	char iif[IF_NAMESIZE];
	struct ctg_route_res res;
};

struct ctg_routes {
	bool live;
	pthread_mutex_t lock;
	struct rt_cache_ent *cache;
	size_t ncache, capcache;
	char **names; /* interned interface and table names */
	size_t nnames, capnames;
	struct rt_route *routes;
	size_t nroutes, caproutes;
	struct rt_rule *rules;
	size_t nrules, caprules;
	unsigned long lookups;
	int nl_fd_err; /* live: first socket error */
	void *nl;      /* live: struct mnl_socket * */
	unsigned nl_seq;
};

/* Interned copy of s (stable until ctg_routes_free); NULL on ENOMEM. Lock held. */
const char *ctg_routes_intern(struct ctg_routes *r, const char *s);
/* The model's answer (file). */
void ctg_routes_model_lookup(struct ctg_routes *r, const struct ctg_route_query *q,
			     struct ctg_route_res *res);
/* The kernel's answer (live); 0 or -errno of the socket. Lock held. */
int ctg_routes_nl_lookup(struct ctg_routes *r, const struct ctg_route_query *q,
			 struct ctg_route_res *res);
void ctg_routes_nl_close(struct ctg_routes *r);

#endif
