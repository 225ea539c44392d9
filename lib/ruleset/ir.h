/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The ruleset IR (internal to libctguard). nft-shaped: every iptables table is a set of
 * base chains hooked at its standard priority; rules are an IP part, a list of match
 * expressions and one target. Everything lives on the ruleset's arena and is immutable
 * after parsing. Match and target modules plug in through ops tables.
 */
#ifndef CTG_IR_H
#define CTG_IR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ctguard/addr.h>
#include <ctguard/ct.h>
#include <ctguard/diag.h>
#include <ctguard/ruleset.h>

#include "../core/arena.h"
#include "../core/strbuf.h"

/* ---------------------------------------------------------------- tables, hooks */

enum ctg_table_id {
	CTG_TABLE_RAW,	    /* -300 */
	CTG_TABLE_MANGLE,   /* -150 */
	CTG_TABLE_NAT,	    /* -100 (dst) / 100 (src) */
	CTG_TABLE_FILTER,   /* 0 */
	CTG_TABLE_SECURITY, /* 50 */
	CTG_TABLE_MAX,
};

enum ctg_hook {
	CTG_HOOK_PREROUTING,
	CTG_HOOK_INPUT,
	CTG_HOOK_FORWARD,
	CTG_HOOK_OUTPUT,
	CTG_HOOK_POSTROUTING,
	CTG_HOOK_MAX,
};

const char *ctg_table_name(enum ctg_table_id t);
int ctg_table_lookup(const char *name);	    /* -1 if unknown */
const char *ctg_hook_name(enum ctg_hook h); /* "INPUT" */
/* Bitmask of hooks a table has built-in chains for (per family). */
unsigned ctg_table_hooks(enum ctg_table_id t, enum ctg_family f);

/* Three-valued logic. */
enum ctg_tri {
	CTG_FALSE = 0,
	CTG_TRUE = 1,
	CTG_UNKNOWN = 2,
};

/* ---------------------------------------------------------------- packets */

/* ctstate bits as xt_state/xt_conntrack see them. */
enum ctg_ctstate {
	CTG_CTS_INVALID = 1 << 0,
	CTG_CTS_NEW = 1 << 1,
	CTG_CTS_ESTABLISHED = 1 << 2,
	CTG_CTS_RELATED = 1 << 3,
	CTG_CTS_UNTRACKED = 1 << 4,
	CTG_CTS_SNAT = 1 << 5, /* conntrack match only */
	CTG_CTS_DNAT = 1 << 6,
};

enum ctg_tcp_flag_bits {
	CTG_TH_FIN = 0x01,
	CTG_TH_SYN = 0x02,
	CTG_TH_RST = 0x04,
	CTG_TH_PSH = 0x08,
	CTG_TH_ACK = 0x10,
	CTG_TH_URG = 0x20,
	CTG_TH_ECE = 0x40,
	CTG_TH_CWR = 0x80,
};

/* addrtype bits (XT_ADDRTYPE_*) */
enum ctg_addrtype {
	CTG_RTN_UNSPEC = 1 << 0,
	CTG_RTN_UNICAST = 1 << 1,
	CTG_RTN_LOCAL = 1 << 2,
	CTG_RTN_BROADCAST = 1 << 3,
	CTG_RTN_ANYCAST = 1 << 4,
	CTG_RTN_MULTICAST = 1 << 5,
	CTG_RTN_BLACKHOLE = 1 << 6,
	CTG_RTN_UNREACHABLE = 1 << 7,
	CTG_RTN_PROHIBIT = 1 << 8,
	CTG_RTN_THROW = 1 << 9,
	CTG_RTN_NAT = 1 << 10,
	CTG_RTN_XRESOLVE = 1 << 11,
};

/*
 * What a match may look at. Fields marked "known" have a flag; a match that needs an
 * unknown field answers CTG_UNKNOWN.
 */
