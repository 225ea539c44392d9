// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Conntrack table over ctnetlink (libmnl): one dump request, entries decoded straight into
 * the flat table, no per-entry allocation.
 */
#include <ctguard/source.h>

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <endian.h>
#include <arpa/inet.h>

#include <libmnl/libmnl.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>

#define RCVBUF_BYTES (32 << 20)
#define RECV_BYTES   (1 << 17)
#define MAX_REDO     8

struct dump_ctx {
	struct ctg_ct_table *t;
	bool intr;
	int err;
};

/*
 * Attribute walking inlined (libmnl's accessors are out-of-line calls: at ~30 attributes
 * per entry they cost more than the rest of the reader).
 */
#define for_each_attr(a, start, len)                                                               \
	for (const struct nlattr *a = (const void *)(start),                                       \
				 *a##_end = (const void *)((const char *)(start) + (len));         \
	     (const char *)a + NLA_HDRLEN <= (const char *)a##_end && a->nla_len >= NLA_HDRLEN &&  \
	     (const char *)a + a->nla_len <= (const char *)a##_end;                                \
	     a = (const void *)((const char *)a + NLA_ALIGN(a->nla_len)))
#define for_each_nested(a, nest) for_each_attr(a, payload(nest), plen(nest))

static inline const void *payload(const struct nlattr *a)
{
	return (const char *)a + NLA_HDRLEN;
}

static inline size_t plen(const struct nlattr *a)
{
	return (size_t)a->nla_len - NLA_HDRLEN;
}

static inline int atype(const struct nlattr *a)
{
	return a->nla_type & NLA_TYPE_MASK;
}

static inline uint8_t get_u8(const struct nlattr *a)
{
	return plen(a) >= 1 ? *(const uint8_t *)payload(a) : 0;
}

static inline uint16_t get_be16(const struct nlattr *a)
{
	uint16_t v = 0;

	if (plen(a) >= 2)
		memcpy(&v, payload(a), 2);
	return ntohs(v);
}

static inline uint32_t get_be32(const struct nlattr *a)
{
	uint32_t v = 0;

	if (plen(a) >= 4)
		memcpy(&v, payload(a), 4);
	return ntohl(v);
}

static void get_addr(const struct nlattr *a, struct ctg_addr *dst, size_t n)
{
	if (plen(a) >= n)
		memcpy(dst->b, payload(a), n);
}

static void parse_ip(const struct nlattr *nest, struct ctg_tuple *tu)
{
	for_each_nested(a, nest)
	{
		switch (atype(a)) {
		case CTA_IP_V4_SRC:
			get_addr(a, &tu->src, 4);
			break;
		case CTA_IP_V4_DST:
			get_addr(a, &tu->dst, 4);
			break;
		case CTA_IP_V6_SRC:
			get_addr(a, &tu->src, 16);
			break;
		case CTA_IP_V6_DST:
			get_addr(a, &tu->dst, 16);
			break;
		}
	}
}

static void parse_proto(const struct nlattr *nest, struct ctg_tuple *tu, uint8_t *l4)
{
	unsigned type = 0, code = 0;
	bool icmp = false;

	for_each_nested(a, nest)
	{
		switch (atype(a)) {
		case CTA_PROTO_NUM:
			*l4 = get_u8(a);
			break;
		case CTA_PROTO_SRC_PORT:
		case CTA_PROTO_ICMP_ID:
		case CTA_PROTO_ICMPV6_ID:
			tu->sport = get_be16(a);
			break;
		case CTA_PROTO_DST_PORT:
			tu->dport = get_be16(a);
			break;
		case CTA_PROTO_ICMP_TYPE:
		case CTA_PROTO_ICMPV6_TYPE:
			type = get_u8(a);
			icmp = true;
			break;
		case CTA_PROTO_ICMP_CODE:
		case CTA_PROTO_ICMPV6_CODE:
			code = get_u8(a);
			icmp = true;
			break;
		}
	}
	if (icmp)
		tu->dport = (uint16_t)(type << 8 | code);
}

