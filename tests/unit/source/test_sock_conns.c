// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
/* ss text reader, sysctl values, services and the sockets x conntrack join. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <ctguard/conns.h>
#include <ctguard/source.h>

#include "source/inputs.h"

static const char ss_text[] =
	"tcp   LISTEN 0      80     0.0.0.0:3306      0.0.0.0:*     "
	"users:((\"mariadbd\",pid=812,fd=20))\n"
	"tcp   ESTAB  0      0      10.0.0.1:3306     10.0.0.2:41000 "
	"users:((\"mariadbd\",pid=812,fd=31)) uid:106 ino:5555\n"
	"tcp   ESTAB  0      0      10.0.0.1:45000    10.0.0.3:5432  "
	"users:((\"app\",pid=900,fd=3))\n"
	"tcp   ESTAB  0      0      [::ffff:10.0.0.1]:22 [::ffff:10.0.0.4]:50000\n"
	"udp   UNCONN 0      0      *:53              *:*\n"
	"tcp   ESTAB  0      0      10.0.0.1:8080     192.0.2.7:55555\n"
	"u_str ESTAB  0      0      * 1234            * 5678\n";

static void load(struct ctg_sock_table *s, struct ctg_ct_table *c)
{
	static const char ct_text[] =
		/* inbound to the local mysql */
		"tcp 6 431999 ESTABLISHED src=10.0.0.2 dst=10.0.0.1 sport=41000 dport=3306 "
		"src=10.0.0.1 dst=10.0.0.2 sport=3306 dport=41000 [ASSURED] mark=0 use=1\n"
		/* DNAT 10.0.0.100:80 -> local 8080 */
		"tcp 6 100 ESTABLISHED src=192.0.2.7 dst=10.0.0.100 sport=55555 dport=80 "
		"src=10.0.0.1 dst=192.0.2.7 sport=8080 dport=55555 mark=0 use=1\n"
		/* forwarded */
		"udp 17 20 src=10.5.0.1 dst=10.6.0.1 sport=1000 dport=53 src=10.6.0.1 dst=10.5.0.1 "
		"sport=53 dport=1000 mark=0 use=1\n"
		/* ours, socket gone: outbound to redis */
		"tcp 6 50 TIME_WAIT src=10.0.0.1 dst=10.0.0.8 sport=40000 dport=6379 src=10.0.0.8 "
		"dst=10.0.0.1 sport=6379 dport=40000 [ASSURED] mark=0 use=1\n";
	struct ctg_diags *d = ctg_diags_new();

	ctg_sock_table_init(s);
	ctg_ct_table_init(c);
	assert_int_equal(ctg_sock_read_ss_text(s, ss_text, strlen(ss_text), "ss.txt", d), 0);
	assert_int_equal(ctg_ct_read_text(c, ct_text, strlen(ct_text), "ct.txt", d), 0);
	assert_int_equal(ctg_diags_count(d), 0);
	ctg_diags_free(d);
}

static void test_ss(void **state)
{
	struct ctg_sock_table s;
	struct ctg_ct_table c;

	load(&s, &c);
	assert_int_equal(s.n, 6);
	assert_int_equal(s.v[0].state, CTG_SK_LISTEN);
	assert_string_equal(s.v[0].comm, "mariadbd");
	assert_int_equal(s.v[0].pid, 812);
	assert_int_equal(s.v[1].uid, 106);
	assert_int_equal(s.v[1].inode, 5555);
	assert_int_equal(s.v[3].family, 2); /* v4-mapped */
	assert_int_equal(s.v[3].lport, 22);
	assert_int_equal(s.v[4].l4proto, 17);
	assert_int_equal(s.v[4].state, CTG_SK_CLOSE);
	assert_int_equal(s.v[2].pid, 900);
	assert_int_equal(s.v[5].pid, -1);
	ctg_sock_table_release(&s);
	ctg_ct_table_release(&c);
}

static void test_ss_bad(void **state)
{
	static const char bad[] = "tcp ESTAB 0 0 10.0.0.1 10.0.0.2:1\ntcp WAT 0 0 a:1 b:2\n"
				  "ESTAB 0 0 10.0.0.1:5 10.0.0.2:7\n";
	struct ctg_sock_table s;
	struct ctg_diags *d = ctg_diags_new();

	ctg_sock_table_init(&s);
	assert_int_equal(ctg_sock_read_ss_text(&s, bad, strlen(bad), "ss.txt", d), 0);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.v[0].l4proto, 6);
	assert_int_equal(ctg_diags_errors(d), 2);
	assert_int_equal(ctg_diags_get(d, 1)->loc.line, 2);
	ctg_sock_table_release(&s);
	ctg_diags_free(d);
}

static const struct ctg_conn *find(const struct ctg_conn_table *t, uint16_t lport)
{
	for (size_t i = 0; i < t->n; i++)
		if (t->v[i].lport == lport)
			return &t->v[i];
	fail_msg("no row with local port %u", lport);
	return NULL;
}

