// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ct-bulk-insert: inserts N synthetic conntrack entries into the current network namespace
 * over ctnetlink, many messages per sendmsg (mnl_nlmsg_batch). Test and benchmark helper:
 *
 *   ip netns exec NS ct-bulk-insert [-n N] [-6] [-p tcp|udp] [-t TIMEOUT] [-m MARK] [-o OCTET]
 *
 * Entries: src 10.<O>.<i/60000>.1 (fd00:<O>::<i/60000>:1) sport 1024 + i%60000 ->
 * dst 10.<O>.255.1 (fd00:<O>::ff:1) dport 3306; TCP ESTABLISHED, SEEN_REPLY|ASSURED,
 * flags SACK_PERM|BE_LIBERAL. Default O = 201. Prints "inserted N failed M" to stdout.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nf_conntrack_tcp.h>

struct opts {
	unsigned long n;
	int family, proto;
	unsigned timeout, mark, octet;
};

static void put_addr(struct nlmsghdr *nlh, const struct opts *o, int type, unsigned hi, bool dst)
{
	if (o->family == AF_INET) {
		uint8_t a[4] = {10, (uint8_t)o->octet, dst ? 255 : (uint8_t)hi, 1};

		mnl_attr_put(nlh, type, 4, a);
	} else {
		uint8_t a[16] = {0xfd, 0, 0, (uint8_t)o->octet};

		a[13] = dst ? 0xff : (uint8_t)hi;
		a[15] = 1;
		mnl_attr_put(nlh, type, 16, a);
	}
}

static void put_tuple(struct nlmsghdr *nlh, const struct opts *o, int type, unsigned long i,
		      bool reply)
{
	struct nlattr *t = mnl_attr_nest_start(nlh, type), *n;
	int v4 = o->family == AF_INET;
	unsigned hi = (unsigned)(i / 60000);
	uint16_t cport = htons((uint16_t)(1024 + i % 60000)), sport = htons(3306);

	n = mnl_attr_nest_start(nlh, CTA_TUPLE_IP);
	put_addr(nlh, o, v4 ? CTA_IP_V4_SRC : CTA_IP_V6_SRC, hi, reply);
	put_addr(nlh, o, v4 ? CTA_IP_V4_DST : CTA_IP_V6_DST, hi, !reply);
	mnl_attr_nest_end(nlh, n);
	n = mnl_attr_nest_start(nlh, CTA_TUPLE_PROTO);
	mnl_attr_put_u8(nlh, CTA_PROTO_NUM, (uint8_t)o->proto);
	mnl_attr_put_u16(nlh, CTA_PROTO_SRC_PORT, reply ? sport : cport);
	mnl_attr_put_u16(nlh, CTA_PROTO_DST_PORT, reply ? cport : sport);
	mnl_attr_nest_end(nlh, n);
	mnl_attr_nest_end(nlh, t);
}

static void put_tcp(struct nlmsghdr *nlh)
{
	struct nf_ct_tcp_flags f = {.flags = IP_CT_TCP_FLAG_SACK_PERM | IP_CT_TCP_FLAG_BE_LIBERAL,
				    .mask = IP_CT_TCP_FLAG_SACK_PERM | IP_CT_TCP_FLAG_BE_LIBERAL};
	struct nlattr *p = mnl_attr_nest_start(nlh, CTA_PROTOINFO);
	struct nlattr *t = mnl_attr_nest_start(nlh, CTA_PROTOINFO_TCP);

	mnl_attr_put_u8(nlh, CTA_PROTOINFO_TCP_STATE, TCP_CONNTRACK_ESTABLISHED);
	mnl_attr_put(nlh, CTA_PROTOINFO_TCP_FLAGS_ORIGINAL, sizeof(f), &f);
	mnl_attr_put(nlh, CTA_PROTOINFO_TCP_FLAGS_REPLY, sizeof(f), &f);
	mnl_attr_nest_end(nlh, t);
	mnl_attr_nest_end(nlh, p);
}

