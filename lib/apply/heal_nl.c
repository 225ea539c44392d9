// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Heal over ctnetlink: create one conntrack entry (IPCTNL_MSG_CT_NEW) with the TCP
 * protoinfo flags the conntrack CLI cannot set, or look one up (IPCTNL_MSG_CT_GET).
 * CTA_STATUS must carry CONFIRMED or the kernel answers EBUSY (netfilter-semantics 9).
 */
#include "heal_nl.h"

#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void put_tuple(struct nlmsghdr *nlh, int type, const struct ctg_ct_entry *e,
		      const struct ctg_tuple *t)
{
	struct nlattr *nt = mnl_attr_nest_start(nlh, type);
	struct nlattr *nip = mnl_attr_nest_start(nlh, CTA_TUPLE_IP);
	struct nlattr *np;

	if (e->family == 10) {
		mnl_attr_put(nlh, CTA_IP_V6_SRC, 16, t->src.b);
		mnl_attr_put(nlh, CTA_IP_V6_DST, 16, t->dst.b);
	} else {
		mnl_attr_put(nlh, CTA_IP_V4_SRC, 4, t->src.b);
		mnl_attr_put(nlh, CTA_IP_V4_DST, 4, t->dst.b);
	}
	mnl_attr_nest_end(nlh, nip);
	np = mnl_attr_nest_start(nlh, CTA_TUPLE_PROTO);
	mnl_attr_put_u8(nlh, CTA_PROTO_NUM, e->l4proto);
	mnl_attr_put_u16(nlh, CTA_PROTO_SRC_PORT, htons(t->sport));
	mnl_attr_put_u16(nlh, CTA_PROTO_DST_PORT, htons(t->dport));
	mnl_attr_nest_end(nlh, np);
	mnl_attr_nest_end(nlh, nt);
}

static void put_tcp_protoinfo(struct nlmsghdr *nlh, const struct ctg_ct_entry *e)
{
	struct nlattr *np = mnl_attr_nest_start(nlh, CTA_PROTOINFO);
	struct nlattr *nt = mnl_attr_nest_start(nlh, CTA_PROTOINFO_TCP);
	/* struct nf_ct_tcp_flags { u8 flags; u8 mask; } */
	uint8_t fo[2] = {e->tcp_flags[0], e->tcp_flags[0]};
	uint8_t fr[2] = {e->tcp_flags[1], e->tcp_flags[1]};

	mnl_attr_put_u8(nlh, CTA_PROTOINFO_TCP_STATE, e->tcp_state);
	mnl_attr_put(nlh, CTA_PROTOINFO_TCP_FLAGS_ORIGINAL, sizeof(fo), fo);
	mnl_attr_put(nlh, CTA_PROTOINFO_TCP_FLAGS_REPLY, sizeof(fr), fr);
	mnl_attr_nest_end(nlh, nt);
	mnl_attr_nest_end(nlh, np);
}

static struct nlmsghdr *build(char *buf, uint16_t msg, uint16_t flags, const struct ctg_ct_entry *e,
			      uint32_t seq)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nfgenmsg *nfg;

	nlh->nlmsg_type = (NFNL_SUBSYS_CTNETLINK << 8) | msg;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	nlh->nlmsg_seq = seq;
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = e->family;
	nfg->version = NFNETLINK_V0;
	nfg->res_id = htons(e->zone);
	put_tuple(nlh, CTA_TUPLE_ORIG, e, &e->orig);
	return nlh;
}

/* Sends nlh, waits for the kernel's ack; returns 0 or -errno. */
static int transact(struct nlmsghdr *nlh)
{
	char *buf = malloc(MNL_SOCKET_BUFFER_SIZE);
	struct mnl_socket *nl = NULL;
	unsigned portid;
	int ret, err = 0;

	if (!buf)
		return -ENOMEM;
	nl = mnl_socket_open(NETLINK_NETFILTER);
	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		err = -errno;
		goto out;
	}
	portid = mnl_socket_get_portid(nl);
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
		err = -errno;
		goto out;
	}
	do {
		ret = mnl_socket_recvfrom(nl, buf, MNL_SOCKET_BUFFER_SIZE);
		if (ret < 0) {
			err = -errno;
			break;
		}
		ret = mnl_cb_run(buf, ret, nlh->nlmsg_seq, portid, NULL, NULL);
		if (ret < 0)
			err = -errno;
	} while (ret > 0);
out:
	if (nl)
		mnl_socket_close(nl);
	free(buf);
	return err;
}

int ctg_heal_nl_insert(const struct ctg_ct_entry *e)
{
	char buf[1024];
	struct nlmsghdr *nlh;

	if ((e->l4proto != 6 && e->l4proto != 17) || !(e->status & CTG_IPS_CONFIRMED))
		return -EINVAL;
	nlh = build(buf, IPCTNL_MSG_CT_NEW, NLM_F_CREATE | NLM_F_EXCL, e, (uint32_t)time(NULL));
	put_tuple(nlh, CTA_TUPLE_REPLY, e, &e->reply);
	mnl_attr_put_u32(nlh, CTA_STATUS, htonl(e->status));
	mnl_attr_put_u32(nlh, CTA_TIMEOUT, htonl(e->timeout));
	if (e->mark)
		mnl_attr_put_u32(nlh, CTA_MARK, htonl(e->mark));
	if (e->l4proto == 6)
		put_tcp_protoinfo(nlh, e);
	return transact(nlh);
}

int ctg_heal_nl_exists(const struct ctg_ct_entry *e)
{
	char buf[512];
	struct nlmsghdr *nlh = build(buf, IPCTNL_MSG_CT_GET, 0, e, (uint32_t)time(NULL));
	int ret = transact(nlh);

	if (ret == -ENOENT)
		return 0;
	return ret < 0 ? ret : 1;
}
