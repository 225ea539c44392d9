// SPDX-License-Identifier: GPL-2.0-or-later
#include <ctguard/addr.h>

#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

int ctg_addr_parse(int family, const char *s, struct ctg_addr *out)
{
	memset(out, 0, sizeof(*out));
	if (inet_pton(family == 10 ? AF_INET6 : AF_INET, s, out->b) != 1)
		return -EINVAL;
	return 0;
}

const char *ctg_addr_format(int family, const struct ctg_addr *a, char *buf, size_t size)
{
	if (!inet_ntop(family == 10 ? AF_INET6 : AF_INET, a->b, buf, (socklen_t)size))
		buf[0] = '\0';
	return buf;
}

bool ctg_addr_eq(const struct ctg_addr *a, const struct ctg_addr *b)
{
	return !memcmp(a, b, sizeof(*a));
}

void ctg_addr_mask_from_len(int family, unsigned len, struct ctg_addr *mask)
{
	unsigned max = family == 10 ? 128 : 32;

	memset(mask, 0, sizeof(*mask));
	if (len > max)
		len = max;
	for (unsigned i = 0; i < len / 8; i++)
		mask->b[i] = 0xff;
	if (len % 8)
		mask->b[len / 8] = (uint8_t)(0xff << (8 - len % 8));
}

int ctg_addr_mask_len(int family, const struct ctg_addr *mask)
{
	unsigned max = family == 10 ? 128 : 32, len = 0;

	while (len < max && (mask->b[len / 8] & (0x80 >> (len % 8))))
		len++;
	for (unsigned i = len; i < max; i++)
		if (mask->b[i / 8] & (0x80 >> (i % 8)))
			return -1;
	return (int)len;
}
