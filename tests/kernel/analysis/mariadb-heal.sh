#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Real MariaDB primary/replica in two namespaces. After `conntrack -F` on the replica
# (INPUT DROP + ESTABLISHED,RELATED), the replication connection is orphaned: rows stop
# arriving. `ctguard audit --nagios` must exit 2 and name it (mysql, mariadbd); `ctguard
# heal` inserts exactly one entry; rows inserted before and after the heal reach the
# replica within 10 s with no MariaDB restart; `ctguard audit` then exits 0.
set -u
CTGUARD=${CTGUARD:-ctguard}
here=$(dirname "$0")
. "$here/lib-mariadb.sh"

mdb_have || { echo "SKIP: mariadb not installed"; exit 77; }
mdb_init "ctg-heal-$$-m" 10.200.61
trap mdb_cleanup EXIT
fail() { echo "FAIL: $*"; mdb_slave_status; exit 1; }
inr() { ip netns exec "$MDB_NS_R" "$@"; }

mdb_up || fail "MariaDB pair did not come up (see $MDB_DIR)"
pid_before=$(cat "$MDB_DIR/replica.pid")

mdb_sql_p "INSERT INTO ctg.t VALUES (1)"
t=$(mdb_wait_rows 1 10) || fail "row 1 not replicated before the wipe"
echo "row 1 replicated in ${t}s (before the wipe)"
inr conntrack -L 2>/dev/null | grep 3306

out=$(inr "$CTGUARD" audit --nagios); rc=$?
echo "before wipe: $out (exit $rc)"
[ $rc -eq 0 ] || fail "audit before the wipe: expected exit 0, got $rc"

inr conntrack -F
# The primary sends binlog events: dropped from now on.
mdb_sql_p "INSERT INTO ctg.t VALUES (2)"
if mdb_wait_rows 2 4 >/dev/null; then fail "row 2 arrived although the flow is orphaned"; fi
echo "row 2 not replicated 4 s after the wipe (orphaned, as expected)"
mdb_slave_status

out=$(inr "$CTGUARD" audit --nagios); rc=$?
echo "after wipe: $out (exit $rc)"
[ $rc -eq 2 ] || fail "audit --nagios after the wipe: expected exit 2, got $rc"
echo "$out" | grep -q '^CTGUARD CRITICAL - 1 orphaned connection: mysql ' || fail "nagios line"
echo "$out" | grep -q "$MDB_IP_R:[0-9]*->$MDB_IP_P:3306 (mariadbd)" || fail "connection not named"
inr "$CTGUARD" audit --format json | grep -q '"process": "mariadbd"' || fail "json process"

inr "$CTGUARD" heal --dry-run | grep -q "^conntrack -I .* --dport 3306" || fail "dry-run plan"
[ "$(inr conntrack -L 2>/dev/null | grep -c 3306)" = 0 ] || fail "dry-run inserted something"
out=$(inr "$CTGUARD" heal); rc=$?
echo "$out"
[ $rc -eq 0 ] || fail "heal exit $rc"
echo "$out" | grep -q '^1 inserted, 0 refused, 0 failed' || fail "heal did not insert one entry"
inr conntrack -L 2>/dev/null | grep 3306

t=$(mdb_wait_rows 2 10) || fail "row 2 (inserted before the heal) not replicated within 10 s"
echo "row 2 replicated ${t}s after the heal"
mdb_sql_p "INSERT INTO ctg.t VALUES (3)"
t=$(mdb_wait_rows 3 10) || fail "row 3 (inserted after the heal) not replicated within 10 s"
echo "row 3 replicated in ${t}s"
[ "$(cat "$MDB_DIR/replica.pid")" = "$pid_before" ] && kill -0 "$pid_before" ||
	fail "replica mariadbd was restarted"

out=$(inr "$CTGUARD" audit); rc=$?
echo "$out"
[ $rc -eq 0 ] || fail "audit after heal: expected exit 0, got $rc"
echo PASS
