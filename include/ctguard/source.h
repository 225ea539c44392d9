/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Sources: reading the live host (ctnetlink, sock_diag, /proc, iptables-save, sysctls)
 * and the text forms of the same data (`conntrack -L`, /proc/net/nf_conntrack, `ss -tuanpH`).
 * Plus the joined connection view (sockets x conntrack entries) used by conns/check/audit.
 *
 * All readers append to the caller's table; on error the table keeps what was read.
 * Errors: 0 or -errno. Text problems are ctg_diags entries ("file:line: error").
 */
#ifndef CTGUARD_SOURCE_H
#define CTGUARD_SOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "ct.h"
#include "diag.h"
#include "ruleset.h"
#include "sock.h"

/* ---- conntrack ---- */

/*
 * Dumps the conntrack table of the current network namespace over ctnetlink into t.
 * @family: 0 for both, 2 or 10 for one family.
 * A dump the kernel flags as interrupted (NLM_F_DUMP_INTR), EINTR or ENOBUFS is redone
 * (up to 8 times); t then holds only the last complete dump.
 * Returns 0, -EPERM/-EACCES (no CAP_NET_ADMIN), -EPROTONOSUPPORT (no nf_conntrack_netlink),
 * -ENOMEM, -EIO (gave up redoing).
 */
int ctg_ct_read_nl(struct ctg_ct_table *t, int family);

/*
 * Decodes a buffer of ctnetlink messages as a dump returns them (IPCTNL_MSG_CT_NEW; others
 * are skipped) into t: captured dumps, tests, fuzzing. Returns 0 or -ENOMEM.
 */
int ctg_ct_read_nl_buf(struct ctg_ct_table *t, const void *buf, size_t len);

enum ctg_ct_text_format {
	CTG_CT_TEXT_AUTO,      /* per line: "ipv4 2 ..." vs "tcp 6 ..." */
	CTG_CT_TEXT_CONNTRACK, /* conntrack -L (plain or -o extended) */
	CTG_CT_TEXT_PROC,      /* /proc/net/nf_conntrack */
};

/*
 * Parses `conntrack -L` (plain, -o extended, -o id) or /proc/net/nf_conntrack text.
 * Format is detected per line. Lines that do not parse add an error to diags (name:line)
 * and are skipped. Blank lines, '#' comments and the "conntrack v1.4.x ... flow entries"
 * trailer are ignored. Text readers cannot see TCP flags/wscale (left 0); status holds
 * CONFIRMED, SEEN_REPLY (unless [UNREPLIED]), ASSURED, OFFLOAD/HW_OFFLOAD and the NAT bits
 * inferred from the tuples.
 * Returns 0 (even with diagnostics) or -ENOMEM.
 */
int ctg_ct_read_text(struct ctg_ct_table *t, const char *text, size_t len, const char *name,
		     struct ctg_diags *diags);
/* Reads a whole file ("-" = stdin) then ctg_ct_read_text. -errno on I/O failure. */
int ctg_ct_read_file(struct ctg_ct_table *t, const char *path, struct ctg_diags *diags);
/* Reads <proc_root>/net/nf_conntrack (proc_root NULL = "/proc"). */
int ctg_ct_read_proc(struct ctg_ct_table *t, const char *proc_root, struct ctg_diags *diags);

/*
 * Status bits the text formats can express; compare tables from different readers
 * under this mask.
 */
#define CTG_CT_TEXT_STATUS_MASK                                                                    \
	(CTG_IPS_SEEN_REPLY | CTG_IPS_ASSURED | CTG_IPS_OFFLOAD | CTG_IPS_HW_OFFLOAD)

/* Sorts by (family, proto, orig tuple, zone): a canonical order for comparing tables. */
void ctg_ct_table_sort(struct ctg_ct_table *t);

/* ---- sockets ---- */

enum ctg_sock_proto {
	CTG_SOCK_TCP = 1 << 0,
	CTG_SOCK_UDP = 1 << 1,
};

/*
 * Dumps TCP and/or UDP sockets (both families, every state) over NETLINK_SOCK_DIAG.
 * IPv4-mapped IPv6 endpoints (::ffff:a.b.c.d) of connected sockets are stored as IPv4.
 * pid = -1 and comm = "" until ctg_sock_fill_procs. Returns 0 or -errno.
 */
int ctg_sock_read_diag(struct ctg_sock_table *t, unsigned protos);

/*
 * Fills pid/comm of sockets with a known inode by scanning <proc_root>/[pid]/fd once
 * (proc_root NULL = "/proc"). Processes that vanish or deny access are skipped.
 * Returns 0 or -ENOMEM / -errno of opening proc_root.
 */
int ctg_sock_fill_procs(struct ctg_sock_table *t, const char *proc_root);