static void parse_tuple(const struct nlattr *nest, struct ctg_tuple *tu, uint8_t *l4)
{
	for_each_nested(a, nest)
	{
		if (atype(a) == CTA_TUPLE_IP)
			parse_ip(a, tu);
		else if (atype(a) == CTA_TUPLE_PROTO)
			parse_proto(a, tu, l4);
	}
}

static void parse_tcp(const struct nlattr *nest, struct ctg_ct_entry *e)
{
	for_each_nested(a, nest)
	{
		switch (atype(a)) {
		case CTA_PROTOINFO_TCP_STATE:
			e->tcp_state = get_u8(a);
			break;
		case CTA_PROTOINFO_TCP_WSCALE_ORIGINAL:
			e->tcp_wscale[0] = get_u8(a);
			break;
		case CTA_PROTOINFO_TCP_WSCALE_REPLY:
			e->tcp_wscale[1] = get_u8(a);
			break;
		case CTA_PROTOINFO_TCP_FLAGS_ORIGINAL:
			e->tcp_flags[0] = get_u8(a);
			break;
		case CTA_PROTOINFO_TCP_FLAGS_REPLY:
			e->tcp_flags[1] = get_u8(a);
			break;
		}
	}
}

static void parse_nested_first(const struct nlattr *nest, int type, struct ctg_ct_entry *e)
{
	for_each_nested(a, nest)
	{
		if (type == CTA_PROTOINFO && atype(a) == CTA_PROTOINFO_TCP) {
			parse_tcp(a, e);
		} else if (type == CTA_TIMESTAMP && atype(a) == CTA_TIMESTAMP_START &&
			   plen(a) >= 8) {
			uint64_t v;

			memcpy(&v, payload(a), 8);
			e->start_ns = be64toh(v);
		}
	}
}

static void parse_attr(const struct nlattr *a, struct ctg_ct_entry *e)
{
	uint8_t l4 = 0;

	switch (atype(a)) {
	case CTA_TUPLE_ORIG:
		parse_tuple(a, &e->orig, &l4);
		e->l4proto = l4;
		break;
	case CTA_TUPLE_REPLY:
		parse_tuple(a, &e->reply, &l4);
		break;
	case CTA_STATUS:
		e->status = get_be32(a);
		break;
	case CTA_TIMEOUT:
		e->timeout = get_be32(a);
		break;
	case CTA_MARK:
		e->mark = get_be32(a);
		break;
	case CTA_ID:
		e->id = get_be32(a);
		break;
	case CTA_ZONE:
		e->zone = get_be16(a);
		break;
	case CTA_PROTOINFO:
	case CTA_TIMESTAMP:
		parse_nested_first(a, atype(a), e);
		break;
	}
}

/* One IPCTNL_MSG_CT_NEW (or _DELETE event) message into a new slot; entries of other families are
 * dropped. */
static int parse_msg(const struct nlmsghdr *nlh, struct ctg_ct_table *t)
{
	const struct nfgenmsg *nfg = mnl_nlmsg_get_payload(nlh);
	struct ctg_ct_entry *e;

	if (nlh->nlmsg_len < NLMSG_LENGTH(sizeof(*nfg)))
		return 0;
	if (nfg->nfgen_family != AF_INET && nfg->nfgen_family != AF_INET6)
		return 0;
	e = ctg_ct_table_push(t);
	if (!e)
		return -ENOMEM;
	e->family = nfg->nfgen_family;
	for_each_attr(a, (const char *)nfg + NLMSG_ALIGN(sizeof(*nfg)),
		      nlh->nlmsg_len - NLMSG_LENGTH(NLMSG_ALIGN(sizeof(*nfg)))) parse_attr(a, e);
	return 0;
}

static int data_cb(const struct nlmsghdr *nlh, void *data)
{
	struct dump_ctx *ctx = data;

	if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
		ctx->intr = true;
	ctx->err = parse_msg(nlh, ctx->t);
	return ctx->err ? MNL_CB_ERROR : MNL_CB_OK;
}

