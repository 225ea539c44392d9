/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Audit: which connections has the current ruleset already orphaned? Pure: given the
 * rulesets, the conntrack table, the socket table and the sysctls it simulates each
 * connection's next inbound packet (PREROUTING -> INPUT, or FORWARD for routed flows)
 * with the conntrack model on the current view.
 *
 * Kinds of finding:
 *  - NO_ENTRY (orphan): an ESTABLISHED TCP socket without conntrack entry whose peer's
 *    next segment (PSH,ACK: no SYN) the ruleset drops; tcp_loose taken into account
 *    (picked up as NEW with loose=1, INVALID with loose=0). Healable.
 *  - ENTRY_DROPPED (orphan): a conntrack entry whose ESTABLISHED packets are dropped.
 *  - NAT_LOST (orphan): an ESTABLISHED socket without conntrack entry whose traffic was
 *    NATed, so the mapping is gone with the entry (audit_nat.c):
 *    source NAT: the local side's next packet (local -> peer, ACK, OUTPUT -> POSTROUTING
 *    with the ct model) is source-translated: the peer knows the connection by the
 *    translated tuple and its packets arrive there with no mapping back;
 *    destination NAT: a nat PREROUTING DNAT/REDIRECT rule translates this peer's packets
 *    to the socket's address:port: the peer connected to the pre-NAT address and the
 *    server's replies now leave untranslated. Certain when the rule certainly matches
 *    (and, for DNAT, a direct connection to the socket's address:port is impossible:
 *    certainly dropped or translated away). Not healable by a plain entry.
 *  - AT_RISK: the connection passes only thanks to its entry (without it the peer's next
 *    segment would be dropped) and that entry may expire soon: TCP: not ASSURED, or fewer
 *    than at_risk_timeout seconds left; UDP (only when the peer speaks first, see below):
 *    not ASSURED (the kernel gives it nf_conntrack_udp_timeout, not the stream timeout).
 *  - EXPIRED (informational, not an orphan): a connected UDP socket without entry whose
 *    peer's next datagram would be dropped, where UDP's own life explains it: the entry
 *    timed out after nf_conntrack_udp_timeout(_stream) idle seconds and the local side's
 *    next datagram (NEW through OUTPUT) makes a new one. @ct_reason says why.
 *
 * TCP and connected UDP sockets (sock_diag state ESTABLISHED: with a peer) are audited;
 * unconnected UDP sockets are not connections.
 *
 * UDP without entry. Who speaks next decides: the local side's datagram re-creates the
 * entry, the peer's is NEW. The peer speaks first when it is the client (our socket is the
 * server side) or the peer port is a server-push protocol (IKE/NAT-T, OpenVPN, WireGuard,
 * SIP, STUN/TURN, mosh); those are orphans (NO_ENTRY). Request/response and send-only
 * client protocols (DNS, NTP, statsd, syslog, SNMP, ...) are EXPIRED, wipe or not. Any
 * other UDP socket is EXPIRED unless a wipe was observed, then NO_ENTRY.
 * A wipe (or reload that deleted entries) is observed when the kernel's own tables show
 * lost history: an ESTABLISHED TCP socket with a remote peer has no entry (TCP entries
 * live nf_conntrack_tcp_timeout_established, 5 days idle), or an ESTABLISHED TCP entry was
 * picked up mid-stream (tcp_new() sets BE_LIBERAL on both directions only when it picks a
 * connection up without its handshake, nf_conntrack_tcp_loose=1; also ctguard heal).
 *
 * Connections are the rows of the one sockets x conntrack join, ctg_conns_join
 * (ctguard/conns.h); the sysctls are the model's (ct/model.h, filled by the input
 * assembly, source/inputs.h). The audit reads nothing from the kernel.
 */
#ifndef CTG_ANALYSIS_AUDIT_H
#define CTG_ANALYSIS_AUDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ctguard/addr.h>
#include <ctguard/ct.h>
#include <ctguard/route.h>
#include <ctguard/ruleset.h>
#include <ctguard/sock.h>
#include <ctguard/conns.h>
#include <ctguard/source.h>

struct ctg_sysctls;

