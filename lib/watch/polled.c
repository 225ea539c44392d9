// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * What sends no events, fingerprinted for polling: the iptables-legacy tables (the rule
 * blobs the kernel hands iptables-legacy-save, hashed with the packet/byte counters
 * masked: only a rule change changes the hash) and the conntrack module.
 */
#include "watch.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/netfilter_ipv4/ip_tables.h>
#include <linux/netfilter_ipv6/ip6_tables.h>

static const char *const table_names[8] = {"filter",   "nat",	 "mangle", "raw",
					   "security", "broute", NULL,	   NULL};

#define FNV_OFF	  1469598103934665603ull
#define FNV_PRIME 1099511628211ull

static uint64_t fnv(uint64_t h, const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * FNV_PRIME;
	return h;
}

uint64_t ctg_watch_hash_ipt_blob(const void *entries, size_t size, size_t counters_off,
				 size_t next_off_off)
{
	const unsigned char *p = entries;
	uint64_t h = FNV_OFF;
	size_t off = 0;

	while (off + next_off_off + 2 <= size) {
		uint16_t next;

		memcpy(&next, p + off + next_off_off, sizeof(next));
		if (next < counters_off + sizeof(struct xt_counters) || off + next > size)
			return fnv(h, p + off, size - off); /* malformed: hash the rest as is */
		h = fnv(h, p + off, counters_off);
		h = fnv(h, p + off + counters_off + sizeof(struct xt_counters),
			next - counters_off - sizeof(struct xt_counters));
		off += next;
	}
	return h | 1; /* never 0 (= absent) */
}

/* The rule blob of one table of a family; 0 on error, else its hash. */
static uint64_t table_hash(int fd, int family, const char *name)
{
	bool v6 = family == AF_INET6;
	struct ipt_getinfo info;
	socklen_t len = sizeof(info);
	struct ipt_get_entries *ge;
	uint64_t h = 0;

	/* ipt_getinfo and ip6t_getinfo share the layout up to size; so do the get_entries */
	_Static_assert(sizeof(struct ipt_getinfo) == sizeof(struct ip6t_getinfo), "getinfo");
	_Static_assert(offsetof(struct ipt_get_entries, entrytable) ==
			       offsetof(struct ip6t_get_entries, entrytable),
		       "get_entries");
	memset(&info, 0, sizeof(info));
	if (strlen(name) >= sizeof(info.name))
		return 0;
	memcpy(info.name, name, strlen(name));
	if (getsockopt(fd, v6 ? IPPROTO_IPV6 : IPPROTO_IP, v6 ? IP6T_SO_GET_INFO : IPT_SO_GET_INFO,
		       &info, &len) < 0)
		return 0;
	len = (socklen_t)(sizeof(*ge) + info.size);
	ge = calloc(1, len);
	if (!ge)
		return 0;
	memcpy(ge->name, info.name, sizeof(ge->name));
	ge->size = info.size;
	if (getsockopt(fd, v6 ? IPPROTO_IPV6 : IPPROTO_IP,
		       v6 ? IP6T_SO_GET_ENTRIES : IPT_SO_GET_ENTRIES, ge, &len) == 0)
		h = v6 ? ctg_watch_hash_ipt_blob(ge->entrytable, ge->size,
						 offsetof(struct ip6t_entry, counters),
						 offsetof(struct ip6t_entry, next_offset))
		       : ctg_watch_hash_ipt_blob(ge->entrytable, ge->size,
						 offsetof(struct ipt_entry, counters),
						 offsetof(struct ipt_entry, next_offset));
	/* the hooks' entry points too: a re-hooked table is a change */
	if (h)
		h = fnv(h, (const unsigned char *)&info, sizeof(info)) | 1;
	free(ge);
	return h;
}

/* The tables /proc lists for a family (only those: asking for others loads modules). */
static void read_family(int family, uint64_t out[8])
{
	FILE *f = fopen(family == AF_INET6 ? "/proc/net/ip6_tables_names"
					   : "/proc/net/ip_tables_names",
			"re");
	char line[64];
	int fd = -1;

	memset(out, 0, 8 * sizeof(*out));
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = 0;
		for (size_t i = 0; i < 8; i++) {
			if (!table_names[i] || strcmp(table_names[i], line))
				continue;
			if (fd < 0)
				fd = socket(family, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW);
			/* present but unreadable: a constant, so at least appearing counts */
			out[i] = fd < 0 ? 2 : table_hash(fd, family, line);
			if (!out[i])
				out[i] = 2;
		}
	}
	if (fd >= 0)
		close(fd);
	fclose(f);
}

void ctg_watch_polled_read(struct ctg_watch_polled *p)
{
	struct stat st;

	read_family(AF_INET, p->legacy[0]);
	read_family(AF_INET6, p->legacy[1]);
	/* a reloaded module is a new sysfs directory: a new inode (and change time) */
	p->module_id = 0;
	if (stat("/sys/module/nf_conntrack", &st) == 0)
		p->module_id = (((uint64_t)st.st_ino << 20) ^ (uint64_t)st.st_ctim.tv_nsec ^
				((uint64_t)st.st_ctim.tv_sec << 32)) |
			       1;
	p->ct_present = access("/proc/sys/net/netfilter/nf_conntrack_count", F_OK) == 0;
}

unsigned ctg_watch_polled_diff(const struct ctg_watch_polled *before,
			       const struct ctg_watch_polled *now, char *legacy, size_t size,
			       const char **module)
{
	unsigned why = 0;
	size_t len = 0;

	legacy[0] = 0;
	for (int f = 0; f < 2; f++)
		for (size_t i = 0; i < 8; i++) {
			if (before->legacy[f][i] == now->legacy[f][i])
				continue;
			why |= CTG_WATCH_LEGACY;
			if (len < size)
				len += (size_t)snprintf(legacy + len, size - len, "%s%s/%s",
							len ? " " : "", f ? "ip6" : "ip",
							table_names[i]);
		}
	*module = NULL;
	if (before->ct_present && !now->ct_present)
		*module = "unloaded";
	else if (!before->ct_present && now->ct_present)
		*module = "loaded";
	else if (before->module_id != now->module_id)
		*module = now->module_id ? (before->module_id ? "reloaded" : "loaded") : "unloaded";
	if (*module)
		why |= CTG_WATCH_MODULE;
	return why;
}
