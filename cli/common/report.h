/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the reports of conns, check and audit share: the JSON object of one connection
 * (the same keys in every command, docs/schema/), and the grouped text report that keeps
 * thousands of connections on one screen: one line per group of connections with the
 * same finding, service and reason, with counts; each reason printed once, as a footnote.
 */
#ifndef CTG_CLI_REPORT_H
#define CTG_CLI_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <jansson.h>

#include <ctguard/conns.h>

/*
 * The keys every command's connection has: proto, family ("ipv4"/"ipv6"), local,
 * local_port, peer, peer_port, role, service, process, pid, ct_state. Commands add theirs.
 */
json_t *ctg_report_conn_json(const struct ctg_conn *c);

/* "10.0.0.1:3306", "[fd00::1]:3306"; port < 0: "10.0.0.1:*". */
const char *ctg_report_endpoint(uint8_t family, const struct ctg_addr *a, int port, char *buf,
				size_t size);

/* "1 connection", "2 connections" (into buf). */
const char *ctg_report_count(size_t n, const char *noun, char *buf, size_t size);

/* "tcp", "udp", "icmp", ... for an IP protocol number ("other" when not named) */
const char *ctg_report_proto(int p);

/* Text lines a default report may take: one screen. */
#define CTG_REPORT_SCREEN 24

struct ctg_group_row;

struct ctg_groups {
	struct ctg_group_row *v;
	size_t n, cap;
};

void ctg_groups_init(struct ctg_groups *g);
void ctg_groups_release(struct ctg_groups *g);
/*
 * One connection: @label identifies its group and is printed as is; @why is its reason
 * (a footnote shared by the groups that have it); @other (may be NULL) is the address
 * counted per group ("from N peers"). 0 or -ENOMEM.
 */
int ctg_groups_add(struct ctg_groups *g, const char *label, const char *why, const char *other);
/*
 * Prints the groups, largest first, and the footnotes, in at most @lines lines; when
 * they do not fit, the last line says how many groups and connections are left out.
 * Returns the number of lines printed.
 */
size_t ctg_groups_print(struct ctg_groups *g, size_t lines, FILE *f);

#endif