/*
 * Parses `ss -tuanpH` output (with the Netid column) or `ss -tanpH` / `ss -uanpH`
 * (without it: tcp, except UNCONN lines which are udp). Optional `-e` fields uid:/ino:
 * are read. Bad lines are diagnostics. Returns 0 or -ENOMEM.
 */
int ctg_sock_read_ss_text(struct ctg_sock_table *t, const char *text, size_t len, const char *name,
			  struct ctg_diags *diags);
int ctg_sock_read_ss_file(struct ctg_sock_table *t, const char *path, struct ctg_diags *diags);

const char *ctg_sk_state_name(int state);

/* ---- sysctls ---- */

/*
 * Name/value pairs, names in dotted form ("net.netfilter.nf_conntrack_tcp_loose").
 * Values are kept as text; ctg_sysvals_get_u32 converts.
 */
struct ctg_sysval {
	char *name;
	char *value;
	bool overridden; /* set with --sysctl, not read live */
};

struct ctg_sysvals {
	struct ctg_sysval *v;
	size_t n, cap;
};

void ctg_sysvals_init(struct ctg_sysvals *s);
void ctg_sysvals_release(struct ctg_sysvals *s);
/*
 * Sets name (dotted, or a bare "nf_conntrack_tcp_loose" / "ip_local_port_range" expanded
 * with the known prefixes) to value. Returns 0, -EINVAL (empty name), -ENOMEM.
 */
int ctg_sysvals_set(struct ctg_sysvals *s, const char *name, const char *value, bool overridden);
/* Parses "NAME=VALUE". -EINVAL when malformed. */
int ctg_sysvals_set_arg(struct ctg_sysvals *s, const char *arg);
/* NULL when absent. */
const char *ctg_sysvals_get(const struct ctg_sysvals *s, const char *name);
/* Value as unsigned; def when absent or not a number. */
uint32_t ctg_sysvals_get_u32(const struct ctg_sysvals *s, const char *name, uint32_t def);
/*
 * Reads the sysctls ctguard uses (tcp_loose, tcp_be_liberal, ip_local_port_range, tcp
 * timeouts, ...) from <proc_root>/sys, without replacing overridden ones. Missing files
 * (module not loaded) are skipped. Returns 0 or -ENOMEM.
 */
int ctg_sysvals_read_live(struct ctg_sysvals *s, const char *proc_root);
/* ip_local_port_range, default 32768 60999. */
void ctg_sysvals_port_range(const struct ctg_sysvals *s, uint16_t *lo, uint16_t *hi);

/* ---- live ruleset ---- */

enum ctg_ipt_backend {
	CTG_IPT_UNKNOWN,
	CTG_IPT_NFT,
	CTG_IPT_LEGACY,
};

const char *ctg_ipt_backend_name(enum ctg_ipt_backend b);

/*
 * The backend `iptables -V` (ip6tables for CTG_FAMILY_IPV6) reports: "(nf_tables)" or
 * "(legacy)"; CTG_IPT_UNKNOWN for anything else or on error.
 * Returns 0, -ENOENT (not installed), -EIO (non-zero exit), -ENOMEM.
 */
int ctg_ipt_backend_detect(enum ctg_family family, enum ctg_ipt_backend *out);

/*
 * Runs `iptables -V` to detect the backend, then `iptables-save` (or ip6tables-*), and
 * returns its stdout in *text (malloc'd, NUL-terminated; caller frees).
 * @save_cmd: NULL for the default, else the program to run instead (tests).
 * Returns 0, -ENOENT (not installed), -EIO (non-zero exit), -ENOMEM.
 */
int ctg_rules_capture(enum ctg_family family, const char *save_cmd, char **text, size_t *len,
		      enum ctg_ipt_backend *backend);

/*
 * Capture + ctg_ruleset_parse ("iptables-save" as source name). *rs is NULL on error.
 * Returns 0, the errors of ctg_rules_capture, -ENOMEM.
 */
int ctg_rules_read_live(enum ctg_family family, struct ctg_ruleset **rs,
			enum ctg_ipt_backend *backend, struct ctg_diags *diags);

/* ---- local addresses ---- */

struct ctg_addr_set {
	struct {
		uint8_t family;
		struct ctg_addr a;
	} * v;
	size_t n, cap;
};

void ctg_addr_set_init(struct ctg_addr_set *s);
void ctg_addr_set_release(struct ctg_addr_set *s);
int ctg_addr_set_add(struct ctg_addr_set *s, int family, const struct ctg_addr *a);
bool ctg_addr_set_has(const struct ctg_addr_set *s, int family, const struct ctg_addr *a);
/* Interface addresses of the current netns (getifaddrs). Returns 0 or -errno. */
int ctg_addr_set_read_live(struct ctg_addr_set *s);

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