enum ctg_audit_kind {
	CTG_AUDIT_NO_ENTRY,	 /* orphan: socket alive, no entry, peer dropped */
	CTG_AUDIT_ENTRY_DROPPED, /* orphan: entry present, its ESTABLISHED packets dropped */
	CTG_AUDIT_NAT_LOST,	 /* orphan: socket alive, no entry, its NAT mapping gone */
	CTG_AUDIT_AT_RISK,	 /* alive only through an entry that may expire soon */
	CTG_AUDIT_EXPIRED,	 /* informational: a UDP entry that timed out by itself */
};

const char *ctg_audit_kind_name(enum ctg_audit_kind k);

/* enum ctg_conn_role under the audit's names. */
enum ctg_audit_role {
	CTG_AUDIT_ROLE_CLIENT = CTG_ROLE_CLIENT,
	CTG_AUDIT_ROLE_SERVER = CTG_ROLE_SERVER,
	CTG_AUDIT_ROLE_FORWARD = CTG_ROLE_FORWARD,
};

/*
 * One finding.
 * @certain: every evaluation branch drops (false: depends on an unknown match).
 * @verdict: "DROP" or "REJECT" (AT_RISK: what happens without the entry).
 * @table/@chain/@rule/@line: where (rule 0 = the chain's policy); table NULL if unknown.
 * @ctstate: "NEW", "INVALID", "ESTABLISHED" as the ruleset saw the packet.
 * @ct_reason: the conntrack model's reason ("pickup", "tcp-loose-0", ...), may be NULL.
 * @path: "input" or "forward" ("output" for a source NAT finding).
 * NAT_LOST: @verdict is the NAT target ("SNAT", "MASQUERADE", "DNAT", "REDIRECT") and
 * @table/@chain/@rule/@line the rule that set up the mapping; @nat_dst false: source NAT,
 * @nat_addr:@nat_port the translated local side the peer knows; @nat_dst true:
 * destination NAT, @nat_addr:@nat_port the pre-NAT destination the peer connected to
 * (@nat_addr_known false: the rule matches any destination address).
 */
struct ctg_audit_item {
	enum ctg_audit_kind kind;
	struct ctg_conn conn; /* a join row; service filled in (NULL when unknown) */
	bool certain;
	const char *verdict;
	const char *table, *chain;
	uint32_t rule, line;
	char ctstate[24];
	const char *ct_reason;
	const char *path;
	bool nat_dst, nat_addr_known;
	struct ctg_addr nat_addr;
	uint16_t nat_port;
	size_t conn_index; /* the connection's position among those audited (rep->all) */
};

/*
 * Inputs, all borrowed. rs4/rs6 may be NULL: that family is not audited.
 * @sysctls: from ctg_audit_sysctls_new (NULL = kernel defaults).
 * @locals: the host's addresses (NULL: only socket addresses count as local).
 * @ifaddr/@nifaddr: interfaces and their addresses (NULL: unknown): the interface of a
 *   local socket's traffic (the one whose prefix holds the peer, else the one holding
 *   the local address), MASQUERADE's and REDIRECT's address (first address per
 *   interface and family = primary). Unknown: -i/-o of the NAT simulations are unknown.
 * @at_risk_timeout: seconds; 0 = 600.
 * @port_lo/@port_hi: ephemeral port range (0/0 = 32768-60999).
 * @keep_all: the report lists every connection audited (@all), findings or not.
 */
struct ctg_audit_input {
	const struct ctg_ruleset *rs4, *rs6;
	const struct ctg_ct_table *cts;
	const struct ctg_sock_table *socks;
	const struct ctg_addr_set *locals;
	const struct ctg_sysctls *sysctls;
	const struct ctg_ifaddr *ifaddr;
	size_t nifaddr;
	uint32_t at_risk_timeout;
	uint16_t port_lo, port_hi;
	bool keep_all;
	/* Routing for the connections' interfaces (analysis/ifaces.h); NULL: unknown. */
	struct ctg_routes *routes;
};