struct ctg_pkt {
	uint8_t family; /* 2 / 10 */
	uint8_t hook;	/* enum ctg_hook being traversed */
	uint8_t l4proto;
	uint8_t tcp_flags; /* CTG_TH_* */
	uint8_t icmp_type, icmp_code;
	uint8_t ttl;	       /* hop limit for IPv6 */
	uint8_t tos;	       /* traffic class for IPv6 */
	bool fragment;	       /* non-first fragment */
	uint16_t sport, dport; /* host order; icmp: id in sport */
	uint16_t len;	       /* IP total length */
	struct ctg_addr src, dst;
	const char *iif, *oif;	       /* NULL or "" = none at this hook */
	bool iif_unknown, oif_unknown; /* interface not known: -i/-o answer UNKNOWN */
	/*
	 * Interfaces from routing (ctg_eval_env.route): route_iif, the packet arrived on the
	 * interface the host routes its source through (reverse path); route_oif, the output
	 * interface is the kernel's routing decision (local out: before OUTPUT, again when
	 * mangle/nat OUTPUT change the mark or destination; forward: after PREROUTING).
	 */
	bool route_iif, route_oif;
	/* An unknown interface is still not "lo" (the other end is not a local address). */
	bool if_not_lo;
	uint32_t mark;
	bool mark_known;
	/* Conntrack view of the packet (from the ct model). */
	uint8_t ctstate; /* exactly one of INVALID/NEW/ESTABLISHED/RELATED/UNTRACKED (+SNAT/DNAT) */
	bool ct_reply_dir;	       /* packet is in the entry's reply direction */
	const struct ctg_ct_entry *ct; /* entry, NULL if none (INVALID/UNTRACKED) */
	uint32_t ctmark;
	/* Address types of src and dst (addrtype); 0 = unknown. */
	uint16_t src_type, dst_type;
	/* Local sockets (owner): */
	bool uid_known;
	uint32_t uid, gid;
	/* Interface of the physical bridge ports; unknown unless br_netfilter. */
	bool physdev_known;
	/* ICMP/ICMPv6 errors: the quoted packet's tuple (as sent, in its own direction). */
	bool has_inner;
	uint8_t inner_l4proto;
	struct ctg_tuple inner;
};

/* ---------------------------------------------------------------- modules */

/* An option a module accepts. */
enum ctg_opt_flags {
	CTG_OPT_ARG = 1 << 0,	 /* takes one argument */
	CTG_OPT_ARG2 = 1 << 1,	 /* takes two arguments (--tcp-flags MASK COMP) */
	CTG_OPT_INV = 1 << 2,	 /* may be negated */
	CTG_OPT_MULTI = 1 << 3,	 /* may be given more than once */
	CTG_OPT_OPTARG = 1 << 4, /* argument optional (taken if the next word is not an option) */
};

struct ctg_opt {
	const char *name; /* without leading dashes: "dport" */
	uint8_t id;	  /* module-specific */
	uint8_t flags;	  /* enum ctg_opt_flags */
};

/*
 * Parser context handed to module callbacks. Modules report problems through it so the
 * diagnostic points at the offending word; they allocate from the ruleset's arena.
 */
struct ctg_mctx {
	struct ctg_arena *arena;
	struct ctg_diags *diags;
	enum ctg_family family;
	enum ctg_table_id table;
	const char *chain; /* chain being appended to */
	uint8_t proto;	   /* -p value of the rule, 0 if none */
	bool proto_inv;
	/* Current option location (filled by the core before each callback). */
	struct ctg_loc loc;
	const char *line; /* the line (not NUL-terminated) and its length */
	size_t line_len;
	int nerrors;
	bool strict; /* CTG_PARSE_STRICT */
};

