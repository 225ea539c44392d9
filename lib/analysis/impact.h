/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Reload impact (`ctguard check`): for every connection, the next packets of a scenario
 * simulated with the conntrack model and the evaluator, per reload method:
 *
 *   atomic   iptables-restore: conntrack kept, candidate rules
 *   restart  candidate rules and conntrack wiped
 *   flush    `conntrack -F` alone: current rules, conntrack wiped
 *
 * Two scenarios per connection and method: local side first (L, P, L) and peer first
 * (P, L, P), state carried between packets on an overlay of the ct view. L is the
 * local->peer packet (forwarded flows: the original direction), P the other one.
 *
 * Memoisation: connections whose packets the rulesets cannot tell apart (same
 * equivalence class of every address and port, same conntrack state bits) share one
 * result. The class boundaries come from every address prefix/range and port number in
 * the rulesets (impact_class.c). A plain linear path (no_memo) is kept for baselines and
 * differential tests.
 */
#ifndef CTG_IMPACT_H
#define CTG_IMPACT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ctguard/addr.h>
#include <ctguard/conns.h>
#include <ctguard/ct.h>
#include <ctguard/route.h>
#include <ctguard/ruleset.h>
#include <ctguard/sock.h>

struct ctg_conn;

enum ctg_impact_role {
	CTG_IMPACT_CLIENT, /* same values as enum ctg_conn_role */
	CTG_IMPACT_SERVER,
	CTG_IMPACT_FORWARD,
};

/*
 * One connection (a row of the sockets x conntrack join). @laddr/@lport: local side
 * (forward: original source); @ct_dir_reply: local->peer is the entry's reply direction.
 */
struct ctg_impact_conn {
	uint8_t family, l4proto, role;
	bool ct_dir_reply;
	struct ctg_addr laddr, paddr;
	uint16_t lport, pport;
	const struct ctg_sock *sock;
	const struct ctg_ct_entry *ct;
	const char *service;
};

/* Converts a row of ctg_conns_join (the service name filled in from the port if absent). */
void ctg_impact_conn_from_conn(const struct ctg_conn *c, struct ctg_impact_conn *ic);

/* Where a packet was dropped: the rule (1-based) or policy (rule 0) of table/chain. */
struct ctg_impact_stop {
	uint8_t table, hook;
	int32_t chain;
	const char *chain_name;
	uint32_t rule;
	uint32_t line;
	const void *r; /* const struct ctg_rule *, NULL for a policy */
};

enum ctg_impact_method {
	CTG_IMPACT_ATOMIC,
	CTG_IMPACT_RESTART,
	CTG_IMPACT_FLUSH,
	CTG_IMPACT_NMETHODS,
};

enum ctg_impact_outcome {
	CTG_OUT_SAFE,
	CTG_OUT_CUT,	  /* dropped whoever speaks first */
	CTG_OUT_AT_RISK,  /* cut if one side (usually the peer) speaks first */
	CTG_OUT_NAT_LOST, /* a wipe loses the NAT binding */
	CTG_OUT_UNKNOWN,  /* three-valued matches leave it open */
	CTG_OUT_SKIPPED,  /* not a live flow (closing TCP, listening, ...) */
	CTG_OUT_MAX,
};

const char *ctg_impact_method_name(enum ctg_impact_method m);
int ctg_impact_method_parse(const char *s); /* -1 when unknown */
const char *ctg_impact_outcome_name(enum ctg_impact_outcome o);

/* Scenario bits of ctg_impact_verdict.fails. */
enum {
	CTG_IMPACT_LOCAL_FIRST = 1 << 0,
	CTG_IMPACT_PEER_FIRST = 1 << 1,
};

/*
 * @outcome: enum ctg_impact_outcome.
 * @fails: CTG_IMPACT_*_FIRST scenarios that certainly fail.
 * @stop: the rule or policy that dropped the first failing packet (has_stop).
 * @stop_from_peer: that packet was the peer's (P); @stop_path: its path.
 * @stop_ctstate: its ctstate (NEW after a wipe, ...).
 */
struct ctg_impact_verdict {
	uint8_t outcome;
	uint8_t fails;
	bool has_stop;
	bool stop_from_peer;
	uint8_t stop_path;
	uint8_t stop_ctstate;
	struct ctg_impact_stop stop;
};

