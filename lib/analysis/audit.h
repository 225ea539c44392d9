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
 *  - AT_RISK: the connection passes only thanks to its entry (without it the peer's next
 *    segment would be dropped) and that entry may expire soon: not ASSURED, or fewer than
 *    at_risk_timeout seconds left.
 *
 * This header deliberately includes neither ctguard/source.h nor eval/eval.h (callers
 * use it with either); the sysctls are an opaque object made here.
 */
#ifndef CTG_ANALYSIS_AUDIT_H
#define CTG_ANALYSIS_AUDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ctguard/addr.h>
#include <ctguard/ct.h>
#include <ctguard/ruleset.h>
#include <ctguard/sock.h>

struct ctg_sysctls;
struct ctg_addr_set;

enum ctg_audit_kind {
	CTG_AUDIT_NO_ENTRY,	 /* orphan: socket alive, no entry, peer dropped */
	CTG_AUDIT_ENTRY_DROPPED, /* orphan: entry present, its ESTABLISHED packets dropped */
	CTG_AUDIT_AT_RISK,	 /* alive only through an entry that may expire soon */
};

const char *ctg_audit_kind_name(enum ctg_audit_kind k);

/* Same values as enum ctg_conn_role (ctguard/source.h). */
enum ctg_audit_role {
	CTG_AUDIT_ROLE_CLIENT,
	CTG_AUDIT_ROLE_SERVER,
	CTG_AUDIT_ROLE_FORWARD,
};

/*
 * One connection as audited: a socket and/or an entry.
 * @role: 0 client, 1 server, 2 forward (enum ctg_conn_role of source.h).
 * @laddr/@paddr: local and peer (forward: original source / destination).
 */
struct ctg_audit_conn {
	uint8_t family, l4proto, role;
	bool ct_dir_reply;
	struct ctg_addr laddr, paddr;
	uint16_t lport, pport;
	const struct ctg_sock *sock;
	const struct ctg_ct_entry *ct;
	const char *service;
};

/*
 * One finding.
 * @certain: every evaluation branch drops (false: depends on an unknown match).
 * @verdict: "DROP" or "REJECT" (AT_RISK: what happens without the entry).
 * @table/@chain/@rule/@line: where (rule 0 = the chain's policy); table NULL if unknown.
 * @ctstate: "NEW", "INVALID", "ESTABLISHED" as the ruleset saw the packet.
 * @ct_reason: the conntrack model's reason ("pickup", "tcp-loose-0", ...), may be NULL.
 * @path: "input" or "forward".
 */
struct ctg_audit_item {
	enum ctg_audit_kind kind;
	struct ctg_audit_conn conn;
	bool certain;
	const char *verdict;
	const char *table, *chain;
	uint32_t rule, line;
	char ctstate[24];
	const char *ct_reason;
	const char *path;
};

/*
 * Inputs, all borrowed. rs4/rs6 may be NULL: that family is not audited.
 * @sysctls: from ctg_audit_sysctls_new (NULL = kernel defaults).
 * @locals: the host's addresses (NULL: only socket addresses count as local).
 * @at_risk_timeout: seconds; 0 = 600.
 * @port_lo/@port_hi: ephemeral port range (0/0 = 32768-60999).
 */
struct ctg_audit_input {
	const struct ctg_ruleset *rs4, *rs6;
	const struct ctg_ct_table *cts;
	const struct ctg_sock_table *socks;
	const struct ctg_addr_set *locals;
	const struct ctg_sysctls *sysctls;
	uint32_t at_risk_timeout;
	uint16_t port_lo, port_hi;
};

/*
 * @v/@n: findings, orphans first (NO_ENTRY, ENTRY_DROPPED), then AT_RISK.
 * @orphans/@at_risk: certain findings; @possible: uncertain orphans (not in @orphans).
 * @conns: connections examined; @entries/@sockets: input sizes.
 */
struct ctg_audit_report {
	struct ctg_audit_item *v;
	size_t n, cap;
	size_t orphans, at_risk, possible;
	size_t conns, entries, sockets;
};

/* Kernel-default sysctls; NULL on ENOMEM. Free with ctg_audit_sysctls_free. */
struct ctg_sysctls *ctg_audit_sysctls_new(void);
void ctg_audit_sysctls_free(struct ctg_sysctls *s);
/* Sets one (ctg_sysctls_set of ct/model.h). 0, -ENOENT (unknown), -EINVAL. */
int ctg_audit_sysctls_set(struct ctg_sysctls *s, const char *name, const char *value);
/* nf_conntrack_tcp_timeout_established of s (432000 by default). */
uint32_t ctg_audit_sysctls_established_timeout(const struct ctg_sysctls *s);

void ctg_audit_input_init(struct ctg_audit_input *in);
/* Runs the audit; release the report with ctg_audit_report_release. 0 or -errno. */
int ctg_audit_run(const struct ctg_audit_input *in, struct ctg_audit_report *report);
void ctg_audit_report_release(struct ctg_audit_report *report);

static inline bool ctg_audit_is_orphan(const struct ctg_audit_item *it)
{
	return it->kind != CTG_AUDIT_AT_RISK;
}

/* ---- internal: audit_join.c (the only file that includes ctguard/source.h) ---- */

struct ctg_audit_local {
	uint8_t family;
	struct ctg_addr addr;
};

struct ctg_audit_conns {
	struct ctg_audit_conn *v;
	size_t n;
	struct ctg_audit_local *local; /* sorted, unique */
	size_t nlocal;
};

/* Joins in->socks and in->cts (ctg_conns_join); collects local addresses. 0 or -errno. */
int ctg_audit_join(const struct ctg_audit_input *in, struct ctg_audit_conns *out);
void ctg_audit_conns_release(struct ctg_audit_conns *c);

#endif
