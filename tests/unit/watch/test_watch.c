// SPDX-License-Identifier: GPL-2.0-or-later
/* lib/watch: NEWGEN decoding, legacy rule blob fingerprints, poll differences. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <linux/netlink.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter_ipv4/ip_tables.h>

#include "watch/watch.h"

/* An nfgenmsg followed by attributes, as nf_tables_fill_gen_info builds NFT_MSG_NEWGEN. */
static size_t put_attr(uint8_t *p, uint16_t type, const void *v, uint16_t len)
{
	struct nlattr a = {.nla_len = (uint16_t)(sizeof(a) + len), .nla_type = type};

	memcpy(p, &a, sizeof(a));
	memcpy(p + sizeof(a), v, len);
	return NLA_ALIGN(a.nla_len);
}

static size_t newgen(uint8_t *buf, uint32_t gen, uint32_t pid, const char *comm)
{
	struct nfgenmsg g = {.nfgen_family = 0, .version = NFNETLINK_V0};
	uint32_t be;
	size_t n = 0;

	memcpy(buf, &g, sizeof(g));
	n = NLMSG_ALIGN(sizeof(g));
	be = htonl(gen);
	n += put_attr(buf + n, NFTA_GEN_ID, &be, 4);
	be = htonl(pid);
	n += put_attr(buf + n, NFTA_GEN_PROC_PID, &be, 4);
	n += put_attr(buf + n, NFTA_GEN_PROC_NAME, comm, (uint16_t)(strlen(comm) + 1));
	return n;
}

static void test_newgen(void **state)
{
	uint8_t buf[256];
	struct ctg_watch_batch b;
	size_t n = newgen(buf, 42, 1234, "iptables-restor");

	memset(&b, 0, sizeof(b));
	ctg_watch_parse_newgen(buf, n, &b);
	assert_int_equal(b.nft_gens, 1);
	assert_int_equal(b.nft_gen, 42);
	assert_int_equal(b.nft_pid, 1234);
	assert_string_equal(b.nft_comm, "iptables-restor");
	/* truncated anywhere: never reads past the end, still counts the generation */
	for (size_t cut = 0; cut < n; cut++) {
		memset(&b, 0, sizeof(b));
		ctg_watch_parse_newgen(buf, cut, &b);
		assert_int_equal(b.nft_gens, 1);
	}
	/* an old kernel: only the generation id */
	memset(&b, 0, sizeof(b));
	ctg_watch_parse_newgen(buf, NLMSG_ALIGN(sizeof(struct nfgenmsg)) + 8, &b);
	assert_int_equal(b.nft_gen, 42);
	assert_int_equal(b.nft_pid, 0);
	assert_string_equal(b.nft_comm, "");
}

/* Two ipt_entry records (no matches, a standard target each) with given verdicts. */
static size_t blob(uint8_t *buf, int v1, int v2, uint64_t pkts)
{
	size_t one = sizeof(struct ipt_entry) + XT_ALIGN(sizeof(struct xt_standard_target));

	memset(buf, 0, 2 * one);
	for (int i = 0; i < 2; i++) {
		struct ipt_entry *e = (void *)(buf + i * one);
		struct xt_standard_target *t = (void *)e->elems;

		e->target_offset = sizeof(*e);
		e->next_offset = (uint16_t)one;
		e->counters.pcnt = pkts;
		e->counters.bcnt = pkts * 60;
		t->target.u.user.target_size = XT_ALIGN(sizeof(*t));
		t->verdict = i ? v2 : v1;
	}
	return 2 * one;
}

static uint64_t hash(const uint8_t *b, size_t n)
{
	return ctg_watch_hash_ipt_blob(b, n, offsetof(struct ipt_entry, counters),
				       offsetof(struct ipt_entry, next_offset));
}

static void test_blob_hash(void **state)
{
	uint8_t a[1024], b[1024];
	size_t n = blob(a, -NF_ACCEPT - 1, -NF_DROP - 1, 0);

	/* counters move all the time: not a change */
	blob(b, -NF_ACCEPT - 1, -NF_DROP - 1, 123456);
	assert_true(hash(a, n) == hash(b, n));
	assert_true(hash(a, n) != 0);
	/* the same size, another verdict: a change */
	blob(b, -NF_DROP - 1, -NF_DROP - 1, 0);
	assert_true(hash(a, n) != hash(b, n));
	/* a malformed next_offset does not loop or overrun */
	((struct ipt_entry *)a)->next_offset = 0;
	assert_true(hash(a, n) != 0);
	((struct ipt_entry *)a)->next_offset = 60000;
	assert_true(hash(a, n) != 0);
}

static void test_polled_diff(void **state)
{
	struct ctg_watch_polled a, b;
	char legacy[96];
	const char *module;

	memset(&a, 0, sizeof(a));
	a.legacy[0][0] = 7;
	a.module_id = 11;
	a.ct_present = true;
	b = a;
	assert_int_equal(ctg_watch_polled_diff(&a, &b, legacy, sizeof(legacy), &module), 0);
	assert_null(module);
	b.legacy[0][0] = 8; /* ip filter changed */
	b.legacy[1][1] = 3; /* ip6 nat appeared */
	assert_int_equal(ctg_watch_polled_diff(&a, &b, legacy, sizeof(legacy), &module),
			 CTG_WATCH_LEGACY);
	assert_string_equal(legacy, "ip/filter ip6/nat");
	b = a;
	b.module_id = 12; /* unloaded and loaded again between two polls */
	assert_int_equal(ctg_watch_polled_diff(&a, &b, legacy, sizeof(legacy), &module),
			 CTG_WATCH_MODULE);
	assert_string_equal(module, "reloaded");
	b.ct_present = false;
	ctg_watch_polled_diff(&a, &b, legacy, sizeof(legacy), &module);
	assert_string_equal(module, "unloaded");
	ctg_watch_polled_diff(&b, &a, legacy, sizeof(legacy), &module);
	assert_string_equal(module, "loaded");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_newgen),
		cmocka_unit_test(test_blob_hash),
		cmocka_unit_test(test_polled_diff),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
