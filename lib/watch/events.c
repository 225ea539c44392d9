// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The event sockets of watch: ctnetlink destroy events and nftables generation events,
 * each on its own NETLINK_NETFILTER socket (so a flush storm overflowing the conntrack
 * socket never costs a generation event). Read with recvmmsg, many events per call.
 */
#include "watch.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>

#define DEFAULT_RCVBUF (64 << 20)
#define SLOTS	       256
#define SLOT_BYTES     2048

struct ctg_watch_events {
	struct mnl_socket *ct, *nft;
	char *buf; /* SLOTS x SLOT_BYTES */
	struct mmsghdr msgs[SLOTS];
	struct iovec iov[SLOTS];
};

static struct mnl_socket *open_group(unsigned group, int rcvbuf)
{
	struct mnl_socket *nl = mnl_socket_open2(NETLINK_NETFILTER, SOCK_CLOEXEC | SOCK_NONBLOCK);
	int g = (int)group, e;

	if (!nl)
		return NULL;
	/* FORCE needs CAP_NET_ADMIN (which watch has); else the rmem_max-capped request */
	if (setsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)) <
	    0)
		setsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0 ||
	    mnl_socket_setsockopt(nl, NETLINK_ADD_MEMBERSHIP, &g, sizeof(g)) < 0) {
		e = errno;
		mnl_socket_close(nl);
		errno = e;
		return NULL;
	}
	return nl;
}

struct ctg_watch_events *ctg_watch_events_open(int rcvbuf)
{
	struct ctg_watch_events *ev = calloc(1, sizeof(*ev));
	int e;

	if (!ev)
		return NULL;
	if (rcvbuf <= 0)
		rcvbuf = DEFAULT_RCVBUF;
	ev->buf = malloc((size_t)SLOTS * SLOT_BYTES);
	if (!ev->buf)
		goto fail;
	ev->ct = open_group(NFNLGRP_CONNTRACK_DESTROY, rcvbuf);
	if (!ev->ct)
		goto fail;
	/* generation events are few; the default buffer is plenty */
	ev->nft = open_group(NFNLGRP_NFTABLES, 1 << 20);
	if (!ev->nft)
		goto fail;
	for (size_t i = 0; i < SLOTS; i++) {
		ev->iov[i].iov_base = ev->buf + i * SLOT_BYTES;
		ev->iov[i].iov_len = SLOT_BYTES;
		ev->msgs[i].msg_hdr.msg_iov = &ev->iov[i];
		ev->msgs[i].msg_hdr.msg_iovlen = 1;
	}
	return ev;
fail:
	e = errno;
	ctg_watch_events_close(ev);
	errno = e;
	return NULL;
}

void ctg_watch_events_close(struct ctg_watch_events *ev)
{
	if (!ev)
		return;
	if (ev->ct)
		mnl_socket_close(ev->ct);
	if (ev->nft)
		mnl_socket_close(ev->nft);
	free(ev->buf);
	free(ev);
}

void ctg_watch_events_fds(const struct ctg_watch_events *ev, int fds[2])
{
	fds[0] = mnl_socket_get_fd(ev->ct);
	fds[1] = mnl_socket_get_fd(ev->nft);
}

void ctg_watch_parse_newgen(const void *payload, size_t len, struct ctg_watch_batch *b)
{
	const struct nlattr *a;
	const char *p = payload;

	b->nft_gens++;
	b->nft_pid = 0;
	b->nft_comm[0] = 0;
	/* attributes after the nfgenmsg header; walked with bounds checks */
	if (len < NLMSG_ALIGN(sizeof(struct nfgenmsg)))
		return;
	p += NLMSG_ALIGN(sizeof(struct nfgenmsg));
	len -= NLMSG_ALIGN(sizeof(struct nfgenmsg));
	while (len >= sizeof(*a)) {
		uint32_t v;
		size_t alen;

		a = (const void *)p;
		if (a->nla_len < sizeof(*a) || a->nla_len > len)
			break;
		alen = a->nla_len - sizeof(*a);
		switch (a->nla_type & NLA_TYPE_MASK) {
		case NFTA_GEN_ID:
		case NFTA_GEN_PROC_PID:
			if (alen < 4)
				break;
			memcpy(&v, p + sizeof(*a), 4);
			if ((a->nla_type & NLA_TYPE_MASK) == NFTA_GEN_ID)
				b->nft_gen = ntohl(v);
			else
				b->nft_pid = ntohl(v);
			break;
		case NFTA_GEN_PROC_NAME:
			if (alen >= sizeof(b->nft_comm))
				alen = sizeof(b->nft_comm) - 1;
			memcpy(b->nft_comm, p + sizeof(*a), alen);
			b->nft_comm[alen] = 0;
			b->nft_comm[strcspn(b->nft_comm, "\n")] = 0;
			break;
		default:
			break;
		}
		if ((size_t)NLA_ALIGN(a->nla_len) >= len)
			break;
		len -= NLA_ALIGN(a->nla_len);
		p += NLA_ALIGN(a->nla_len);
	}
}

/* One received datagram (one or more netlink messages). */
static int take(const char *p, size_t len, bool nft, struct ctg_watch_batch *b, size_t keep)
{
	while (len >= NLMSG_HDRLEN) {
		const struct nlmsghdr *nlh = (const void *)p;
		size_t n = nlh->nlmsg_len;
		uint16_t type = nlh->nlmsg_type;

		if (n < NLMSG_HDRLEN || n > len)
			n = len; /* truncated (MSG_TRUNC): the header still tells what it was */
		if (!nft && type == ((NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_DELETE)) {
			b->destroyed++;
			if (b->ent.n < keep && n == nlh->nlmsg_len &&
			    ctg_ct_read_nl_buf(&b->ent, p, n) < 0)
				return -ENOMEM;
		} else if (nft && type == ((NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_NEWGEN)) {
			ctg_watch_parse_newgen(p + NLMSG_HDRLEN, n - NLMSG_HDRLEN, b);
		}
		n = NLMSG_ALIGN(n);
		if (n >= len)
			break;
		p += n;
		len -= n;
	}
	return 0;
}

/* Drains one socket; messages read or -errno. ENOBUFS marks the batch lost and goes on. */
static long drain(struct ctg_watch_events *ev, bool nft, struct ctg_watch_batch *b, size_t keep)
{
	int fd = mnl_socket_get_fd(nft ? ev->nft : ev->ct);
	long total = 0;

	for (;;) {
		int n = recvmmsg(fd, ev->msgs, SLOTS, MSG_DONTWAIT, NULL);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == ENOBUFS) {
				/* the kernel dropped events: whatever they were, audit in full */
				if (nft)
					b->nft_gens++;
				else
					b->lost = true;
				total++;
				continue;
			}
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return total;
			return -errno;
		}
		for (int i = 0; i < n; i++) {
			size_t len = ev->msgs[i].msg_len;

			if (len > SLOT_BYTES)
				len = SLOT_BYTES;
			if (take(ev->buf + (size_t)i * SLOT_BYTES, len, nft, b, keep) < 0)
				return -ENOMEM;
		}
		total += n;
		if (n < SLOTS)
			return total;
	}
}

long ctg_watch_events_read(struct ctg_watch_events *ev, struct ctg_watch_batch *b, size_t keep)
{
	long a = drain(ev, false, b, keep), c;

	if (a < 0)
		return a;
	c = drain(ev, true, b, keep);
	return c < 0 ? c : a + c;
}