int ctg_ct_read_nl_buf(struct ctg_ct_table *t, const void *buf, size_t len)
{
	uint16_t want = (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_NEW;
	uint16_t gone = (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_DELETE;
	const char *p = buf;
	int ret = 0;

	/* not mnl_nlmsg_ok: it compares nlmsg_len as an int, unsafe on untrusted bytes */
	while (!ret && len >= NLMSG_HDRLEN) {
		const struct nlmsghdr *nlh = (const void *)p;
		size_t n = nlh->nlmsg_len;

		if (n < NLMSG_HDRLEN || n > len)
			break;
		if (nlh->nlmsg_type == want || nlh->nlmsg_type == gone)
			ret = parse_msg(nlh, t);
		n = NLMSG_ALIGN(n);
		if (n >= len)
			break;
		p += n;
		len -= n;
	}
	return ret;
}

static struct mnl_socket *open_nl(void)
{
	struct mnl_socket *nl = mnl_socket_open(NETLINK_NETFILTER);
	int sz = RCVBUF_BYTES, one = 1;

	if (!nl)
		return NULL;
	if (setsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz)) < 0)
		setsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	setsockopt(mnl_socket_get_fd(nl), SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		int e = errno;

		mnl_socket_close(nl);
		errno = e;
		return NULL;
	}
	return nl;
}

static int send_dump(struct mnl_socket *nl, int family, uint32_t seq, char *buf)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nfgenmsg *nfg;

	nlh->nlmsg_type = (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_GET;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = seq;
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = (uint8_t)family;
	nfg->version = NFNETLINK_V0;
	nfg->res_id = 0;
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	return 0;
}

/* One dump; 0, -EAGAIN (redo), or a hard -errno. */
static int dump_once(struct mnl_socket *nl, int family, struct dump_ctx *ctx, char *buf)
{
	uint32_t seq = (uint32_t)time(NULL), portid = mnl_socket_get_portid(nl);
	int ret = send_dump(nl, family, seq, buf);

	if (ret)
		return ret;
	for (;;) {
		ssize_t n = mnl_socket_recvfrom(nl, buf, RECV_BYTES);

		if (n < 0)
			return (errno == EINTR || errno == ENOBUFS) ? -EAGAIN : -errno;
		ret = mnl_cb_run(buf, (size_t)n, seq, portid, data_cb, ctx);
		if (ret == MNL_CB_STOP)
			break;
		if (ret < 0) {
			if (ctx->err)
				return ctx->err;
			return errno == EINTR ? -EAGAIN : -errno;
		}
	}
	return ctx->intr ? -EAGAIN : 0;
}

