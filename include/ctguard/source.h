/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Sources: reading the live host (ctnetlink, sock_diag, /proc, iptables-save, sysctls,
 * interface addresses) and the text forms of the same data (`conntrack -L`,
 * /proc/net/nf_conntrack, `ss -tuanpH`). The joined connection view (sockets x conntrack
 * entries) is analysis: ctguard/conns.h.
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
 * The entries of the local connections only: one lookup (IPCTNL_MSG_CT_GET) per
 * ESTABLISHED TCP / connected UDP socket of socks, by its local -> peer tuple (the kernel
 * finds an entry by either direction's tuple, so NATed and peer-opened connections are
 * found too). Entries found for both ends of a local connection are added once. For
 * audits that only ask which sockets lost their entry (watch after a wipe): a few
 * lookups instead of a dump of the whole table. Returns 0 or -errno as ctg_ct_read_nl.
 */
int ctg_ct_read_nl_socks(struct ctg_ct_table *t, const struct ctg_sock_table *socks);

/*
 * Decodes a buffer of ctnetlink messages as a dump returns them (IPCTNL_MSG_CT_NEW) or an
 * event socket delivers them (also IPCTNL_MSG_CT_DELETE: destroy events; others are
 * skipped) into t: captured dumps, destroy events, tests, fuzzing. Returns 0 or -ENOMEM.
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
 * Name/value pairs, names in dotted form ("net.netfilter.nf_conntrack_tcp_loose"), as
 * text: what was read and overridden, for display. The model every decision reads is
 * struct ctg_sysctls (lib/ct/model.h), filled from these by the input assembly.
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
/* Whether ctguard reads this sysctl (dotted, slashed or bare name). */
bool ctg_sysvals_known(const char *name);
/* NULL when absent. */
const char *ctg_sysvals_get(const struct ctg_sysvals *s, const char *name);
/*
 * Reads the sysctls ctguard uses (tcp_loose, tcp_be_liberal, ip_local_port_range, tcp
 * timeouts, ...) from <proc_root>/sys, without replacing overridden ones. Missing files
 * (module not loaded) are skipped. Returns 0 or -ENOMEM.
 */
int ctg_sysvals_read_live(struct ctg_sysvals *s, const char *proc_root);

/* ---- live ruleset ---- */

enum ctg_ipt_backend {
	CTG_IPT_UNKNOWN,
	CTG_IPT_NFT,
	CTG_IPT_LEGACY,
};

/* "nft", "legacy", "unknown": the one spelling (also --backend's values). */
const char *ctg_ipt_backend_name(enum ctg_ipt_backend b);

/*
 * The tool of backend b for family: "iptables-nft-save", "ip6tables-legacy-restore", ...;
 * CTG_IPT_UNKNOWN: the plain "iptables-save" / "iptables-restore".
 */
const char *ctg_ipt_tool(enum ctg_ipt_backend b, enum ctg_family family, bool restore);

/*
 * The backend `iptables -V` (ip6tables for CTG_FAMILY_IPV6) reports: "(nf_tables)" or
 * "(legacy)"; CTG_IPT_UNKNOWN for anything else or on error.
 * Returns 0, -ENOENT (not installed), -EIO (non-zero exit), -ENOMEM.
 */
int ctg_ipt_backend_detect(enum ctg_family family, enum ctg_ipt_backend *out);

/*
 * The one live-rules capture: runs backend b's save tool for family (ctg_ipt_tool) and
 * returns its stdout in *text (malloc'd, NUL-terminated; caller frees).
 * Returns 0, -ENOENT (not installed), -EIO (non-zero exit), -ENOMEM.
 */
/* This process holds CAP_NET_ADMIN (effective); true when it cannot tell. */
bool ctg_have_net_admin(void);
int ctg_rules_capture(enum ctg_ipt_backend b, enum ctg_family family, char **text, size_t *len);

/*
 * Detects the backend (*backend), captures and parses ("iptables-save" as source name).
 * *rs is NULL on error. Returns 0, the errors of ctg_rules_capture, -ENOMEM.
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

/* ---- interfaces ---- */

/* An interface address (getifaddrs order: the first per interface and family is primary). */
struct ctg_ifaddr {
	char ifname[16];
	uint8_t family, prefix;
	struct ctg_addr addr;
};

struct ctg_ifaddr_table {
	struct ctg_ifaddr *v;
	size_t n, cap;
};

void ctg_ifaddr_table_init(struct ctg_ifaddr_table *t);
void ctg_ifaddr_table_release(struct ctg_ifaddr_table *t);
/* Replaces t with the interfaces of the current netns and their addresses. 0 or -errno. */
int ctg_ifaddr_read_live(struct ctg_ifaddr_table *t);

#endif
