// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The ctnetlink decoder on a captured dump (tests/fuzz/source/corpus/nl/dump.bin, made with
 * `ctg-ct-dump capture` from ct-bulk-insert and conntrack -I entries), and on damaged copies.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <ctguard/source.h>

static const char *dump_path;
static char dump[1 << 16];
static size_t dump_len;

static int load(void **state)
{
	FILE *f = fopen(dump_path, "rb");

	if (!f)
		return -1;
	dump_len = fread(dump, 1, sizeof(dump), f);
	fclose(f);
	return dump_len ? 0 : -1;
}

static void test_decode(void **state)
{
	struct ctg_ct_table t;
	size_t tcp = 0, v6 = 0, icmp = 0;

	ctg_ct_table_init(&t);
	assert_int_equal(ctg_ct_read_nl_buf(&t, dump, dump_len), 0);
	assert_int_equal(t.n, 7);
	for (size_t i = 0; i < t.n; i++) {
		const struct ctg_ct_entry *e = &t.v[i];

		assert_true(e->status & CTG_IPS_CONFIRMED);
		assert_true(e->timeout > 0 && e->timeout <= 3600);
		assert_true(e->id != 0);
		if (e->l4proto == 6 && e->orig.dport == 3306) {
			tcp++;
			assert_int_equal(e->tcp_state, CTG_TCP_ESTABLISHED);
			assert_int_equal(e->mark, 7);
			/* ct-bulk-insert sets SACK_PERM|BE_LIBERAL both ways */
			assert_int_equal(e->tcp_flags[0] & 0x0a, 0x0a);
			assert_int_equal(e->tcp_flags[1] & 0x0a, 0x0a);
			assert_true(e->status & CTG_IPS_ASSURED);
		}
		if (e->family == 10) {
			v6++;
			assert_int_equal(e->l4proto, 17);
			assert_int_equal(e->orig.src.b[0], 0xfd);
		}
		if (e->l4proto == 1) {
			icmp++;
			assert_int_equal(e->orig.sport, 77);
			assert_int_equal(e->orig.dport, 8 << 8);
			assert_int_equal(e->zone, 4);
		}
	}
	assert_int_equal(tcp, 3);
	assert_int_equal(v6, 2);
	assert_int_equal(icmp, 1);
	ctg_ct_table_release(&t);
}

static void test_damaged(void **state)
{
	static char copy[sizeof(dump)];
	struct ctg_ct_table t;

	/* every truncation decodes a prefix of the entries, never more */
	ctg_ct_table_init(&t);
	for (size_t len = 0; len < dump_len; len += 7) {
		t.n = 0;
		assert_int_equal(ctg_ct_read_nl_buf(&t, dump, len), 0);
		assert_true(t.n <= 7);
	}
	/* bit flips: no crash (ASan builds check memory safety) */
	for (size_t i = 0; i < dump_len; i += 3) {
		memcpy(copy, dump, dump_len);
		copy[i] ^= 0x5a;
		t.n = 0;
		assert_int_equal(ctg_ct_read_nl_buf(&t, copy, dump_len), 0);
	}
	ctg_ct_table_release(&t);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decode),
		cmocka_unit_test(test_damaged),
	};

	if (argc < 2) {
		fprintf(stderr, "usage: test_nl_buf DUMP.bin\n");
		return 1;
	}
	dump_path = argv[1];
	return cmocka_run_group_tests(tests, load, NULL);
}