/* Reports an error/warning at the current option's location; returns -EINVAL. */
int ctg_mctx_error(struct ctg_mctx *c, const char *code, const char *hint, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void ctg_mctx_warn(struct ctg_mctx *c, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

struct ctg_eval_env; /* defined in eval/eval.h: sysctls, local addresses, ... */

struct ctg_match_ops {
	const char *name;	    /* "tcp" */
	uint8_t family_mask;	    /* 1 = IPv4, 2 = IPv6 */
	const struct ctg_opt *opts; /* sorted by name, for bsearch */
	size_t nopts;
	size_t size; /* bytes of private data, zeroed before parse */
	/* One option; arg/arg2 NULL when absent. inv for "! --opt". Returns 0 or -EINVAL. */
	int (*parse)(struct ctg_mctx *c, void *data, unsigned id, bool inv, const char *arg,
		     const char *arg2);
	/* After all options: check required ones, fill defaults. May be NULL. */
	int (*final)(struct ctg_mctx *c, void *data);
	/* Canonical text as iptables-save prints it, after "-m name". Leading space each option. */
	void (*emit)(const void *data, enum ctg_family f, struct ctg_strbuf *sb);
	/* Three-valued evaluation. */
	enum ctg_tri (*eval)(const void *data, const struct ctg_pkt *p,
			     const struct ctg_eval_env *env);
	/* Bitmask of hooks the match is valid in; 0 = all. */
	unsigned hooks;
	/* True when the match uses conntrack (state, conntrack, connmark, ...). */
	bool needs_ct;
};

enum ctg_verdict {
	CTG_V_CONTINUE, /* non-terminal target: go on with the next rule */
	CTG_V_ACCEPT,
	CTG_V_DROP,
	CTG_V_REJECT,
	CTG_V_RETURN,
	CTG_V_JUMP,
	CTG_V_GOTO,
	CTG_V_QUEUE, /* NFQUEUE and other verdicts decided in userspace: unknown */
};

struct ctg_target_ops {
	const char *name; /* "REJECT" */
	uint8_t family_mask;
	const struct ctg_opt *opts;
	size_t nopts;
	size_t size;
	int (*parse)(struct ctg_mctx *c, void *data, unsigned id, bool inv, const char *arg,
		     const char *arg2);
	int (*final)(struct ctg_mctx *c, void *data);
	void (*emit)(const void *data, enum ctg_family f, struct ctg_strbuf *sb);
	/* Verdict of the target; may change the packet (MARK, NOTRACK via flags). */
	enum ctg_verdict (*apply)(const void *data, struct ctg_pkt *p);
	enum ctg_verdict verdict; /* static verdict when apply == NULL */
	unsigned tables;	  /* bitmask of tables where valid; 0 = all */
	unsigned hooks;		  /* bitmask of hooks; 0 = all */
	bool needs_ct;
	bool notrack; /* CT --notrack / NOTRACK: packet becomes UNTRACKED (raw only) */
};

const struct ctg_match_ops *ctg_match_lookup(const char *name);
const struct ctg_target_ops *ctg_target_lookup(const char *name);
/* All names, for "did you mean". */
const char *const *ctg_match_names(size_t *n);
const char *const *ctg_target_names(size_t *n);

/* ---------------------------------------------------------------- IR objects */

struct ctg_match {
	const struct ctg_match_ops *ops; /* NULL: unknown module, kept verbatim */
	const char *name;		 /* module name as written */
	const char *raw;		 /* unknown modules: option text verbatim */
	void *data;
	struct ctg_loc loc;
};

struct ctg_target {
	enum ctg_verdict verdict;	  /* for JUMP/GOTO: chain index in table */
	int32_t chain;			  /* JUMP/GOTO target chain index, else -1 */
	const struct ctg_target_ops *ops; /* NULL for standard verdicts and jumps */
	const char *name;		  /* "ACCEPT", chain name, or extension name */
	const char *raw;		  /* unknown targets: verbatim */
	void *data;
	struct ctg_loc loc;
};

struct ctg_iface {
	char name[16];
	uint8_t len;   /* length without the '+' */
	bool wildcard; /* trailing '+' */
	bool set;
	bool inv;
};

struct ctg_rule {
	struct ctg_loc loc;
	/* IP part */
	struct ctg_addr src, smsk, dst, dmsk;
	bool src_set, dst_set, inv_src, inv_dst;
	struct ctg_iface in, out;
	uint8_t proto; /* 0 = any */
	bool proto_set, inv_proto;
	bool frag_set, inv_frag;
	bool has_unknown;  /* some match or the target is unknown */
	bool has_counters; /* pkts and bytes were given */
	/* matches */
	uint16_t nmatches;
	struct ctg_match *matches;
	struct ctg_target target;
	/* counters */
	uint64_t pkts, bytes;
};

struct ctg_chain {
	const char *name;
	bool builtin;
	enum ctg_hook hook;	 /* builtin only */
	enum ctg_verdict policy; /* builtin only: ACCEPT or DROP */
	uint64_t policy_pkts, policy_bytes;
	struct ctg_rule *rules; /* contiguous */
	uint32_t nrules;
	struct ctg_loc loc;
};

struct ctg_table {
	bool present;
	struct ctg_chain *chains; /* builtins first (hook order), then user chains sorted by name */
	uint32_t nchains;
	int32_t hook_chain[CTG_HOOK_MAX]; /* index of the builtin chain per hook, or -1 */
	struct ctg_loc loc;
};

struct ctg_ruleset {
	struct ctg_arena *arena;
	enum ctg_family family;
	struct ctg_table tables[CTG_TABLE_MAX];
	const char *name; /* source name */
	char *text;	  /* the source text (owned), for diagnostics */
	size_t text_len;
	size_t nrules;
	bool uses_ct; /* some rule activates conntrack in the netns (8.2) */
	/*
	 * Live host: the iptables backend these tables came from (enum ctg_ipt_backend, 0
	 * unknown or a file), the other backend's ruleset of the same family loaded at the
	 * same time (owned; the kernel runs both: at each hook, this one's tables then
	 * next's, at their equal priorities), and the hooks (1 << enum ctg_hook) where native
	 * nft base chains sit: the evaluator cannot tell what they do (outcomes unknown).
	 */
	uint8_t backend;
	struct ctg_ruleset *next;
	unsigned native_hooks;
};

/* Lookup a chain by name in a table; -1 when absent. */
int ctg_table_chain_index(const struct ctg_table *t, const char *name);

#endif
