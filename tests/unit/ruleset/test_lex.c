// SPDX-License-Identifier: GPL-2.0-or-later
/* The iptables-restore lexer: blanks, quotes, backslash escapes, columns. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "ruleset/lex.h"

static struct ctg_lexline lx;

static int lex(const char *s)
{
	unsigned col = 0;
	int r = ctg_lex_line(&lx, s, strlen(s), &col);

	return r ? -(int)col : (int)lx.n;
}

static void test_blanks(void **state)
{
	assert_int_equal(lex("  -A\tINPUT   -j  ACCEPT  "), 4);
	assert_string_equal(lx.w[0].s, "-A");
	assert_int_equal(lx.w[0].col, 3);
	assert_int_equal(lx.w[0].end_col, 4);
	assert_string_equal(lx.w[1].s, "INPUT");
	assert_int_equal(lx.w[1].col, 6);
	assert_string_equal(lx.w[3].s, "ACCEPT");
	assert_int_equal(lx.w[3].end_col, 23);
	assert_int_equal(lex(""), 0);
	assert_int_equal(lex(" \t "), 0);
}

static void test_quotes(void **state)
{
	assert_int_equal(lex("--comment \"two words\" x"), 3);
	assert_string_equal(lx.w[1].s, "two words");
	assert_true(lx.w[1].quoted);
	assert_false(lx.w[0].quoted);
	assert_int_equal(lx.w[1].col, 11);
	assert_int_equal(lx.w[1].end_col, 21);
	/* escapes only inside quotes */
	assert_int_equal(lex("\"a\\\"b\\\\c\" d\\e"), 2);
	assert_string_equal(lx.w[0].s, "a\"b\\c");
	assert_string_equal(lx.w[1].s, "d\\e");
	/* a closing quote ends the word, an empty pair is an empty word */
	assert_int_equal(lex("\"\" x"), 2);
	assert_string_equal(lx.w[0].s, "");
	assert_int_equal(lex("ab\"cd\"ef"), 2);
	assert_string_equal(lx.w[0].s, "abcd");
	assert_string_equal(lx.w[1].s, "ef");
	/* single quotes are ordinary characters */
	assert_int_equal(lex("'a b'"), 2);
	assert_string_equal(lx.w[0].s, "'a");
}

static void test_bang(void **state)
{
	assert_int_equal(lex("! \"!\" -x \"-y\""), 4);
	assert_true(ctg_word_is_bang(&lx.w[0]));
	assert_false(ctg_word_is_bang(&lx.w[1]));
	assert_true(ctg_word_is_opt(&lx.w[2]));
	assert_false(ctg_word_is_opt(&lx.w[3]));
}

static void test_unterminated(void **state)
{
	assert_int_equal(lex("-A X --comment \"abc"), -16);
	assert_int_equal(lex("\"a\\\""), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_blanks),
		cmocka_unit_test(test_quotes),
		cmocka_unit_test(test_bang),
		cmocka_unit_test(test_unterminated),
	};
	int r = cmocka_run_group_tests(tests, NULL, NULL);

	ctg_lex_release(&lx);
	return r;
}
