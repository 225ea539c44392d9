/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Conntrack entries and tables: the same data whether read over netlink, from
 * `conntrack -L` text or /proc/net/nf_conntrack.
 */
#ifndef CTGUARD_CT_H
#define CTGUARD_CT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "diag.h"

/* Kernel values (linux/netfilter/nf_conntrack_common.h). */
enum ctg_ct_status {
	CTG_IPS_EXPECTED = 1 << 0,
	CTG_IPS_SEEN_REPLY = 1 << 1,
	CTG_IPS_ASSURED = 1 << 2,
	CTG_IPS_CONFIRMED = 1 << 3,
	CTG_IPS_SRC_NAT = 1 << 4,
	CTG_IPS_DST_NAT = 1 << 5,
	CTG_IPS_SEQ_ADJUST = 1 << 6,
	CTG_IPS_SRC_NAT_DONE = 1 << 7,
	CTG_IPS_DST_NAT_DONE = 1 << 8,
	CTG_IPS_DYING = 1 << 9,
	CTG_IPS_FIXED_TIMEOUT = 1 << 10,
	CTG_IPS_TEMPLATE = 1 << 11,
	CTG_IPS_UNTRACKED = 1 << 12,
	CTG_IPS_HELPER = 1 << 13,
	CTG_IPS_OFFLOAD = 1 << 14,
	CTG_IPS_HW_OFFLOAD = 1 << 15,
};

/* Kernel TCP conntrack states (enum tcp_conntrack). */
enum ctg_tcp_state {
	CTG_TCP_NONE,
	CTG_TCP_SYN_SENT,
	CTG_TCP_SYN_RECV,
	CTG_TCP_ESTABLISHED,
	CTG_TCP_FIN_WAIT,
	CTG_TCP_CLOSE_WAIT,
	CTG_TCP_LAST_ACK,
	CTG_TCP_TIME_WAIT,
	CTG_TCP_CLOSE,
	CTG_TCP_SYN_SENT2,
	CTG_TCP_MAX,
};

/* ip_ct_tcp_flags */
enum ctg_tcp_ct_flags {
	CTG_TCPF_WINDOW_SCALE = 0x01,
	CTG_TCPF_SACK_PERM = 0x02,
	CTG_TCPF_CLOSE_INIT = 0x04,
	CTG_TCPF_BE_LIBERAL = 0x08,
	CTG_TCPF_DATA_UNACK = 0x10,
	CTG_TCPF_MAXACK_SET = 0x20,
};

/* One direction's tuple. For ICMP: sport = id, dport = (type << 8) | code. */
struct ctg_tuple {
	struct ctg_addr src, dst;
	uint16_t sport, dport; /* host byte order */
};

struct ctg_ct_entry {
	uint8_t family;  /* 2 or 10 */
	uint8_t l4proto; /* 6, 17, 1, 58, ... */
	uint8_t tcp_state;        /* enum ctg_tcp_state, TCP only */
	uint8_t tcp_flags[2];     /* enum ctg_tcp_ct_flags, [0] original, [1] reply */
	uint8_t tcp_wscale[2];
	uint16_t zone;
	uint32_t status;  /* enum ctg_ct_status */
	uint32_t timeout; /* seconds left */
	uint32_t mark;
	uint32_t id;
	uint64_t start_ns; /* 0 when unknown */
	struct ctg_tuple orig, reply;
};

/* A growable flat array of entries. */
struct ctg_ct_table {
	struct ctg_ct_entry *v;
	size_t n, cap;
};

void ctg_ct_table_init(struct ctg_ct_table *t);
void ctg_ct_table_release(struct ctg_ct_table *t);
/* Returns a pointer to a zeroed new slot or NULL (ENOMEM). */
struct ctg_ct_entry *ctg_ct_table_push(struct ctg_ct_table *t);

const char *ctg_tcp_state_name(enum ctg_tcp_state s);

#endif