/*
 * @v/@n: findings, orphans first (NO_ENTRY, ENTRY_DROPPED), then AT_RISK.
 * @orphans/@at_risk: certain findings; @possible: uncertain orphans (not in @orphans).
 * @nat_lost: certain NAT_LOST findings (also counted in @orphans).
 * @expired: EXPIRED items (informational, never an alert).
 * @wipe_observed: the tables show entries lost while their connections lived (see above);
 * @wipe_no_entry: TCP sockets without entry, @wipe_pickup: TCP entries picked up mid-stream.
 * @conns: connections examined; @entries/@sockets: input sizes.
 * @all: with keep_all, the @conns connections examined (borrowing the input tables),
 *   in the order of ctg_audit_item.conn_index.
 */
struct ctg_audit_report {
	struct ctg_audit_item *v;
	size_t n, cap;
	size_t orphans, at_risk, possible, nat_lost, expired;
	bool wipe_observed;
	size_t wipe_no_entry, wipe_pickup;
	size_t conns, entries, sockets;
	struct ctg_conn *all;
	size_t all_cap;
};

/* Kernel-default sysctls; NULL on ENOMEM. Free with ctg_audit_sysctls_free. */
struct ctg_sysctls *ctg_audit_sysctls_new(void);
void ctg_audit_sysctls_free(struct ctg_sysctls *s);
/* Sets one (ctg_sysctls_set of ct/model.h). 0, -ENOENT (unknown), -EINVAL. */
int ctg_audit_sysctls_set(struct ctg_sysctls *s, const char *name, const char *value);

void ctg_audit_input_init(struct ctg_audit_input *in);
/* Runs the audit; release the report with ctg_audit_report_release. 0 or -errno. */
int ctg_audit_run(const struct ctg_audit_input *in, struct ctg_audit_report *report);
void ctg_audit_report_release(struct ctg_audit_report *report);

static inline bool ctg_audit_is_orphan(const struct ctg_audit_item *it)
{
	return it->kind != CTG_AUDIT_AT_RISK && it->kind != CTG_AUDIT_EXPIRED;
}

/* Who speaks first on a UDP flow to/from this peer port (audit.c). */
enum ctg_udp_speaker {
	CTG_UDP_UNKNOWN,
	CTG_UDP_LOCAL_FIRST, /* request/response or send-only client protocol */
	CTG_UDP_PEER_PUSH,   /* the server pushes without being asked */
};

enum ctg_udp_speaker ctg_audit_udp_speaker(uint16_t peer_port);

/* ---- internal: audit_join.c ---- */

struct ctg_audit_local {
	uint8_t family;
	struct ctg_addr addr;
};

/* The join's rows (service filled in) and the local addresses (sorted, unique). */
struct ctg_audit_conns {
	struct ctg_conn_table rows;
	struct ctg_audit_local *local;
	size_t nlocal;
};

/* Joins in->socks and in->cts (ctg_conns_join); collects local addresses. 0 or -errno. */
int ctg_audit_join(const struct ctg_audit_input *in, struct ctg_audit_conns *out);
void ctg_audit_conns_release(struct ctg_audit_conns *c);

/* ---- internal: audit_nat.c ---- */

struct ctg_eval_env;
struct ctg_ct_view;

/* What the NAT tests share: the evaluation environment and the interfaces. */
struct ctg_audit_nat_ctx {
	const struct ctg_eval_env *env;
	struct ctg_ct_view *empty; /* an empty conntrack view */
	const struct ctg_ifaddr *ifaddr;
	size_t nifaddr;
};

/* A lost NAT mapping of a connection without entry (fields as in ctg_audit_item). */
struct ctg_audit_nat {
	bool found, certain, dst, addr_known;
	const char *target, *table, *chain;
	uint32_t rule, line;
	struct ctg_addr addr;
	uint16_t port;
	char ctstate[24];
	const char *ct_reason;
};

/*
 * Tests c (a socket without entry) for a lost source NAT mapping, then for a destination
 * NAT one; out->found false when neither. 0 or -ENOMEM.
 */
int ctg_audit_nat_check(const struct ctg_audit_nat_ctx *nx, const struct ctg_ruleset *rs,
			const struct ctg_conn *c, struct ctg_audit_nat *out);

#endif
