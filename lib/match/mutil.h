/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Shared helpers for match modules: numbers, ports and ranges, name lists, value/mask and
 * the exact text forms iptables-save prints. Pure functions: they return 0 or -errno and
 * leave error reporting (ctg_mctx_error) to the caller.
 */
#ifndef CTG_MUTIL_H
#define CTG_MUTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ctguard/addr.h>

#include "../core/strbuf.h"

struct ctg_mctx;

/* A name and its value, for flag lists and keyword tables. */
struct ctg_mu_name {
	const char *name;
	uint32_t val;
};

/*
 * Unsigned integer like xtables_strtoui: base 0 (0x.., leading 0 = octal), the whole string,
 * no sign, <= max. -EINVAL when not a number, -ERANGE when above max.
 */
int ctg_mu_uint(const char *s, uint64_t max, uint64_t *out);

/* Built-in service table (no /etc/services): port of name for proto "tcp"/"udp"/..., or -1. */
int ctg_mu_service_port(const char *name, const char *proto);

/* A port number (0..65535) or a service name. -EINVAL when neither. */
int ctg_mu_port(const char *s, const char *proto, uint16_t *out);

/*
 * Port range "a", "a:b", ":b", "a:", ":" (missing bounds 0 / 65535), like libxt_tcp.
 * -EINVAL bad port, -ERANGE min > max.
 */
int ctg_mu_port_range(const char *s, const char *proto, uint16_t r[2]);

/* Number range "a" or "a<sep>b" (both needed), each <= max. -EINVAL, -ERANGE min > max. */
int ctg_mu_uint_range(const char *s, char sep, uint64_t max, uint64_t r[2]);

/*
 * Comma-separated list of names from t (case-insensitive when icase), OR-ed into *out.
 * On -EINVAL, *bad (if non-NULL) points at a static copy of the offending word.
 */
int ctg_mu_flags(const char *s, const struct ctg_mu_name *t, size_t n, bool icase, uint32_t *out,
		 const char **bad);

/* Looks a name up in t; -1 when absent. */
int64_t ctg_mu_lookup(const char *s, const struct ctg_mu_name *t, size_t n, bool icase);

/*
 * "value[/mask]" 32-bit numbers (xtables_parse_mark_mask). Without a mask *mask = 0xffffffff
 * and *has_mask = false.
 */
int ctg_mu_value_mask(const char *s, uint32_t *val, uint32_t *mask, bool *has_mask);

/* Address with optional "/prefix" or "/dotted-mask" for family (2/10). */
int ctg_mu_addr_mask(int family, const char *s, struct ctg_addr *addr, struct ctg_addr *mask);

/*
 * ctstate list as libxt_conntrack parses it: comma-separated, case-insensitive, a word may be
 * a prefix ("EST"). Bits are CTG_CTS_*; SNAT/DNAT only when nat. *bad as in ctg_mu_flags.
 */
int ctg_mu_ctstates(const char *s, bool nat, uint8_t *out, const char **bad);
/* Prints CTG_CTS_* bits in iptables-save order INVALID,NEW,RELATED,ESTABLISHED,UNTRACKED,... */
void ctg_mu_ctstates_emit(struct ctg_strbuf *sb, uint8_t v);
/* Protocol number or name (tcp, udp, icmp, ...) like xtables_parse_protocol; "all" = 0. */
int ctg_mu_proto(const char *s, uint8_t *out);

/* An ICMP/ICMPv6 type name: type and code range (libxt_icmp.h). */
struct ctg_mu_icmp {
	const char *name;
	uint8_t type, code_min, code_max;
};

/*
 * ICMP type as libxt_icmp parses it: a (case-insensitive, unambiguous prefix of a) name from
 * t, or "TYPE[/CODE[:CODE]]". -EINVAL unknown, -EEXIST ambiguous (*bad names the word).
 */
int ctg_mu_icmp_type(const char *s, const struct ctg_mu_icmp *t, size_t n, uint8_t *type,
		     uint8_t code[2]);

/* " --name" with a leading " !" when inv. */
void ctg_mu_opt(struct ctg_strbuf *sb, bool inv, const char *name);
/* "a" or "a:b" (a != b). */
void ctg_mu_range(struct ctg_strbuf *sb, uint64_t lo, uint64_t hi, char sep);
/* Flags in table order, joined by ','; "none" text when no bit set. */
void ctg_mu_flag_list(struct ctg_strbuf *sb, uint32_t v, const struct ctg_mu_name *t, size_t n,
		      const char *none);
/* A string as xtables_save_string prints it: bare when [A-Za-z0-9_-]+, else quoted. */
void ctg_mu_quoted(struct ctg_strbuf *sb, const char *s);
/* addr, plus "/len" (or "/dotted" when not contiguous) unless the mask is full. */
void ctg_mu_addr(struct ctg_strbuf *sb, int family, const struct ctg_addr *a,
		 const struct ctg_addr *mask);

/*
 * Parses a port range option argument and reports problems through c with iptables'
 * wording ("invalid port/service", "invalid portrange (min > max)"). Returns 0 or -EINVAL.
 */
int ctg_mu_ports_arg(struct ctg_mctx *c, const char *opt, const char *arg, const char *proto,
		     uint16_t r[2]);
/* Reports "multiple --opt flags not allowed" when *seen has bit; sets it. 0 or -EINVAL. */
int ctg_mu_once(struct ctg_mctx *c, unsigned *seen, unsigned bit, const char *opt);
/* True when the rule's -p is exactly proto (not negated). */
bool ctg_mu_proto_is(const struct ctg_mctx *c, uint8_t proto);

#endif
