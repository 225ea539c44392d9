// SPDX-License-Identifier: GPL-2.0-or-later
/* Sysctl values: read live from /proc/sys, overridable by --sysctl NAME=VALUE. */
#include <ctguard/source.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The values the model uses (netfilter-semantics.md §11); all per netns. */
static const char *const known[] = {
	"net.ipv4.ip_local_port_range",
	"net.netfilter.nf_conntrack_acct",
	"net.netfilter.nf_conntrack_checksum",
	"net.netfilter.nf_conntrack_generic_timeout",
	"net.netfilter.nf_conntrack_icmp_timeout",
	"net.netfilter.nf_conntrack_icmpv6_timeout",
	"net.netfilter.nf_conntrack_max",
	"net.netfilter.nf_conntrack_tcp_be_liberal",
	"net.netfilter.nf_conntrack_tcp_ignore_invalid_rst",
	"net.netfilter.nf_conntrack_tcp_loose",
	"net.netfilter.nf_conntrack_tcp_max_retrans",
	"net.netfilter.nf_conntrack_tcp_timeout_close",
	"net.netfilter.nf_conntrack_tcp_timeout_close_wait",
	"net.netfilter.nf_conntrack_tcp_timeout_established",
	"net.netfilter.nf_conntrack_tcp_timeout_fin_wait",
	"net.netfilter.nf_conntrack_tcp_timeout_last_ack",
	"net.netfilter.nf_conntrack_tcp_timeout_max_retrans",
	"net.netfilter.nf_conntrack_tcp_timeout_syn_recv",
	"net.netfilter.nf_conntrack_tcp_timeout_syn_sent",
	"net.netfilter.nf_conntrack_tcp_timeout_time_wait",
	"net.netfilter.nf_conntrack_tcp_timeout_unacknowledged",
	"net.netfilter.nf_conntrack_timestamp",
	"net.netfilter.nf_conntrack_udp_timeout",
	"net.netfilter.nf_conntrack_udp_timeout_stream",
};

void ctg_sysvals_init(struct ctg_sysvals *s)
{
	memset(s, 0, sizeof(*s));
}

void ctg_sysvals_release(struct ctg_sysvals *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->v[i].name);
		free(s->v[i].value);
	}
	free(s->v);
	memset(s, 0, sizeof(*s));
}

/* "nf_conntrack_tcp_loose" -> "net.netfilter.nf_conntrack_tcp_loose"; "a/b/c" -> "a.b.c". */
static char *full_name(const char *name)
{
	size_t n = strlen(name);
	char *r;

	if (!strchr(name, '.') && !strchr(name, '/')) {
		for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
			const char *dot = strrchr(known[i], '.');

			if (!strcmp(dot + 1, name))
				return strdup(known[i]);
		}
	}
	r = strdup(name);
	if (r)
		for (size_t i = 0; i < n; i++)
			if (r[i] == '/')
				r[i] = '.';
	return r;
}

bool ctg_sysvals_known(const char *name)
{
	char *full = full_name(name);
	bool ok = false;

	for (size_t i = 0; full && i < sizeof(known) / sizeof(known[0]); i++)
		ok |= !strcmp(full, known[i]);
	free(full);
	return ok;
}

static struct ctg_sysval *find(const struct ctg_sysvals *s, const char *full)
{
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->v[i].name, full))
			return &s->v[i];
	return NULL;
}

static int put(struct ctg_sysvals *s, char *full, const char *value, bool overridden)
{
	struct ctg_sysval *kv = find(s, full);
	char *v = strdup(value);

	if (!v) {
		free(full);
		return -ENOMEM;
	}
	if (kv) {
		free(full);
		free(kv->value);
		kv->value = v;
		kv->overridden = overridden;
		return 0;
	}
	if (s->n == s->cap) {
		size_t ncap = s->cap ? s->cap * 2 : 32;
		struct ctg_sysval *nv = realloc(s->v, ncap * sizeof(*nv));

		if (!nv) {
			free(full);
			free(v);
			return -ENOMEM;
		}
		s->v = nv;
		s->cap = ncap;
	}
	s->v[s->n++] = (struct ctg_sysval){.name = full, .value = v, .overridden = overridden};
	return 0;
}

int ctg_sysvals_set(struct ctg_sysvals *s, const char *name, const char *value, bool overridden)
{
	char *full;

	if (!name[0])
		return -EINVAL;
	full = full_name(name);
	if (!full)
		return -ENOMEM;
	return put(s, full, value, overridden);
}

int ctg_sysvals_set_arg(struct ctg_sysvals *s, const char *arg)
{
	const char *eq = strchr(arg, '=');
	char *name;
	int ret;

	if (!eq || eq == arg)
		return -EINVAL;
	name = strndup(arg, (size_t)(eq - arg));
	if (!name)
		return -ENOMEM;
	ret = ctg_sysvals_set(s, name, eq + 1, true);
	free(name);
	return ret;
}

const char *ctg_sysvals_get(const struct ctg_sysvals *s, const char *name)
{
	char *full = full_name(name);
	const struct ctg_sysval *kv = full ? find(s, full) : NULL;

	free(full);
	return kv ? kv->value : NULL;
}

static int read_one(const char *proc_root, const char *name, char *buf, size_t size)
{
	char path[4096];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/sys/%s", proc_root, name);
	for (char *p = path + strlen(proc_root) + 5; *p; p++)
		if (*p == '.')
			*p = '/';
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -errno;
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		n--;
	buf[n] = '\0';
	for (char *p = buf; *p; p++)
		if (*p == '\t')
			*p = ' ';
	return 0;
}

int ctg_sysvals_read_live(struct ctg_sysvals *s, const char *proc_root)
{
	char buf[256];

	if (!proc_root)
		proc_root = "/proc";
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		const struct ctg_sysval *kv = find(s, known[i]);
		int ret;

		if ((kv && kv->overridden) || read_one(proc_root, known[i], buf, sizeof(buf)))
			continue;
		ret = ctg_sysvals_set(s, known[i], buf, false);
		if (ret)
			return ret;
	}
	return 0;
}
