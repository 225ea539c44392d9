// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Owning processes of sockets: one scan of <proc_root>/[pid]/fd for "socket:[inode]"
 * links, looked up in an inode hash of the socket table.
 */
#include <ctguard/source.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct inode_hash {
	size_t *slot; /* socket index + 1, 0 = empty */
	size_t mask;
};

static size_t hash_inode(uint64_t ino)
{
	return (size_t)(ino * 0x9e3779b97f4a7c15ull >> 17);
}

static int hash_build(struct inode_hash *h, const struct ctg_sock_table *t)
{
	size_t cap = 64;

	while (cap < t->n * 2)
		cap <<= 1;
	h->slot = calloc(cap, sizeof(*h->slot));
	if (!h->slot)
		return -ENOMEM;
	h->mask = cap - 1;
	for (size_t i = 0; i < t->n; i++) {
		size_t k;

		if (!t->v[i].inode)
			continue;
		for (k = hash_inode(t->v[i].inode) & h->mask; h->slot[k]; k = (k + 1) & h->mask)
			;
		h->slot[k] = i + 1;
	}
	return 0;
}

static void read_comm(const char *proc_root, const char *pid, char comm[16])
{
	char path[4096];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s/comm", proc_root, pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	n = read(fd, comm, 15);
	close(fd);
	if (n < 0)
		n = 0;
	comm[n] = '\0';
	if (n && comm[n - 1] == '\n')
		comm[n - 1] = '\0';
}

/* Marks every socket of one process. */
static void scan_pid(struct ctg_sock_table *t, const struct inode_hash *h, const char *proc_root,
		     const char *pid)
{
	char path[4096], link[64], comm[16] = "";
	struct dirent *de;
	DIR *d;

	snprintf(path, sizeof(path), "%s/%s/fd", proc_root, pid);
	d = opendir(path);
	if (!d)
		return;
	while ((de = readdir(d))) {
		ssize_t n;
		uint64_t ino;

		if (de->d_name[0] == '.')
			continue;
		n = readlinkat(dirfd(d), de->d_name, link, sizeof(link) - 1);
		if (n < 9 || memcmp(link, "socket:[", 8))
			continue;
		link[n] = '\0';
		ino = strtoull(link + 8, NULL, 10);
		for (size_t k = hash_inode(ino) & h->mask; h->slot[k]; k = (k + 1) & h->mask) {
			struct ctg_sock *s = &t->v[h->slot[k] - 1];

			if (s->inode != ino || s->pid >= 0)
				continue;
			if (!comm[0])
				read_comm(proc_root, pid, comm);
			s->pid = (int32_t)atoi(pid);
			memcpy(s->comm, comm, sizeof(s->comm));
		}
	}
	closedir(d);
}

int ctg_sock_fill_procs(struct ctg_sock_table *t, const char *proc_root)
{
	struct inode_hash h;
	struct dirent *de;
	DIR *d;
	int ret;

	if (!proc_root)
		proc_root = "/proc";
	d = opendir(proc_root);
	if (!d)
		return -errno;
	ret = hash_build(&h, t);
	while (!ret && (de = readdir(d))) {
		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		scan_pid(t, &h, proc_root, de->d_name);
	}
	if (!ret)
		free(h.slot);
	closedir(d);
	return ret;
}
