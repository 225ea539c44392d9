/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The evaluator: one packet through every hook of its path, tables in kernel priority
 * order (netfilter-semantics.md sections 1-2), three-valued. This linear walk is the
 * reference: any faster classifier must agree with it.
 *
 * Order per hook (conntrack and confirm are done by ctg_eval_flow_packet):
 *   PREROUTING  raw, [conntrack], mangle, nat(dst)
 *   INPUT       mangle, filter, security, nat(src), [confirm]
 *   FORWARD     mangle, filter, security
 *   OUTPUT      raw, [conntrack], mangle, nat(dst), filter, security
 *   POSTROUTING mangle, nat(src), [confirm]
 * nat chains are traversed only by NEW/RELATED packets.
 *
 * Packet changes the kernel makes along the path (the later tables see them):
 * - forward path: ip_forward()/ip6_forward() decrement the TTL / hop limit after
 *   PREROUTING and before FORWARD (a packet arriving with TTL <= 1 is dropped there,
 *   ICMP time exceeded); pkt->ttl is the TTL as received.
 * - NAT (nf_nat_inet_fn / nf_nat_packet): after nat PREROUTING/OUTPUT the destination
 *   (address, port) is translated, after nat POSTROUTING/INPUT the source. A new
 *   conntrack gets its binding from the DNAT/REDIRECT/SNAT/MASQUERADE rule that took it
 *   (nf_nat_setup_info: the entry's reply tuple changes, status DST_NAT/SRC_NAT); a
 *   packet of an existing entry is translated by the entry's binding (its reply tuple),
 *   whether or not the nat chains are traversed.
 *
 * Three-valued: a rule whose match is UNKNOWN forks the walk; one branch takes the rule,
 * the other skips it. The result is the set of possible verdicts; it is certain when only
 * one verdict is possible.
 */
#ifndef CTG_EVAL_H
#define CTG_EVAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ctguard/route.h>

#include "../ct/model.h"
#include "../ruleset/ir.h"

enum ctg_eval_path {
	CTG_PATH_LOCAL_IN,  /* PREROUTING -> INPUT */
	CTG_PATH_FORWARD,   /* PREROUTING -> FORWARD -> POSTROUTING */
	CTG_PATH_LOCAL_OUT, /* OUTPUT -> POSTROUTING */
};

/* "input" / "forward" / "output" -> path; -1 when unknown. */
int ctg_eval_path_parse(const char *s);
const char *ctg_eval_path_name(enum ctg_eval_path p);

struct ctg_local_addr {
	uint8_t family;
	struct ctg_addr addr;
};

/* The primary address of an interface (REDIRECT's target in PREROUTING, MASQUERADE's). */
struct ctg_iface_addr {
	const char *ifname;
	uint8_t family;
	struct ctg_addr addr;
};

/*
 * What the evaluation may need besides the ruleset and the packet.
 * @sysctls: conntrack sysctls (ctg_sysctls_default when unknown).
 * @local/@nlocal: the host's addresses (borrowed); used for addrtype LOCAL.
 * @local_known: false = the address list is unknown (addrtype LOCAL answers UNKNOWN).
 * @ct_active: -1 auto (the ruleset uses conntrack: rs->uses_ct or any nat rule),
 *   0 conntrack off in the netns (no entries created, ctstate INVALID), 1 on.
 * @max_branches: cap on forks of three-valued evaluation (0 = 1024). Past the cap the
 *   remaining branches are abandoned and the result is marked truncated (uncertain).
 * @all_rules: the trace records every rule evaluated, not only the matching ones.
 * @ifaddr/@nifaddr: primary address per interface and family (borrowed; first entry
 *   wins). Unknown interface: a REDIRECT in PREROUTING translates to an unknown local
 *   address (-d rules after it fork unless @local settles them).
 */
struct ctg_eval_env {
	struct ctg_sysctls sysctls;
	const struct ctg_local_addr *local;
	size_t nlocal;
	bool local_known;
	int ct_active;
	unsigned max_branches;
	bool all_rules;
	const struct ctg_iface_addr *ifaddr;
	size_t nifaddr;
	/* Routing for packets with route_iif/route_oif (NULL: those interfaces are unknown). */
	int (*route)(void *arg, const struct ctg_route_query *q, struct ctg_route_res *res);
	void *route_arg;
};

/* Defaults: kernel sysctls, no local addresses (unknown), ct auto. */
void ctg_eval_env_init(struct ctg_eval_env *env);
/* CTG_TRUE when addr is one of env's local addresses, CTG_UNKNOWN when not known. */
enum ctg_tri ctg_eval_env_is_local(const struct ctg_eval_env *env, uint8_t family,
				   const struct ctg_addr *addr);

/* ---------------------------------------------------------------- trace */

enum ctg_step_kind {
	CTG_STEP_RULE,	   /* a rule matched (or was evaluated, with env->all_rules) */
	CTG_STEP_RETURN,   /* end of a user chain: implicit return */
	CTG_STEP_POLICY,   /* end of a built-in chain: policy applied */
	CTG_STEP_CT,	   /* conntrack classified the packet (ctstate in @action-less step) */
	CTG_STEP_NAT_SKIP, /* nat table skipped: not NEW/RELATED */
	CTG_STEP_NAT,	   /* the packet was translated (after a nat table / binding) */
	CTG_STEP_TTL,	   /* forward path: TTL <= 1 on arrival, dropped by ip_forward */
	CTG_STEP_NATIVE,   /* native nft base chains at @hook decide: outcome unknown */
};

/*
 * One step of the walk, in the kernel's TRACE vocabulary: table:chain:rule:N / policy /
 * return. @rule is 1-based (0 for policy/return); @line is the source line (0 unknown).
 * @match: CTG_TRUE matched, CTG_FALSE did not match (all_rules only), CTG_UNKNOWN the
 * branch point of a fork (@branch is the branch that took the rule; the skipping branch
 * continues with a new branch number).
 * @action: the verdict of the step (CONTINUE for non-terminal targets and non-matches).
 * @ctstate: the packet's ctstate at this step.
 */
struct ctg_trace_step {
	uint8_t kind;
	uint8_t table;
	uint8_t backend; /* enum ctg_ipt_backend of the ruleset the table came from */
	uint8_t hook;
	uint8_t match;
	uint8_t ctstate;
	uint16_t branch;
	int32_t chain;
	const char *chain_name;
	uint32_t rule;
	uint32_t line;
	enum ctg_verdict action;
	const struct ctg_rule *r;
};

struct ctg_trace {
	struct ctg_trace_step *v;
	size_t n, cap;
	bool oom;
};

void ctg_trace_init(struct ctg_trace *t);
void ctg_trace_release(struct ctg_trace *t);
void ctg_trace_reset(struct ctg_trace *t);

/* ---------------------------------------------------------------- results */

enum ctg_verdict_bits {
	CTG_VB_ACCEPT = 1 << 0,
	CTG_VB_DROP = 1 << 1,
	CTG_VB_REJECT = 1 << 2,
	CTG_VB_QUEUE = 1 << 3, /* NFQUEUE, unknown targets: decided elsewhere */
};

/* Where a verdict was taken. @rule 0 = the chain's policy. */
struct ctg_rule_ref {
	uint8_t table, hook;
	uint8_t backend; /* enum ctg_ipt_backend of the ruleset the table came from */
	int32_t chain;
	const char *chain_name;
	uint32_t rule;
	uint32_t line;
	const struct ctg_rule *r; /* NULL for a policy */
};

/*
 * @possible: CTG_VB_* set of verdicts some branch reaches.
 * @certain: exactly one verdict possible and no branch was abandoned.
 * @verdict: CTG_V_ACCEPT/DROP/REJECT/QUEUE of branch 0 (unknown matches taken as true
 *   first); equal to the only verdict when certain.
 * @has_stop/@stop: the rule or policy that dropped/rejected in the first branch ending
 *   in DROP or REJECT (has_stop false when none does).
 * @branches: branches explored; @truncated: max_branches reached.
 * @rules_visited: rules evaluated over all branches (for benchmarks).
 * @ctstate/@mark: of branch 0 at the end of the walk.
 * @nat: branch 0's packet was translated; @nat_pkt: its addresses/ports at the end;
 *   @nat_ct/@nat_reply/@nat_status: branch 0 set up a binding for the new conntrack
 *   (the entry's new reply tuple and CTG_IPS_SRC_NAT/DST_NAT bits).
 *   @nat_dst_unknown: branch 0 was redirected to a local address the model does not know
 *   (nat_pkt keeps the old destination address).
 * @oif/@oif_unknown: branch 0's output interface (routed when the packet asked for it).
 * @nat_inexact: some branch was translated to an address/port the model cannot know
 *   (address range, random ports, unknown interface address for a -d test): the result
 *   is then not certain.
 */
struct ctg_eval_result {
	unsigned possible;
	bool certain;
	enum ctg_verdict verdict;
	bool has_stop;
	struct ctg_rule_ref stop;
	unsigned branches;
	bool truncated;
	uint64_t rules_visited;
	uint8_t ctstate;
	uint32_t mark;
	bool nat, nat_ct, nat_inexact, nat_dst_unknown;
	struct ctg_tuple nat_pkt;
	struct ctg_tuple nat_reply;
	uint32_t nat_status;
	/* the input interface (routed when asked) and branch 0's output interface at the end
	 * of the walk (NULL: none or unknown) */
	const char *iif, *oif;
	bool iif_unknown, oif_unknown;
};

/*
 * Walks pkt through rs along path. pkt->ctstate/ct/... must already be set (the caller's
 * conntrack view); a NOTRACK/CT --notrack target in raw makes it UNTRACKED. pkt->hook,
 * iif/oif are adjusted per hook on a private copy; pkt is not changed.
 * trace may be NULL. Returns 0, -EINVAL (bad path/family mismatch) or -ENOMEM (trace).
 */
int ctg_eval_packet(const struct ctg_ruleset *rs, enum ctg_eval_path path,
		    const struct ctg_pkt *pkt, const struct ctg_eval_env *env,
		    struct ctg_trace *trace, struct ctg_eval_result *out);

/*
 * One packet of a scenario: raw table, conntrack classification against view (with
 * env->sysctls), the rest of the walk, then (when commit) the view updated as the kernel
 * would: existing entries always updated; a new entry kept only when the packet is
 * certainly accepted up to confirm (possible == ACCEPT). Uncertain verdicts create no
 * entry. view may be NULL (empty table, nothing committed).
 * @eval: the walk; @ct: the classification; @confirmed: the new entry was committed.
 * @ct.found points into the view: valid until the view changes (a commit changes it).
 * Conntrack is active per env->ct_active; when inactive, ctstate is INVALID and nothing
 * is committed. ICMPv6 ND/MLD is UNTRACKED as in the kernel.
 */
struct ctg_flow_result {
	struct ctg_eval_result eval;
	struct ctg_ct_result ct;
	bool confirmed;
};

int ctg_eval_flow_packet(const struct ctg_ruleset *rs, struct ctg_ct_view *view,
			 const struct ctg_eval_env *env, enum ctg_eval_path path,
			 const struct ctg_pkt *pkt, bool commit, struct ctg_trace *trace,
			 struct ctg_flow_result *out);

/* Names for output: "ACCEPT", "DROP", ...; "accept-or-drop"-like text for a VB set. */
const char *ctg_verdict_name(enum ctg_verdict v);
/* Writes e.g. "ACCEPT", "DROP|REJECT" into buf; returns buf. */
const char *ctg_verdict_bits_format(unsigned bits, char *buf, size_t size);
/* "NEW", "ESTABLISHED", "INVALID,SNAT"... into buf; returns buf. */
const char *ctg_ctstate_format(uint8_t ctstate, char *buf, size_t size);
/* Parses "NEW" etc. (one state, optional ,SNAT/,DNAT); -1 when unknown. */
int ctg_ctstate_parse(const char *s);

#endif
