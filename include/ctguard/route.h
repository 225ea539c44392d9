/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Routing: the interface the kernel would route a packet through, from the live host
 * (rtnetlink RTM_GETROUTE lookups, cached per query) or from a file (`--routes FILE`)
 * evaluated with a small model of policy rules and longest-prefix match.
 *
 * The file holds JSON arrays one after the other, as these commands print them:
 *
 *	{ ip -j route show table all; ip -j rule; ip -6 -j rule; } > routes.json
 *
 * The first array is the routes of every table and both families (a route's family is
 * told by its addresses; "pref" marks IPv6), the second the IPv4 policy rules, the third
 * (optional) the IPv6 ones. A family without rules gets the kernel's default rules
 * (local, main, default). What the model does not know (rule selectors such as uidrange,
 * ipproto, sport/dport, l3mdev, suppress_prefixlength, goto; multipath routes over
 * several devices; route tos) makes the lookups that reach it unknown, never guessed.
 */
#ifndef CTGUARD_ROUTE_H
#define CTGUARD_ROUTE_H

#include <stdbool.h>
#include <stdint.h>

#include "addr.h"
#include "diag.h"

struct ctg_routes;

enum ctg_route_type {
	CTG_RT_UNKNOWN,	    /* cannot tell */
	CTG_RT_UNICAST,	    /* out through @dev */
	CTG_RT_LOCAL,	    /* delivered locally (dev "lo") */
	CTG_RT_UNREACHABLE, /* no route, blackhole, unreachable, prohibit */
};

/*
 * One lookup. @src: source address (has_src false: the kernel picks one); @iif: the
 * interface the packet arrived on (NULL: locally generated, an output route).
 */
struct ctg_route_query {
	uint8_t family;
	bool has_src;
	struct ctg_addr src, dst;
	uint32_t mark;
	const char *iif;
};

/* @dev: the output interface (UNICAST, LOCAL), owned by the routes object. */
struct ctg_route_res {
	uint8_t type; /* enum ctg_route_type */
	const char *dev;
};

/* Live lookups over rtnetlink in the current network namespace. NULL on ENOMEM. */
struct ctg_routes *ctg_routes_new_live(void);
/*
 * Parses a routes file (format above; "-" = stdin). Problems are diagnostics with their
 * position. Returns NULL with errno on I/O failure or ENOMEM; else the caller checks
 * ctg_diags_errors(diags).
 */
struct ctg_routes *ctg_routes_parse_file(const char *path, struct ctg_diags *diags);
struct ctg_routes *ctg_routes_parse(const char *text, size_t len, const char *name,
				    struct ctg_diags *diags);
void ctg_routes_free(struct ctg_routes *r);
/* True for live lookups. */
bool ctg_routes_is_live(const struct ctg_routes *r);

/*
 * The route the kernel would take for q. Results are cached per query (thread-safe).
 * Returns 0 (res filled; type UNKNOWN when it cannot tell) or -ENOMEM / -errno of the
 * netlink socket (live).
 */
int ctg_routes_lookup(struct ctg_routes *r, const struct ctg_route_query *q,
		      struct ctg_route_res *res);

/* Number of lookups answered by the kernel or the model (not from the cache). */
unsigned long ctg_routes_lookups(const struct ctg_routes *r);

/* ctg_eval_env's route callback over a routes object (arg = struct ctg_routes *). */
int ctg_routes_eval_cb(void *arg, const struct ctg_route_query *q, struct ctg_route_res *res);

#endif
