// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests: the heal plan (entry built from a socket, direction, command text). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <errno.h>
#include <string.h>

#include "analysis/heal.h"
#include "apply/heal_nl.h"

static struct ctg_sock mk_sock(const char *l, uint16_t lp, const char *p, uint16_t pp, int st)
{
	struct ctg_sock s;

	memset(&s, 0, sizeof(s));
	s.family = strchr(l, ':') ? 10 : 2;
	s.l4proto = 6;
	s.state = (uint8_t)st;
	ctg_addr_parse(s.family, l, &s.laddr);
	ctg_addr_parse(s.family, p, &s.paddr);
	s.lport = lp;
	s.pport = pp;
	s.pid = -1;
	return s;
}

static void client_entry(void **state)
{
	struct ctg_sock s = mk_sock("10.0.0.2", 40000, "10.0.0.1", 3306, CTG_SK_ESTABLISHED);
	struct ctg_ct_entry e;

	assert_int_equal(ctg_heal_entry_for_sock(&s, false, 0, &e), 0);
	assert_true(ctg_addr_eq(&e.orig.src, &s.laddr));
	assert_true(ctg_addr_eq(&e.orig.dst, &s.paddr));
	assert_int_equal(e.orig.sport, 40000);
	assert_int_equal(e.orig.dport, 3306);
	assert_true(ctg_addr_eq(&e.reply.src, &s.paddr));
	assert_int_equal(e.reply.sport, 3306);
	assert_int_equal(e.reply.dport, 40000);
	assert_int_equal(e.tcp_state, CTG_TCP_ESTABLISHED);
	assert_int_equal(e.status, CTG_IPS_SEEN_REPLY | CTG_IPS_ASSURED | CTG_IPS_CONFIRMED);
	assert_int_equal(e.tcp_flags[0], CTG_TCPF_BE_LIBERAL | CTG_TCPF_SACK_PERM);
	assert_int_equal(e.tcp_flags[1], CTG_TCPF_BE_LIBERAL | CTG_TCPF_SACK_PERM);
	assert_int_equal(e.timeout, 432000); /* nf_conntrack_tcp_timeout_established */
	assert_int_equal(e.l4proto, 6);
	assert_int_equal(e.family, 2);
}

static void server_entry(void **state)
{
	struct ctg_sock s = mk_sock("10.0.0.2", 5432, "10.0.0.9", 51000, CTG_SK_ESTABLISHED);
	struct ctg_ct_entry e;

	assert_int_equal(ctg_heal_entry_for_sock(&s, true, 7200, &e), 0);
	assert_true(ctg_addr_eq(&e.orig.src, &s.paddr));
	assert_int_equal(e.orig.sport, 51000);
	assert_int_equal(e.orig.dport, 5432);
	assert_true(ctg_addr_eq(&e.reply.src, &s.laddr));
	assert_int_equal(e.timeout, 7200);
}

static void refuses_non_established(void **state)
{
	struct ctg_sock s = mk_sock("10.0.0.2", 40000, "10.0.0.1", 3306, CTG_SK_TIME_WAIT);
	struct ctg_ct_entry e;

	assert_int_equal(ctg_heal_entry_for_sock(&s, false, 0, &e), -EINVAL);
	s = mk_sock("10.0.0.2", 22, "0.0.0.0", 0, CTG_SK_LISTEN);
	assert_int_equal(ctg_heal_entry_for_sock(&s, false, 0, &e), -EINVAL);
	/* an unconnected UDP socket is no connection */
	s = mk_sock("10.0.0.2", 40000, "0.0.0.0", 0, CTG_SK_CLOSE);
	s.l4proto = 17;
	assert_int_equal(ctg_heal_entry_for_sock(&s, false, 0, &e), -EINVAL);
}

static void udp_connected_socket(void **state)
{
	struct ctg_sock s = mk_sock("10.0.0.2", 40000, "10.0.0.1", 53, CTG_SK_ESTABLISHED);
	struct ctg_strbuf sb;
	struct ctg_ct_entry e;

	s.l4proto = 17;
	assert_int_equal(ctg_heal_entry_for_sock(&s, false, 0, &e), 0);
	assert_int_equal(e.l4proto, 17);
	assert_int_equal(e.tcp_state, 0);
	assert_int_equal(e.tcp_flags[0], 0);
	assert_int_equal(e.status, CTG_IPS_SEEN_REPLY | CTG_IPS_ASSURED | CTG_IPS_CONFIRMED);
	assert_int_equal(e.timeout, 120); /* nf_conntrack_udp_timeout_stream */
	assert_true(ctg_addr_eq(&e.orig.src, &s.laddr));
	assert_int_equal(e.orig.dport, 53);
	ctg_sb_init(&sb);
	ctg_heal_format_cmd(&e, &sb);
	assert_string_equal(ctg_sb_str(&sb),
			    "conntrack -I -f ipv4 -p udp -s 10.0.0.2 -d 10.0.0.1 "
			    "--sport 40000 --dport 53 -u SEEN_REPLY,ASSURED -t 120");
	ctg_sb_release(&sb);
}

static void command_text(void **state)
{
	struct ctg_sock s = mk_sock("fd00:200::2", 40000, "fd00:200::1", 3306, CTG_SK_ESTABLISHED);
	struct ctg_ct_entry e;
	struct ctg_strbuf sb;

	assert_int_equal(ctg_heal_entry_for_sock(&s, false, 432000, &e), 0);
	ctg_sb_init(&sb);
	ctg_heal_format_cmd(&e, &sb);
	assert_string_equal(
		ctg_sb_str(&sb),
		"conntrack -I -f ipv6 -p tcp -s fd00:200::2 -d fd00:200::1 --sport 40000 "
		"--dport 3306 --state ESTABLISHED -u SEEN_REPLY,ASSURED -t 432000");
	ctg_sb_release(&sb);
}

static void nl_insert_refuses_unconfirmed(void **state)
{
	struct ctg_sock s = mk_sock("10.0.0.2", 40000, "10.0.0.1", 3306, CTG_SK_ESTABLISHED);
	struct ctg_ct_entry e;

	assert_int_equal(ctg_heal_entry_for_sock(&s, false, 0, &e), 0);
	e.status &= ~CTG_IPS_CONFIRMED; /* the kernel would answer EBUSY */
	assert_int_equal(ctg_heal_nl_insert(&e), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(client_entry),
		cmocka_unit_test(server_entry),
		cmocka_unit_test(refuses_non_established),
		cmocka_unit_test(udp_connected_socket),
		cmocka_unit_test(command_text),
		cmocka_unit_test(nl_insert_refuses_unconfirmed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