/* Sizes the table for the current entry count (+1/8) so the dump never reallocates. */
static void reserve(struct ctg_ct_table *t)
{
	char b[32] = "";
	ssize_t n;
	size_t want;
	struct ctg_ct_entry *nv;
	int fd = open("/proc/sys/net/netfilter/nf_conntrack_count", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return;
	n = read(fd, b, sizeof(b) - 1);
	close(fd);
	if (n <= 0)
		return;
	b[n] = '\0';
	want = t->n + strtoul(b, NULL, 10) + strtoul(b, NULL, 10) / 8 + 16;
	if (want <= t->cap)
		return;
	nv = realloc(t->v, want * sizeof(*nv));
	if (nv) {
		t->v = nv;
		t->cap = want;
	}
}

int ctg_ct_read_nl(struct ctg_ct_table *t, int family)
{
	struct dump_ctx ctx = {.t = t};
	size_t base = t->n;
	struct mnl_socket *nl;
	char *buf;
	int ret = -EIO;

	buf = malloc(RECV_BYTES);
	if (!buf)
		return -ENOMEM;
	reserve(t);
	for (int i = 0; i < MAX_REDO && ret; i++) {
		nl = open_nl();
		if (!nl) {
			ret = errno == EPROTONOSUPPORT ? -EPROTONOSUPPORT : -errno;
			break;
		}
		t->n = base;
		ctx.intr = false;
		ctx.err = 0;
		ret = dump_once(nl, family, &ctx, buf);
		mnl_socket_close(nl);
		if (ret && ret != -EAGAIN)
			break;
		if (ret == -EAGAIN && i == MAX_REDO - 1)
			ret = -EIO;
	}
	if (ret)
		t->n = base;
	free(buf);
	return ret;
}

/* The CTA_TUPLE_ORIG of a GET for the socket's local -> peer direction. */
static void put_sock_tuple(struct nlmsghdr *nlh, const struct ctg_sock *s)
{
	struct nlattr *nt = mnl_attr_nest_start(nlh, CTA_TUPLE_ORIG);
	struct nlattr *n = mnl_attr_nest_start(nlh, CTA_TUPLE_IP);
	size_t alen = s->family == AF_INET6 ? 16 : 4;

	mnl_attr_put(nlh, alen == 16 ? CTA_IP_V6_SRC : CTA_IP_V4_SRC, alen, s->laddr.b);
	mnl_attr_put(nlh, alen == 16 ? CTA_IP_V6_DST : CTA_IP_V4_DST, alen, s->paddr.b);
	mnl_attr_nest_end(nlh, n);
	n = mnl_attr_nest_start(nlh, CTA_TUPLE_PROTO);
	mnl_attr_put_u8(nlh, CTA_PROTO_NUM, s->l4proto);
	mnl_attr_put_u16(nlh, CTA_PROTO_SRC_PORT, htons(s->lport));
	mnl_attr_put_u16(nlh, CTA_PROTO_DST_PORT, htons(s->pport));
	mnl_attr_nest_end(nlh, n);
	mnl_attr_nest_end(nlh, nt);
}

/* One lookup: appends the entry when there is one. 0 (found or not) or -errno. */
static int get_one(struct mnl_socket *nl, const struct ctg_sock *s, uint32_t seq, char *buf,
		   struct ctg_ct_table *t)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct dump_ctx ctx = {.t = t};
	struct nfgenmsg *nfg;
	ssize_t n;
	int ret;

	nlh->nlmsg_type = (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_GET;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = seq;
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = s->family;
	nfg->version = NFNETLINK_V0;
	put_sock_tuple(nlh, s);
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	do {
		n = mnl_socket_recvfrom(nl, buf, RECV_BYTES);
		if (n < 0)
			return -errno;
		ret = mnl_cb_run(buf, (size_t)n, seq, mnl_socket_get_portid(nl), data_cb, &ctx);
	} while (ret > MNL_CB_STOP);
	if (ret < 0 && ctx.err)
		return ctx.err;
	return ret < 0 && errno != ENOENT ? -errno : 0;
}

static bool have_id(const struct ctg_ct_table *t, size_t from, uint32_t id)
{
	for (size_t i = from; i + 1 < t->n; i++)
		if (t->v[i].id == id)
			return true;
	return false;
}

int ctg_ct_read_nl_socks(struct ctg_ct_table *t, const struct ctg_sock_table *socks)
{
	size_t base = t->n;
	struct mnl_socket *nl = open_nl();
	char *buf = malloc(RECV_BYTES);
	int ret = 0;

	if (!nl || !buf) {
		ret = !nl ? (errno == EPROTONOSUPPORT ? -EPROTONOSUPPORT : -errno) : -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < socks->n && !ret; i++) {
		const struct ctg_sock *s = &socks->v[i];
		size_t before = t->n;

		if (s->state != CTG_SK_ESTABLISHED || (s->l4proto != 6 && s->l4proto != 17))
			continue;
		ret = get_one(nl, s, (uint32_t)i + 1, buf, t);
		/* both ends of a local connection find the same entry */
		if (!ret && t->n > before && have_id(t, base, t->v[t->n - 1].id))
			t->n--;
	}
out:
	if (ret)
		t->n = base;
	if (nl)
		mnl_socket_close(nl);
	free(buf);
	return ret;
}
