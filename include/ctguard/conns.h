/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The joined connection view (sockets x conntrack entries) and service names: analysis of
 * what the sources read (lib/analysis/conns.c, services.c); nothing here reads the kernel.
 */
#ifndef CTGUARD_CONNS_H
#define CTGUARD_CONNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "ct.h"
#include "sock.h"
#include "source.h"

/* ---- services ---- */

/* Well-known service name for (proto 6/17, port), or NULL. */
const char *ctg_service_name(int l4proto, uint16_t port);

/* ---- joined connection view ---- */

enum ctg_conn_role {
	CTG_ROLE_CLIENT,
	CTG_ROLE_SERVER,
	CTG_ROLE_FORWARD,
};

const char *ctg_conn_role_name(enum ctg_conn_role r);

/*
 * One connection: a non-listening socket with its conntrack entry (or none), or a
 * conntrack entry without a socket. Pointers borrow from the input tables.
 * @local/@peer: for forward rows, the original tuple's source/destination.
 * @ct_dir_reply: true when the local->peer direction is the entry's REPLY direction
 * (the peer opened it, or it was picked up from a peer packet).
 */
struct ctg_conn {
	uint8_t family, l4proto;
	uint8_t role; /* enum ctg_conn_role */
	bool ct_dir_reply;
	struct ctg_addr laddr, paddr;
	uint16_t lport, pport;
	const struct ctg_sock *sock;   /* NULL: entry without socket */
	const struct ctg_ct_entry *ct; /* NULL: "no entry" */
	const char *service;	       /* NULL when unknown */
};

struct ctg_conn_table {
	struct ctg_conn *v;
	size_t n, cap;
};

void ctg_conn_table_init(struct ctg_conn_table *t);
void ctg_conn_table_release(struct ctg_conn_table *t);

/*
 * Joins sockets and conntrack entries. Key: (proto, local addr/port, peer addr/port)
 * against either tuple of an entry in either direction, so DNAT/SNAT are matched through
 * the reply tuple. Listening and unconnected sockets produce no row but make their port a
 * server port. Role: server if a LISTEN (TCP) or bound unconnected (UDP) socket owns the
 * local port, or the local port lies outside [port_lo, port_hi] and the peer port inside;
 * client otherwise. Entries matched by no socket become rows too: forward when none of
 * their addresses is in locals (NULL = only socket addresses count as local), else
 * client/server by the same port rule.
 * Returns 0 or -ENOMEM.
 */
int ctg_conns_join(const struct ctg_sock_table *socks, const struct ctg_ct_table *cts,
		   const struct ctg_addr_set *locals, uint16_t port_lo, uint16_t port_hi,
		   struct ctg_conn_table *out);

/* "ESTABLISHED", "UNREPLIED", "ASSURED", "REPLIED" or "no entry". */
const char *ctg_conn_ct_state(const struct ctg_conn *c);

#endif
