// SPDX-License-Identifier: GPL-2.0-or-later
/* Socket table over NETLINK_SOCK_DIAG (inet_diag): TCP and UDP, IPv4 and IPv6. */
#include <ctguard/source.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <libmnl/libmnl.h>
#include <linux/inet_diag.h>
#include <linux/sock_diag.h>

#include "source_int.h"

#define RECV_BYTES (1 << 16)

struct diag_ctx {
	struct ctg_sock_table *t;
	uint8_t l4proto;
	int err;
};

static int diag_cb(const struct nlmsghdr *nlh, void *data)
{
	struct diag_ctx *ctx = data;
	const struct inet_diag_msg *m = mnl_nlmsg_get_payload(nlh);
	struct ctg_sock *s;

	if (nlh->nlmsg_len < NLMSG_LENGTH(sizeof(*m)))
		return MNL_CB_OK;
	s = ctg_sock_table_push(ctx->t);
	if (!s) {
		ctx->err = -ENOMEM;
		return MNL_CB_ERROR;
	}
	s->family = m->idiag_family == AF_INET6 ? 10 : 2;
	s->l4proto = ctx->l4proto;
	s->state = m->idiag_state;
	s->lport = ntohs(m->id.idiag_sport);
	s->pport = ntohs(m->id.idiag_dport);
	memcpy(s->laddr.b, m->id.idiag_src, s->family == 10 ? 16 : 4);
	memcpy(s->paddr.b, m->id.idiag_dst, s->family == 10 ? 16 : 4);
	ctg_src_sock_unmap(s);
	s->uid = m->idiag_uid;
	s->inode = m->idiag_inode;
	s->pid = -1;
	return MNL_CB_OK;
}

static int dump_one(struct mnl_socket *nl, int family, int proto, struct ctg_sock_table *t,
		    char *buf)
{
	struct diag_ctx ctx = {.t = t, .l4proto = (uint8_t)proto};
	uint32_t seq = (uint32_t)time(NULL) + (uint32_t)(family * 256 + proto);
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct inet_diag_req_v2 *req;
	int ret;

	nlh->nlmsg_type = SOCK_DIAG_BY_FAMILY;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = seq;
	req = mnl_nlmsg_put_extra_header(nlh, sizeof(*req));
	req->sdiag_family = (uint8_t)family;
	req->sdiag_protocol = (uint8_t)proto;
	req->idiag_states = ~0u;
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	for (;;) {
		ssize_t n = mnl_socket_recvfrom(nl, buf, RECV_BYTES);

		if (n < 0)
			return -errno;
		ret = mnl_cb_run(buf, (size_t)n, seq, mnl_socket_get_portid(nl), diag_cb, &ctx);
		if (ret == MNL_CB_STOP)
			return 0;
		if (ret < 0)
			return ctx.err ? ctx.err : -errno;
	}
}

int ctg_sock_read_diag(struct ctg_sock_table *t, unsigned protos)
{
	static const int fams[] = {AF_INET, AF_INET6};
	struct mnl_socket *nl = mnl_socket_open(NETLINK_SOCK_DIAG);
	char *buf;
	int ret = 0;

	if (!nl)
		return -errno;
	buf = malloc(RECV_BYTES);
	if (!buf || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0)
		ret = buf ? -errno : -ENOMEM;
	for (size_t f = 0; f < 2 && !ret; f++) {
		if (protos & CTG_SOCK_TCP)
			ret = dump_one(nl, fams[f], IPPROTO_TCP, t, buf);
		if (!ret && (protos & CTG_SOCK_UDP))
			ret = dump_one(nl, fams[f], IPPROTO_UDP, t, buf);
	}
	free(buf);
	mnl_socket_close(nl);
	return ret;
}

const char *ctg_sk_state_name(int state)
{
	static const char *const names[] = {
		"UNKNOWN",   "ESTAB",  "SYN-SENT",   "SYN-RECV", "FIN-WAIT-1", "FIN-WAIT-2",
		"TIME-WAIT", "UNCONN", "CLOSE-WAIT", "LAST-ACK", "LISTEN",     "CLOSING",
	};

	return state >= 0 && state < (int)(sizeof(names) / sizeof(names[0])) ? names[state]
									     : "UNKNOWN";
}
