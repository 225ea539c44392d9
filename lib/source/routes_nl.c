// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Live route lookups: RTM_GETROUTE with the packet's destination, source, mark and
 * ingress interface (as `ip route get` asks), answered by the kernel's FIB and policy
 * rules. An input lookup (with iif) the kernel refuses (martian source, rp_filter) is
 * asked again as an output lookup from the host.
 */
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "routes_int.h"

struct nl_ans {
	int type; /* rtm_type, -1 none */
	uint32_t oif;
};

static int attr_cb(const struct nlattr *a, void *data)
{
	struct nl_ans *ans = data;

	if (mnl_attr_get_type(a) == RTA_OIF && !mnl_attr_validate(a, MNL_TYPE_U32))
		ans->oif = mnl_attr_get_u32(a);
	return MNL_CB_OK;
}

static int msg_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nl_ans *ans = data;
	const struct rtmsg *rm = mnl_nlmsg_get_payload(nlh);

	if (nlh->nlmsg_type != RTM_NEWROUTE)
		return MNL_CB_OK;
	ans->type = rm->rtm_type;
	mnl_attr_parse(nlh, sizeof(*rm), attr_cb, ans);
	return MNL_CB_OK;
}

static int nl_open(struct ctg_routes *r)
{
	struct mnl_socket *nl;

	if (r->nl)
		return 0;
	if (r->nl_fd_err)
		return r->nl_fd_err;
	nl = mnl_socket_open(NETLINK_ROUTE);
	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		r->nl_fd_err = -errno;
		if (nl)
			mnl_socket_close(nl);
		return r->nl_fd_err;
	}
	r->nl = nl;
	r->nl_seq = (unsigned)time(NULL);
	return 0;
}

void ctg_routes_nl_close(struct ctg_routes *r)
{
	if (r->nl)
		mnl_socket_close(r->nl);
	r->nl = NULL;
}

/* One request; 0 with ans filled, or -errno the kernel answered / the socket failed. */
static int ask(struct ctg_routes *r, const struct ctg_route_query *q, bool with_iif,
	       struct nl_ans *ans)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct rtmsg *rm;
	size_t alen = q->family == 10 ? 16 : 4;
	unsigned seq = ++r->nl_seq;
	ssize_t n;
	int ret;

	nlh->nlmsg_type = RTM_GETROUTE;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	nlh->nlmsg_seq = seq;
	rm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rm));
	rm->rtm_family = q->family;
	rm->rtm_dst_len = (unsigned char)(alen * 8);
	mnl_attr_put(nlh, RTA_DST, alen, q->dst.b);
	if (q->has_src) {
		rm->rtm_src_len = (unsigned char)(alen * 8);
		mnl_attr_put(nlh, RTA_SRC, alen, q->src.b);
	}
	if (q->mark)
		mnl_attr_put_u32(nlh, RTA_MARK, q->mark);
	if (with_iif) {
		unsigned idx = if_nametoindex(q->iif);

		if (!idx)
			return -ENODEV;
		mnl_attr_put_u32(nlh, RTA_IIF, idx);
	}
	ans->type = -1;
	ans->oif = 0;
	if (mnl_socket_sendto(r->nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	n = mnl_socket_recvfrom(r->nl, buf, sizeof(buf));
	if (n < 0)
		return -errno;
	ret = mnl_cb_run(buf, (size_t)n, seq, mnl_socket_get_portid(r->nl), msg_cb, ans);
	return ret < 0 ? -errno : 0;
}

static void to_res(const struct nl_ans *ans, struct ctg_routes *r, struct ctg_route_res *res)
{
	char name[IF_NAMESIZE];

	switch (ans->type) {
	case RTN_UNICAST:
		if (ans->oif && if_indextoname(ans->oif, name)) {
			res->dev = ctg_routes_intern(r, name);
			res->type = res->dev ? CTG_RT_UNICAST : CTG_RT_UNKNOWN;
		}
		return;
	case RTN_LOCAL:
	case RTN_BROADCAST:
	case RTN_MULTICAST:
	case RTN_ANYCAST:
		res->type = CTG_RT_LOCAL;
		res->dev = "lo";
		return;
	case RTN_UNREACHABLE:
	case RTN_BLACKHOLE:
	case RTN_PROHIBIT:
		res->type = CTG_RT_UNREACHABLE;
		return;
	default:
		return;
	}
}

int ctg_routes_nl_lookup(struct ctg_routes *r, const struct ctg_route_query *q,
			 struct ctg_route_res *res)
{
	struct nl_ans ans;
	int ret = nl_open(r);

	if (ret)
		return ret;
	ret = ask(r, q, q->iif && strcmp(q->iif, "lo"), &ans);
	if (ret == -EINVAL || ret == -EXDEV || ret == -ENODEV) {
		/* input lookup refused (martian / rp_filter / no such device): from the host */
		struct ctg_route_query o = *q;

		o.iif = NULL;
		o.has_src = false;
		ret = ask(r, &o, false, &ans);
	}
	if (ret == -ENETUNREACH || ret == -EHOSTUNREACH || ret == -EACCES) {
		res->type = CTG_RT_UNREACHABLE;
		return 0;
	}
	if (ret == -EINVAL || ret == -EAFNOSUPPORT || ret == -EADDRNOTAVAIL)
		return 0; /* unknown */
	if (ret)
		return ret;
	to_res(&ans, r, res);
	return 0;
}
