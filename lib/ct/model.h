/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The conntrack model (pure): sysctls, a view over a conntrack table with an overlay of
 * hypothetical changes, and the classification of one packet against that view the way
 * nf_conntrack_in does it (netfilter-semantics.md sections 5-7).
 *
 * Typical use (what ctg_eval_flow_packet does):
 *
 *	struct ctg_ct_view *v = ctg_ct_view_new(&table);   // table borrowed, not copied
 *	ctg_ct_view_flush(v);                               // hypothetical `conntrack -F`
 *	ctg_ct_classify(v, &pkt, &sysctls, &res);           // pkt.ctstate etc. from res
 *	... walk the ruleset ...
 *	ctg_ct_commit(v, &res, survived_to_confirm);        // entry created/updated
 *	ctg_ct_view_free(v);
 *
 * Not modelled: TCP window tracking (packets carry no sequence numbers; every in-state
 * segment is in window), helpers/expectations (EXPECTED entries from the table are
 * honoured: RELATED), zones (zone 0 only), checksums, table-full eviction.
 */
#ifndef CTG_CT_MODEL_H
#define CTG_CT_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ctguard/ct.h>

#include "../ruleset/ir.h"

/* ---------------------------------------------------------------- sysctls */

/*
 * net.netfilter.nf_conntrack_* values that change the model (section 11).
 * @tcp_timeout: per enum ctg_tcp_state, seconds (index CTG_TCP_NONE unused).
 * @tcp_timeout_max_retrans / @tcp_timeout_unack: the 300 s caps.
 * @port_lo/@port_hi: net.ipv4.ip_local_port_range (ephemeral ports, for analyses).
 */
struct ctg_sysctls {
	bool tcp_loose;
	bool tcp_be_liberal;
	bool tcp_ignore_invalid_rst;
	uint32_t tcp_max_retrans;
	uint32_t tcp_timeout[CTG_TCP_MAX];
	uint32_t tcp_timeout_max_retrans;
	uint32_t tcp_timeout_unack;
	uint32_t udp_timeout, udp_timeout_stream;
	uint32_t icmp_timeout, icmpv6_timeout, generic_timeout;
	bool checksum;
	uint16_t port_lo, port_hi;
};

/* Kernel defaults (tcp_loose 1, be_liberal 0, timeouts of section 6, ports 32768-60999). */
void ctg_sysctls_default(struct ctg_sysctls *s);

/*
 * Sets one sysctl by name: "nf_conntrack_tcp_loose", "net.netfilter.nf_conntrack_tcp_loose"
 * or the /proc/sys path form "net/netfilter/nf_conntrack_tcp_loose"; also
 * "net.ipv4.ip_local_port_range" ("32768 60999" or "32768-60999").
 * Returns 0, -ENOENT (unknown name) or -EINVAL (bad value).
 */
int ctg_sysctls_set(struct ctg_sysctls *s, const char *name, const char *value);

/* ---------------------------------------------------------------- view */

/*
 * A view: the entries of a base table (borrowed, must outlive the view and stay
 * unchanged) hashed by both tuples, plus an overlay of entries added, changed or deleted
 * by hypothetical packets/actions. The base table itself is never written.
 */
struct ctg_ct_view;

/* base may be NULL (empty table). Returns NULL with errno ENOMEM. */
struct ctg_ct_view *ctg_ct_view_new(const struct ctg_ct_table *base);
void ctg_ct_view_free(struct ctg_ct_view *v);
/* Drops the overlay: back to the base table. */
void ctg_ct_view_reset(struct ctg_ct_view *v);
/* Hypothetical wipe (`conntrack -F`): every entry hidden, overlay dropped. */
void ctg_ct_view_flush(struct ctg_ct_view *v);
/* Number of live entries (base not deleted + overlay). */
size_t ctg_ct_view_count(const struct ctg_ct_view *v);

/*
 * Finds the entry one of whose tuples equals t for family/l4proto (zone 0).
 * *reply_dir (may be NULL) tells which tuple matched. Returns NULL when none.
 * The pointer is valid until the next change to the view.
 */
const struct ctg_ct_entry *ctg_ct_view_lookup(const struct ctg_ct_view *v, uint8_t family,
					      uint8_t l4proto, const struct ctg_tuple *t,
					      bool *reply_dir);
/*
 * Overlay edits. insert copies e (replacing an entry with the same original tuple);
 * delete hides the entry with e's original tuple. 0, -ENOMEM, -ENOENT (delete).
 */
