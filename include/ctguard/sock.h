/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Sockets: from NETLINK_SOCK_DIAG or `ss -tanpH` text. */
#ifndef CTGUARD_SOCK_H
#define CTGUARD_SOCK_H

#include <stddef.h>
#include <stdint.h>

#include "addr.h"

/* Kernel TCP states (include/net/tcp_states.h). UDP sockets use 7 (CLOSE) unconnected, 1 connected. */
enum ctg_sk_state {
	CTG_SK_ESTABLISHED = 1,
	CTG_SK_SYN_SENT,
	CTG_SK_SYN_RECV,
	CTG_SK_FIN_WAIT1,
	CTG_SK_FIN_WAIT2,
	CTG_SK_TIME_WAIT,
	CTG_SK_CLOSE,
	CTG_SK_CLOSE_WAIT,
	CTG_SK_LAST_ACK,
	CTG_SK_LISTEN,
	CTG_SK_CLOSING,
};

struct ctg_sock {
	uint8_t family;  /* 2 or 10 */
	uint8_t l4proto; /* 6 or 17 */
	uint8_t state;   /* enum ctg_sk_state */
	uint16_t lport, pport; /* host order */
	struct ctg_addr laddr, paddr;
	uint32_t uid;
	uint64_t inode;
	int32_t pid;   /* -1 when unknown */
	char comm[16]; /* "" when unknown */
};

struct ctg_sock_table {
	struct ctg_sock *v;
	size_t n, cap;
};

void ctg_sock_table_init(struct ctg_sock_table *t);
void ctg_sock_table_release(struct ctg_sock_table *t);
struct ctg_sock *ctg_sock_table_push(struct ctg_sock_table *t);

#endif
