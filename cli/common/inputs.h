/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The common input options every command that looks at the host takes (check, audit,
 * heal, trace, conns), mapped onto the library's input assembly (source/inputs.h), which
 * reads each input from a file when given, else live:
 *
 *   --rules FILE         IPv4 ruleset, iptables-save format ("-" = stdin).
 *                        Live: the backend's iptables-save (backend from `iptables -V`).
 *   --rules6 FILE        IPv6 ruleset. Live: ip6tables-save.
 *   --conntrack FILE     `conntrack -L [-o extended]` or /proc/net/nf_conntrack text.
 *                        Live: ctnetlink dump of the current network namespace.
 *   --sockets FILE       `ss -tuanpH` text (or ss -tanpH / -uanpH). Live: sock_diag,
 *                        processes from /proc/[pid]/fd.
 *   --sysctl NAME=VALUE  Overrides one sysctl (repeatable; "nf_conntrack_tcp_loose=0",
 *                        "net.ipv4.ip_local_port_range=1024 65000"). The others are read
 *                        from /proc/sys, or are kernel defaults when unreadable.
 *
 * Environment: PROC_ROOT replaces /proc for /proc/[pid] and /proc/sys (tests).
 *
 * The options themselves are in ctg_input_opts (common/opts.c): a command's table sets
 * .inputs and its callback hands these ids to ctg_inputs_take; then
 *
 *	rc = ctg_cli_inputs_load(&in, CTG_IN_CT | CTG_IN_SOCKS | CTG_IN_SYSCTLS,
 *				 "ctguard conns", stderr);   // prints errors; returns an exit code
 *	...
 *	ctg_inputs_release(&in);
 */
#ifndef CTG_CLI_INPUTS_H
#define CTG_CLI_INPUTS_H

#include <getopt.h>
#include <stdio.h>

#include "source/inputs.h"

enum {
	CTG_OPT_RULES = 0x1100,
	CTG_OPT_RULES6,
	CTG_OPT_CONNTRACK,
	CTG_OPT_SOCKETS,
	CTG_OPT_SYSCTL,
	CTG_OPT_ROUTES,
};

/* ctg_inputs_init plus the environment (PROC_ROOT). */
void ctg_cli_inputs_init(struct ctg_inputs *in);
/*
 * 1: option handled; 0: not an input option; -EINVAL: bad value (for the caller to
 * report); -ENOENT: unknown --sysctl name (for the caller to report); -ENOMEM.
 */
int ctg_inputs_opt(struct ctg_inputs *in, int opt, const char *arg, FILE *err);
/* ctg_inputs_opt for a ctg_opts_parse callback (common/opts.h): 0 or negative. */
int ctg_inputs_take(struct ctg_inputs *in, int opt, const char *arg);
/*
 * ctg_inputs_load, then prints diagnostics and errors to err prefixed with prog.
 * Returns CTG_EXIT_OK, CTG_EXIT_USAGE (a file did not parse) or CTG_EXIT_ENV (unreadable
 * file, netlink permission, missing tool).
 */
int ctg_cli_inputs_load(struct ctg_inputs *in, unsigned need, const char *prog, FILE *err);

#endif
