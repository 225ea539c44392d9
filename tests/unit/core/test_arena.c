// SPDX-License-Identifier: GPL-2.0-or-later
/* The arena: alignment, growth across chunks, zeroing, strings, interning. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/arena.h"

static void test_alloc_aligned_and_distinct(void **state)
{
	struct ctg_arena *a = ctg_arena_new(4096);
	unsigned char *prev = NULL;

	assert_non_null(a);
	for (size_t i = 1; i < 5000; i++) {
		unsigned char *p = ctg_arena_alloc(a, i % 97 + 1);

		assert_non_null(p);
		assert_int_equal((uintptr_t)p % 16, 0);
		memset(p, (int)i, i % 97 + 1); /* writable, no overlap with the previous */
		if (prev)
			assert_int_equal(prev[0], (unsigned char)(i - 1));
		prev = p;
	}
	assert_true(ctg_arena_bytes(a) >= 5000);
	/* bigger than a chunk */
	assert_non_null(ctg_arena_alloc(a, 1 << 20));
	ctg_arena_free(a);
}

static void test_zalloc_and_strings(void **state)
{
	struct ctg_arena *a = ctg_arena_new(0);
	unsigned char *z;
	char *s;

	for (int round = 0; round < 3; round++) {
		memset(ctg_arena_alloc(a, 4096), 0xff, 4096); /* dirty memory before */
		z = ctg_arena_zalloc(a, 1000);
		for (int i = 0; i < 1000; i++)
			assert_int_equal(z[i], 0);
	}
	s = ctg_arena_strdup(a, "conntrack");
	assert_string_equal(s, "conntrack");
	s = ctg_arena_strndup(a, "iptables-save", 8);
	assert_string_equal(s, "iptables");
	ctg_arena_free(a);
}

static void test_intern(void **state)
{
	struct ctg_arena *a = ctg_arena_new(0);
	const char *x = ctg_arena_intern(a, "INPUT", 5), *names[2000];
	char buf[32];

	assert_ptr_equal(x, ctg_arena_intern(a, "INPUTx", 5));
	assert_ptr_not_equal(x, ctg_arena_intern(a, "OUTPUT", 6));
	/* many: the table grows and keeps every string */
	for (int i = 0; i < 2000; i++) {
		snprintf(buf, sizeof(buf), "chain-%d", i);
		names[i] = ctg_arena_intern(a, buf, strlen(buf));
	}
	for (int i = 0; i < 2000; i++) {
		snprintf(buf, sizeof(buf), "chain-%d", i);
		assert_ptr_equal(names[i], ctg_arena_intern(a, buf, strlen(buf)));
		assert_string_equal(names[i], buf);
	}
	ctg_arena_free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_alloc_aligned_and_distinct),
		cmocka_unit_test(test_zalloc_and_strings),
		cmocka_unit_test(test_intern),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
