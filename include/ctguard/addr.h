/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef CTGUARD_ADDR_H
#define CTGUARD_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * An IPv4 or IPv6 address in network byte order. IPv4 uses w[0] only (b[0..3]),
 * the other words are zero, so masked compares work word by word for both families.
 */
struct ctg_addr {
	union {
		uint8_t b[16];
		uint32_t w[4];
	};
};

/* family: 2 (AF_INET) or 10 (AF_INET6). Returns 0 or -EINVAL. */
int ctg_addr_parse(int family, const char *s, struct ctg_addr *out);
/* Prints like inet_ntop (IPv6 compressed lower case). Returns buf. */
const char *ctg_addr_format(int family, const struct ctg_addr *a, char *buf, size_t size);
bool ctg_addr_eq(const struct ctg_addr *a, const struct ctg_addr *b);
/* Prefix length mask for family. */
void ctg_addr_mask_from_len(int family, unsigned len, struct ctg_addr *mask);
/* -1 when not a contiguous mask. */
int ctg_addr_mask_len(int family, const struct ctg_addr *mask);
static inline bool ctg_addr_match(const struct ctg_addr *a, const struct ctg_addr *net,
				  const struct ctg_addr *mask)
{
	return ((a->w[0] & mask->w[0]) == net->w[0]) && ((a->w[1] & mask->w[1]) == net->w[1]) &&
	       ((a->w[2] & mask->w[2]) == net->w[2]) && ((a->w[3] & mask->w[3]) == net->w[3]);
}

#define CTG_ADDRSTRLEN 46

#endif