static void put_entry(char *buf, const struct opts *o, unsigned long i, uint32_t seq)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nfgenmsg *nfg;

	nlh->nlmsg_type = (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_NEW;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_CREATE | NLM_F_EXCL;
	nlh->nlmsg_seq = seq;
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = (uint8_t)o->family;
	nfg->version = NFNETLINK_V0;
	put_tuple(nlh, o, CTA_TUPLE_ORIG, i, false);
	put_tuple(nlh, o, CTA_TUPLE_REPLY, i, true);
	mnl_attr_put_u32(nlh, CTA_TIMEOUT, htonl(o->timeout));
	mnl_attr_put_u32(nlh, CTA_STATUS, htonl(IPS_CONFIRMED | IPS_SEEN_REPLY | IPS_ASSURED));
	if (o->mark)
		mnl_attr_put_u32(nlh, CTA_MARK, htonl(o->mark));
	if (o->proto == IPPROTO_TCP)
		put_tcp(nlh);
}

/* Counts error messages waiting on the socket (the kernel sends one per failed request). */
static unsigned long drain_errors(struct mnl_socket *nl, char *buf, size_t size, int *first)
{
	unsigned long nerr = 0;
	ssize_t n;

	while ((n = recv(mnl_socket_get_fd(nl), buf, size, MSG_DONTWAIT)) > 0) {
		const struct nlmsghdr *h = (const struct nlmsghdr *)buf;
		int len = (int)n;

		for (; mnl_nlmsg_ok(h, len); h = mnl_nlmsg_next(h, &len)) {
			const struct nlmsgerr *e = mnl_nlmsg_get_payload(h);

			if (h->nlmsg_type == NLMSG_ERROR && e->error) {
				if (!*first)
					*first = -e->error;
				nerr++;
			}
		}
	}
	return nerr;
}

static int parse_opts(int argc, char **argv, struct opts *o)
{
	int c;

	*o = (struct opts){
		.n = 1000, .family = AF_INET, .proto = IPPROTO_TCP, .timeout = 3600, .octet = 201};
	while ((c = getopt(argc, argv, "n:6p:t:m:o:h")) != -1) {
		switch (c) {
		case 'n':
			o->n = strtoul(optarg, NULL, 10);
			break;
		case '6':
			o->family = AF_INET6;
			break;
		case 'p':
			o->proto = strcmp(optarg, "udp") ? IPPROTO_TCP : IPPROTO_UDP;
			break;
		case 't':
			o->timeout = (unsigned)strtoul(optarg, NULL, 10);
			break;
		case 'm':
			o->mark = (unsigned)strtoul(optarg, NULL, 0);
			break;
		case 'o':
			o->octet = (unsigned)strtoul(optarg, NULL, 10) & 0xff;
			break;
		default:
			fprintf(stderr,
				"usage: ct-bulk-insert [-n N] [-6] [-p tcp|udp] [-t TIMEOUT] "
				"[-m MARK] [-o OCTET]\n");
			return -1;
		}
	}
	if (o->n > 60000ul * 255) {
		fprintf(stderr, "ct-bulk-insert: at most %lu entries\n", 60000ul * 255);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static char buf[1 << 16], rbuf[1 << 16];
	struct mnl_socket *nl;
	struct opts o;
	unsigned long nerr = 0;
	int first = 0, sz = 16 << 20;
	uint32_t seq = (uint32_t)time(NULL);

	if (parse_opts(argc, argv, &o))
		return 2;
	nl = mnl_socket_open(NETLINK_NETFILTER);
	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		perror("ct-bulk-insert: netlink");
		return 3;
	}
	setsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz));
	for (unsigned long i = 0; i < o.n;) {
		struct mnl_nlmsg_batch *b = mnl_nlmsg_batch_start(buf, sizeof(buf) / 2);

		/* a message that does not fit is rewritten at the head of the next batch */
		while (i < o.n) {
			put_entry(mnl_nlmsg_batch_current(b), &o, i, seq++);
			if (!mnl_nlmsg_batch_next(b))
				break;
			i++;
		}
		if (mnl_socket_sendto(nl, mnl_nlmsg_batch_head(b), mnl_nlmsg_batch_size(b)) < 0) {
			perror("ct-bulk-insert: send");
			return 3;
		}
		mnl_nlmsg_batch_stop(b);
		nerr += drain_errors(nl, rbuf, sizeof(rbuf), &first);
	}
	nerr += drain_errors(nl, rbuf, sizeof(rbuf), &first);
	printf("inserted %lu failed %lu\n", o.n - nerr, nerr);
	if (nerr)
		fprintf(stderr, "ct-bulk-insert: first error: %s\n", strerror(first));
	mnl_socket_close(nl);
	return nerr ? 1 : 0;
}