/* Role from the listeners (ports all inside the ephemeral range, so only LISTEN decides). */
static void test_join_listener_roles(void **state)
{
	static const char text[] = "tcp ESTAB  0 0 10.0.0.2:40001 10.0.0.9:40002\n"
				   "tcp LISTEN 0 0 0.0.0.0:40011 0.0.0.0:*\n"
				   "tcp ESTAB  0 0 10.0.0.2:40011 10.0.0.9:40012\n"
				   /* a listener bound to another address does not count */
				   "tcp LISTEN 0 0 10.0.0.3:40021 0.0.0.0:*\n"
				   "tcp ESTAB  0 0 10.0.0.2:40021 10.0.0.9:40022\n"
				   "tcp ESTAB  0 0 [fd00::2]:40021 [fd00::9]:40023\n"
				   /* an IPv6 wildcard listener also accepts IPv4 */
				   "tcp LISTEN 0 0 [::]:40031 [::]:*\n"
				   "tcp ESTAB  0 0 [fd00::2]:40031 [fd00::9]:40032\n"
				   "tcp ESTAB  0 0 10.0.0.2:40031 10.0.0.9:40033\n";
	struct ctg_sock_table s;
	struct ctg_ct_table c;
	struct ctg_conn_table t;
	struct {
		uint16_t pport;
		int role;
	} want[] = {
		{40002, CTG_ROLE_CLIENT}, {40012, CTG_ROLE_SERVER}, {40022, CTG_ROLE_CLIENT},
		{40023, CTG_ROLE_CLIENT}, {40032, CTG_ROLE_SERVER}, {40033, CTG_ROLE_SERVER},
	};

	ctg_sock_table_init(&s);
	ctg_ct_table_init(&c);
	ctg_conn_table_init(&t);
	assert_int_equal(ctg_sock_read_ss_text(&s, text, sizeof(text) - 1, "roles", NULL), 0);
	assert_int_equal(ctg_conns_join(&s, &c, NULL, 32768, 60999, &t), 0);
	for (size_t k = 0; k < sizeof(want) / sizeof(want[0]); k++) {
		const struct ctg_conn *r = NULL;

		for (size_t i = 0; i < t.n; i++)
			if (t.v[i].pport == want[k].pport)
				r = &t.v[i];
		assert_non_null(r);
		if (r->role != want[k].role)
			fail_msg("peer port %u: role %d, want %d", want[k].pport, r->role,
				 want[k].role);
	}
	ctg_conn_table_release(&t);
	ctg_ct_table_release(&c);
	ctg_sock_table_release(&s);
}

static void test_join(void **state)
{
	struct ctg_sock_table s;
	struct ctg_ct_table c;
	struct ctg_conn_table t;
	const struct ctg_conn *r;

	load(&s, &c);
	ctg_conn_table_init(&t);
	assert_int_equal(ctg_conns_join(&s, &c, NULL, 32768, 60999, &t), 0);
	/* 4 connected sockets + forwarded entry + orphan TIME_WAIT entry */
	assert_int_equal(t.n, 6);
	r = find(&t, 3306);
	assert_int_equal(r->role, CTG_ROLE_SERVER);
	assert_non_null(r->ct);
	assert_true(r->ct_dir_reply);
	assert_string_equal(ctg_conn_ct_state(r), "ESTABLISHED");
	r = find(&t, 45000);
	assert_int_equal(r->role, CTG_ROLE_CLIENT);
	assert_null(r->ct);
	assert_string_equal(ctg_conn_ct_state(r), "no entry");
	assert_string_equal(ctg_service_name(6, r->pport), "postgresql");
	r = find(&t, 8080); /* DNAT: found through the reply tuple */
	assert_non_null(r->ct);
	assert_int_equal(r->ct->orig.dport, 80);
	assert_int_equal(r->role, CTG_ROLE_SERVER);
	r = find(&t, 22);
	assert_int_equal(r->role, CTG_ROLE_SERVER); /* 22 outside range, 50000 inside */
	r = find(&t, 1000);
	assert_int_equal(r->role, CTG_ROLE_FORWARD);
	assert_null(r->sock);
	r = find(&t, 40000);
	assert_int_equal(r->role, CTG_ROLE_CLIENT);
	assert_null(r->sock);
	assert_false(r->ct_dir_reply);
	ctg_conn_table_release(&t);
	ctg_sock_table_release(&s);
	ctg_ct_table_release(&c);
}

static void test_sysvals(void **state)
{
	struct ctg_inputs in;

	ctg_inputs_init(&in);
	in.proc_root = "/nonexistent"; /* only the overrides */
	assert_int_equal(in.sysctls.port_lo, 32768);
	assert_int_equal(ctg_inputs_set_sysctl(&in, "nf_conntrack_tcp_loose=0"), 0);
	assert_int_equal(ctg_inputs_set_sysctl(&in, "noequals"), -EINVAL);
	assert_int_equal(ctg_inputs_set_sysctl(&in, "nf_conntrack_tcp_loose=x"), -EINVAL);
	assert_int_equal(ctg_inputs_set_sysctl(&in, "net/ipv4/ip_local_port_range=1024 65000"), 0);
	assert_int_equal(ctg_inputs_set_sysctl(&in, "nf_conntrack_max=1000"), 0); /* display only */
	assert_int_equal(ctg_inputs_load(&in, CTG_IN_SYSCTLS), 0);
	assert_false(in.sysctls.tcp_loose);
	assert_int_equal(in.sysctls.port_lo, 1024);
	assert_int_equal(in.sysctls.port_hi, 65000);
	assert_true(in.sysvals.v[0].overridden);
	assert_string_equal(ctg_sysvals_get(&in.sysvals, "nf_conntrack_max"), "1000");
	ctg_inputs_release(&in);
}

static void test_services(void **state)
{
	assert_string_equal(ctg_service_name(6, 3306), "mysql");
	assert_string_equal(ctg_service_name(17, 53), "dns");
	assert_string_equal(ctg_service_name(6, 6443), "kube-apiserver");
	assert_null(ctg_service_name(17, 3306));
	assert_null(ctg_service_name(6, 1));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ss),	cmocka_unit_test(test_ss_bad),
		cmocka_unit_test(test_join),	cmocka_unit_test(test_join_listener_roles),
		cmocka_unit_test(test_sysvals), cmocka_unit_test(test_services),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
