/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Rendering the results of the library's apply session (lib/apply/session.h). */
#ifndef CTG_CLI_APPLY_RENDER_H
#define CTG_CLI_APPLY_RENDER_H

#include "apply/session.h"

/* "ctguard apply: MESSAGE" on stdout and to syslog (fmt takes up to two strings). */
void apply_record(int prio, const char *fmt, const char *a, const char *b);
/* Validation failure (ctg_apply_validate's error ret): prints; returns the exit code. */
int apply_render_invalid(const struct ctg_apply *a, int ret);
void apply_render_valid(const struct ctg_apply *a);
/* Check results: warnings, the count and every connection cut or at risk. */
void apply_render_check(const struct ctg_apply *a);
/* The decision (refusal, fix rules, --force); returns 0 to go on or the exit code. */
int apply_render_decision(const struct ctg_apply *a, enum ctg_apply_decision d);
/* A load refused by the tool. */
void apply_render_load_error(const struct ctg_apply *a, int ret);
/* The heal after the load (each entry and the counts). */
void apply_render_heal(const struct ctg_apply *a);
/* The one-line audit summary. */
void apply_render_audit(const struct ctg_audit_report *rep);
/* "IPv4", "IPv6", "IPv4+IPv6" (sep between) of the families a touches. */
const char *apply_families(const struct ctg_apply *a, const char *sep, char *buf, size_t size);

#endif
