/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Helpers shared by the source readers. */
#ifndef CTG_SOURCE_INT_H
#define CTG_SOURCE_INT_H

#include <stddef.h>
#include <stdint.h>

#include <ctguard/addr.h>
#include <ctguard/diag.h>

/* Address of n chars (not NUL-terminated). 0 or -EINVAL. */
int ctg_src_parse_addr(int family, const char *s, size_t n, struct ctg_addr *a);
/* Decimal number <= max, no sign, no leading/trailing junk. 0 or -EINVAL. */
int ctg_src_parse_u32(const char *s, size_t n, uint32_t max, uint32_t *out);
/* TCP conntrack state by name ("ESTABLISHED"), -1 when unknown. */
int ctg_src_tcp_state_parse(const char *s, size_t n);
/* IPv6 socket whose endpoints are ::ffff:a.b.c.d (peer may be ::): store as IPv4. */
struct ctg_sock;
void ctg_src_sock_unmap(struct ctg_sock *s);

/*
 * A bad input line as a diagnostic: control characters shown as '?', the caret kept
 * inside the (possibly truncated) text. err_len > 1 marks a range. After 100 reports
 * one "too-many-errors" diagnostic is added and the rest are dropped (*ndiag counts).
 */
struct ctg_src_bad_line {
	const char *code, *msg, *hint;
	size_t err_col, err_len;
};
int ctg_src_report_line(struct ctg_diags *d, const char *name, uint32_t lineno, const char *line,
			size_t len, const struct ctg_src_bad_line *b, size_t *ndiag);

#endif