int ctg_ct_view_insert(struct ctg_ct_view *v, const struct ctg_ct_entry *e);
int ctg_ct_view_delete(struct ctg_ct_view *v, const struct ctg_ct_entry *e);
/* Calls fn for every live entry (order unspecified); stops when fn returns non-zero. */
int ctg_ct_view_foreach(const struct ctg_ct_view *v,
			int (*fn)(const struct ctg_ct_entry *e, void *arg), void *arg);

/* ---------------------------------------------------------------- classification */

/* Tuple of the packet in its own direction (ICMP: id, (type << 8) | code). */
void ctg_ct_pkt_tuple(const struct ctg_pkt *p, struct ctg_tuple *t);
/* The reply tuple the kernel derives for an original tuple (ICMP echo 8 -> 0 etc.). */
void ctg_ct_invert_tuple(uint8_t l4proto, const struct ctg_tuple *orig, struct ctg_tuple *reply);

enum ctg_ct_action {
	CTG_CT_ACT_NONE,    /* nothing changes (INVALID, UNTRACKED, ignored packet) */
	CTG_CT_ACT_CREATE,  /* pending new entry: real only if the packet reaches confirm */
	CTG_CT_ACT_UPDATE,  /* existing entry updated (happens even if the packet is dropped) */
	CTG_CT_ACT_REPLACE, /* SYN on TIME_WAIT/CLOSE: old entry killed, pending new one */
	CTG_CT_ACT_DELETE,  /* existing entry removed (RST before any reply, ...) */
};

/*
 * @ctstate: CTG_CTS_* as state/conntrack see it (one of INVALID/NEW/ESTABLISHED/RELATED/
 *   UNTRACKED, plus SNAT/DNAT when the entry has a binding).
 * @reply_dir: packet travels in the entry's reply direction.
 * @found: entry of the view the packet belongs to (NULL when none); for RELATED ICMP
 *   errors, the entry of the quoted flow.
 * @entry: the entry after the packet (pending for CREATE/REPLACE, updated for UPDATE).
 * @action: what ctg_ct_commit will do.
 * @tcp_old/@tcp_new: TCP states before/after (CTG_TCP_NONE when none).
 * @reason: short stable text why ("pickup", "syn", "tcp-invalid-flags", "tcp-loose-0",
 *   "tcp-iv", "tcp-ig", "icmp-error-untracked", "echo-reply-untracked", ...).
 */
struct ctg_ct_result {
	uint8_t ctstate;
	bool reply_dir;
	const struct ctg_ct_entry *found;
	struct ctg_ct_entry entry;
	enum ctg_ct_action action;
	uint8_t tcp_old, tcp_new;
	const char *reason;
};

/*
 * Classifies pkt against the view (pkt->ctstate etc. are ignored; raw-table notrack is
 * the caller's business: call ctg_ct_untracked instead). Pure: the view is not changed.
 * Returns 0 or -EINVAL (unsupported family).
 */
int ctg_ct_classify(const struct ctg_ct_view *v, const struct ctg_pkt *pkt,
		    const struct ctg_sysctls *s, struct ctg_ct_result *out);
/* Result for a packet marked NOTRACK in raw: UNTRACKED, no action. */
void ctg_ct_untracked(struct ctg_ct_result *out);
/* Copies ctstate, ct_reply_dir, ct (=found or &r->entry), ctmark into pkt. */
void ctg_ct_result_to_pkt(const struct ctg_ct_result *r, struct ctg_pkt *pkt);

/*
 * Applies the result to the view. confirmed: the packet survived to the confirm hook
 * (accepted through INPUT/POSTROUTING). CREATE/REPLACE happen only when confirmed (a
 * REPLACE that is not confirmed still kills the old entry); UPDATE and DELETE always.
 * Returns 0 or -ENOMEM.
 */
int ctg_ct_commit(struct ctg_ct_view *v, const struct ctg_ct_result *r, bool confirmed);

/*
 * The bare TCP state table (tcp_conntracks): next state for (reply direction, flag
 * class, state); returns CTG_CT_TCP_IV / CTG_CT_TCP_IG for the special cells.
 * ctg_ct_tcp_flag_class: 0 syn, 1 synack, 2 fin, 3 ack, 4 rst, 5 none; -1 when tcp_error
 * refuses the flag combination.
 */
#define CTG_CT_TCP_IV 0xfe
#define CTG_CT_TCP_IG 0xff
int ctg_ct_tcp_flag_class(uint8_t tcp_flags);
uint8_t ctg_ct_tcp_next(bool reply_dir, int flag_class, uint8_t state);

#endif