/*
 * Inputs (all borrowed).
 * @cur4/@cur6: current rulesets (flush); @cand4/@cand6: candidate (atomic, restart).
 *   A missing family's ruleset means "no rules" for that family: everything accepted.
 * @cts: the conntrack table (may be NULL); @conns: joined connections whose ct pointers
 *   point into cts. Each scenario runs on a ct view holding only its connection's entry
 *   (atomic) or none (after a wipe): no other entry can match the connection's tuples,
 *   and the table is never copied. The memo reads cts sequentially once.
 * @methods: bitmask of 1 << enum ctg_impact_method.
 * @no_memo: plain linear evaluation of every connection.
 * @tcp_loose/@tcp_be_liberal: sysctls (-1: kernel default); @port_lo/@port_hi:
 *   ip_local_port_range (0: default). @local/@nlocal: the host's addresses (may be 0).
 */
struct ctg_impact_local {
	uint8_t family;
	struct ctg_addr addr;
};

struct ctg_addr_set;
struct ctg_conn_table;

/*
 * The connections of a host as impact input: joins socks x cts (ctg_conns_join with locals,
 * NULL when it has none, and the ephemeral port range) into *conns, then converts every row
 * into *iconns and every address of locals into *ilocal (both calloc'ed, one spare entry).
 * Returns 0 or -ENOMEM; whatever was allocated is the caller's to free, also on error.
 */
int ctg_impact_conns_build(const struct ctg_sock_table *socks, const struct ctg_ct_table *cts,
			   const struct ctg_addr_set *locals, uint16_t port_lo, uint16_t port_hi,
			   struct ctg_conn_table *conns, struct ctg_impact_conn **iconns,
			   struct ctg_impact_local **ilocal);

struct ctg_impact_input {
	const struct ctg_ruleset *cur4, *cur6, *cand4, *cand6;
	const struct ctg_ct_table *cts;
	const struct ctg_impact_conn *conns;
	size_t nconns;
	int tcp_loose, tcp_be_liberal;
	uint16_t port_lo, port_hi;
	const struct ctg_impact_local *local;
	size_t nlocal;
	unsigned methods;
	bool no_memo;
	/* Routing for the connections' interfaces (ifaces.h); NULL: interfaces unknown. */
	struct ctg_routes *routes;
	unsigned threads; /* memo mode, >= 100000 connections: 0 = one per CPU (or $CTGUARD_THREADS)
			   */
};

/*
 * @idx: per connection, the index of its verdict triple in @v (connections sharing a memo
 *   key share a triple); @v: triples of CTG_IMPACT_NMETHODS verdicts, @nv of them.
 * @count: connections per method and outcome.
 * @evaluated: connections actually simulated (memo misses, or all with no_memo);
 * @memo_keys: distinct keys; @rules_visited: sum over every walk.
 */
struct ctg_impact {
	size_t n;
	uint32_t *idx;
	struct ctg_impact_verdict *v;
	size_t nv, capv;
	size_t count[CTG_IMPACT_NMETHODS][CTG_OUT_MAX];
	size_t evaluated, memo_keys;
	uint64_t rules_visited;
};

/* Runs the analysis. out is overwritten. Returns 0, -ENOMEM or -EINVAL. */
int ctg_impact_run(const struct ctg_impact_input *in, struct ctg_impact *out);
void ctg_impact_release(struct ctg_impact *r);

static inline const struct ctg_impact_verdict *ctg_impact_get(const struct ctg_impact *r, size_t i,
							      enum ctg_impact_method m)
{
	return &r->v[(size_t)r->idx[i] * CTG_IMPACT_NMETHODS + m];
}

/* True when the connection is an idle-replica shape: client role, at risk, peer first. */
bool ctg_impact_is_idle_replica(const struct ctg_impact_conn *c,
				const struct ctg_impact_verdict *v);

/* ---------------------------------------------------------------- classes (internal) */

/*
 * Equivalence classes of field values the rulesets distinguish. Built from every rule of
 * the given rulesets; exact (no collapsing) for a field when some match could look at it
 * in a way the builder does not understand.
 */
struct ctg_impact_classes;

struct ctg_impact_classes *ctg_impact_classes_new(const struct ctg_ruleset *const *rs, size_t nrs,
						  const struct ctg_impact_local *local,
						  size_t nlocal);
void ctg_impact_classes_free(struct ctg_impact_classes *c);
/* Class of an address (index in w[0]; the address itself when exact) / of a port. */
void ctg_impact_class_addr(const struct ctg_impact_classes *c, uint8_t family,
			   const struct ctg_addr *a, struct ctg_addr *out);
uint32_t ctg_impact_class_port(const struct ctg_impact_classes *c, uint16_t port);
/* IPv4 (host order): the class and its interval [*lo, *hi], for callers that cache it. */
uint32_t ctg_impact_class_v4(const struct ctg_impact_classes *c, uint32_t x, uint32_t *lo,
			     uint32_t *hi);
/* True when some rule looks at the conntrack timeout (--ctexpire): key on it. */
bool ctg_impact_classes_need_timeout(const struct ctg_impact_classes *c);

#endif
