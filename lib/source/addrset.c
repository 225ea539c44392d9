// SPDX-License-Identifier: GPL-2.0-or-later
/* Sets of local addresses (small: linear scan). */
#include <ctguard/source.h>

#include <errno.h>
#include <ifaddrs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>

void ctg_addr_set_init(struct ctg_addr_set *s)
{
	memset(s, 0, sizeof(*s));
}

void ctg_addr_set_release(struct ctg_addr_set *s)
{
	free(s->v);
	memset(s, 0, sizeof(*s));
}

bool ctg_addr_set_has(const struct ctg_addr_set *s, int family, const struct ctg_addr *a)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i].family == family && ctg_addr_eq(&s->v[i].a, a))
			return true;
	return false;
}

int ctg_addr_set_add(struct ctg_addr_set *s, int family, const struct ctg_addr *a)
{
	if (ctg_addr_set_has(s, family, a))
		return 0;
	if (s->n == s->cap) {
		size_t ncap = s->cap ? s->cap * 2 : 16;
		void *nv = realloc(s->v, ncap * sizeof(s->v[0]));

		if (!nv)
			return -ENOMEM;
		s->v = nv;
		s->cap = ncap;
	}
	s->v[s->n].family = (uint8_t)family;
	s->v[s->n].a = *a;
	s->n++;
	return 0;
}

int ctg_addr_set_read_live(struct ctg_addr_set *s)
{
	struct ifaddrs *ifa, *i;
	int ret = 0;

	if (getifaddrs(&ifa))
		return -errno;
	for (i = ifa; i && !ret; i = i->ifa_next) {
		struct ctg_addr a = {0};

		if (!i->ifa_addr)
			continue;
		if (i->ifa_addr->sa_family == AF_INET) {
			memcpy(a.b, &((struct sockaddr_in *)i->ifa_addr)->sin_addr, 4);
			ret = ctg_addr_set_add(s, 2, &a);
		} else if (i->ifa_addr->sa_family == AF_INET6) {
			memcpy(a.b, &((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr, 16);
			ret = ctg_addr_set_add(s, 10, &a);
		}
	}
	freeifaddrs(ifa);
	return ret;
}

void ctg_ifaddr_table_init(struct ctg_ifaddr_table *t)
{
	memset(t, 0, sizeof(*t));
}

void ctg_ifaddr_table_release(struct ctg_ifaddr_table *t)
{
	free(t->v);
	memset(t, 0, sizeof(*t));
}

static unsigned mask_bits(const uint8_t *b, size_t n)
{
	unsigned bits = 0;

	for (size_t i = 0; i < n; i++)
		bits += (unsigned)__builtin_popcount(b[i]);
	return bits;
}

/* One getifaddrs entry (IPv4 or IPv6) into a. */
static void ifaddr_from(const struct ifaddrs *i, struct ctg_ifaddr *a)
{
	size_t len = i->ifa_addr->sa_family == AF_INET ? 4 : 16;
	const void *addr, *mask = NULL;

	memset(a, 0, sizeof(*a));
	snprintf(a->ifname, sizeof(a->ifname), "%s", i->ifa_name);
	a->family = (uint8_t)i->ifa_addr->sa_family;
	if (len == 4) {
		addr = &((const struct sockaddr_in *)i->ifa_addr)->sin_addr;
		if (i->ifa_netmask)
			mask = &((const struct sockaddr_in *)i->ifa_netmask)->sin_addr;
	} else {
		addr = &((const struct sockaddr_in6 *)i->ifa_addr)->sin6_addr;
		if (i->ifa_netmask)
			mask = &((const struct sockaddr_in6 *)i->ifa_netmask)->sin6_addr;
	}
	memcpy(a->addr.b, addr, len);
	if (mask)
		a->prefix = (uint8_t)mask_bits(mask, len);
}

int ctg_ifaddr_read_live(struct ctg_ifaddr_table *t)
{
	struct ifaddrs *ifa;
	size_t n = 0;

	if (getifaddrs(&ifa) < 0)
		return -errno;
	ctg_ifaddr_table_release(t); /* replaces what t held */
	for (struct ifaddrs *i = ifa; i; i = i->ifa_next)
		n++;
	t->v = calloc(n ? n : 1, sizeof(*t->v));
	if (!t->v) {
		freeifaddrs(ifa);
		return -ENOMEM;
	}
	t->cap = n ? n : 1;
	for (struct ifaddrs *i = ifa; i; i = i->ifa_next)
		if (i->ifa_addr &&
		    (i->ifa_addr->sa_family == AF_INET || i->ifa_addr->sa_family == AF_INET6))
			ifaddr_from(i, &t->v[t->n++]);
	freeifaddrs(ifa);
	return 0;
}
