/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Input assembly: the one place that gathers what every command looks at (rulesets,
 * conntrack, sockets, sysctls, local and interface addresses), each from a file when a
 * path is set, else from the live host. Used by check, audit, heal, trace, conns, demo
 * and the apply session; the CLI only maps its options onto the fields below.
 *
 *	struct ctg_inputs in;
 *	ctg_inputs_init(&in);
 *	in.ct_path = "ct.txt";                       // NULL: ctnetlink dump
 *	ret = ctg_inputs_set_sysctl(&in, "nf_conntrack_tcp_loose=0");
 *	ret = ctg_inputs_load(&in, CTG_IN_CT | CTG_IN_SOCKS | CTG_IN_SYSCTLS);
 *	// ret < 0: in.failed names what could not be read; parse problems are in in.diags
 *	ctg_inputs_release(&in);
 *
 * Sysctls: one model, struct ctg_sysctls (ct/model.h: kernel defaults, one parser,
 * ctg_sysctls_set). @sysvals keeps the same values as text for display (with the
 * display-only ones such as nf_conntrack_max); every decision reads @sysctls.
 */
#ifndef CTG_SOURCE_INPUTS_H
#define CTG_SOURCE_INPUTS_H

#include <stdbool.h>

#include <ctguard/route.h>
#include <ctguard/source.h>

#include "../ct/model.h"

/* What a caller needs loaded. */
enum ctg_input_need {
	CTG_IN_RULES4 = 1 << 0,
	CTG_IN_RULES6 = 1 << 1,
	CTG_IN_CT = 1 << 2,
	CTG_IN_SOCKS = 1 << 3,
	CTG_IN_SYSCTLS = 1 << 4,
	/* local and interface addresses: live only when conntrack and sockets are live */
	CTG_IN_LOCALS = 1 << 5,
	/*
	 * live sockets without their processes (a scan of every /proc/[pid]/fd): for a
	 * caller that must act first and names the processes later, ctg_sock_fill_procs
	 */
	CTG_IN_NO_PROCS = 1 << 6,
	/* routing for the connections' interfaces: @routes_path, else live lookups when
	 * conntrack and sockets are live, else none (interfaces unknown) */
	CTG_IN_ROUTES = 1 << 7,
};

/*
 * @rules4_path ... @socks_path: files to read ("-" = stdin); NULL = live.
 * @proc_root: replaces /proc for /proc/[pid] and /proc/sys (NULL = /proc).
 * @sysvals: the sysctls as text (overrides + live), for display.
 * @sysctls: the same in the model's form (kernel defaults where unknown).
 * @backend4/@backend6: the iptables backend the live rules came from.
 * @locals_live: @locals and @ifaddrs came from the live host (else they are empty and
 *   only socket addresses count as local; interfaces are unknown).
 * @diags: parse problems of the files and live texts.
 * @failed: after an error of ctg_inputs_load, what could not be read (a path,
 *   "iptables-save", "conntrack over netlink", ...).
 */
struct ctg_inputs {
	const char *rules4_path, *rules6_path, *ct_path, *socks_path, *routes_path;
	const char *proc_root;
	struct ctg_sysvals sysvals;
	struct ctg_sysctls sysctls;
	struct ctg_ruleset *rules4, *rules6;
	enum ctg_ipt_backend backend4, backend6;
	struct ctg_ct_table ct;
	struct ctg_sock_table socks;
	struct ctg_addr_set locals;
	struct ctg_ifaddr_table ifaddrs;
	bool locals_live;
	struct ctg_routes *routes; /* NULL: interfaces unknown */
	struct ctg_diags *diags;
	const char *failed;
};

void ctg_inputs_init(struct ctg_inputs *in);
void ctg_inputs_release(struct ctg_inputs *in);
/* An override "NAME=VALUE" (model names, dotted or short). 0, -EINVAL, -ENOENT (a
 * sysctl ctguard does not read), -ENOMEM. */
int ctg_inputs_set_sysctl(struct ctg_inputs *in, const char *arg);
/*
 * Loads what need asks for (ctg_input_need bits), in a fixed order; stops at the first
 * source that cannot be read. Returns 0 (check ctg_diags_errors(in->diags) for parse
 * errors) or -errno with in->failed set (-EPERM/-EACCES: needs CAP_NET_ADMIN).
 */
int ctg_inputs_load(struct ctg_inputs *in, unsigned need);

#endif
