#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# `ctguard check` end to end with a real MariaDB primary/replica pair:
#  1. the replica's classic INPUT (DROP + ESTABLISHED): check --method restart flags the
#     replication connection at-risk, service mysql;
#  2. performing that restart (rules reloaded + conntrack -F in the replica ns) then
#     inserting rows on the primary: the rows do not arrive (prediction confirmed);
#  3. with the --fix rules in the new ruleset check says safe, and after the same restart
#     the rows arrive.
set -u
CTGUARD=${CTGUARD:-ctguard}
. "${CTG_SRCDIR:-$(dirname "$0")/../../..}/tests/kernel/analysis/lib-mariadb.sh"

mdb_init "ctg-check-$$" 10.200.81
trap mdb_cleanup EXIT
mdb_have || { echo "SKIP: mariadb not installed"; exit 77; }
mdb_up || { echo "FAIL: mariadb pair did not come up"; tail -5 "$MDB_DIR"/*.err; exit 1; }
mdb_replica_firewall
R() { ip netns exec "$MDB_NS_R" "$@"; }
fail() { echo "FAIL: $*"; exit 1; }

new=$MDB_DIR/new.rules
R iptables-save >"$new"
mdb_sql_p "INSERT INTO ctg.t VALUES (1)"
mdb_wait_rows 1 20 >/dev/null || fail "replication not flowing"

# 1. prediction
out=$(R "$CTGUARD" check --rules "$new" --method restart --format json)
rc=$?
echo "$out" >"$MDB_DIR/check1.json"
verdict=$(python3 - "$MDB_DIR/check1.json" "$MDB_IP_P" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
for c in d["connections"]:
    if c["peer"] == sys.argv[2] and c["peer_port"] == 3306:
        r = c["results"]["restart"]
        print(r["outcome"], c["service"], c["role"], c["process"], r["idle_replica"])
        break
else:
    print("absent")
EOF
)
echo "check --method restart: replication connection: $verdict (exit $rc)"
[ "$rc" = 1 ] || fail "check exit $rc, expected 1"
case $verdict in "at-risk mysql client"*) ;; *) fail "expected at-risk mysql client" ;; esac

# 2. reality: the restart, then rows on the primary
restart() {
	R iptables-restore <"$1" && R conntrack -F >/dev/null 2>&1
}
restart "$new" || fail "restart"
mdb_sql_p "INSERT INTO ctg.t VALUES (2), (3)"
if t=$(mdb_wait_rows 3 8); then
	fail "rows arrived after ${t}s although check predicted at-risk"
fi
echo "after restart: replica has $(mdb_rows_r) of 3 rows after 8 s (prediction confirmed)"

# recover: the replica reconnects (it speaks first)
mdb_sql_r "STOP SLAVE; START SLAVE" || fail "restart slave"
mdb_wait_rows 3 30 >/dev/null || fail "replica did not catch up after reconnect"

# 3. the fix
out=$(R "$CTGUARD" check --rules "$new" --method restart --fix --format json)
echo "$out" >"$MDB_DIR/check2.json"
python3 - "$MDB_DIR/check2.json" >"$MDB_DIR/fix.rules" <<'EOF'
import json, sys
print(json.load(open(sys.argv[1]))["fix"]["restore"], end="")
EOF
echo "fix rules:"
cat "$MDB_DIR/fix.rules"
grep -q -- "--sport 3306" "$MDB_DIR/fix.rules" || fail "fix has no rule for the primary"
fixed=$MDB_DIR/fixed.rules
R iptables-restore <"$new" && R iptables-restore --noflush <"$MDB_DIR/fix.rules" ||
	fail "fix does not load"
R iptables-save >"$fixed"
R "$CTGUARD" check --rules "$fixed" --method restart >"$MDB_DIR/check3.txt"
rc=$?
grep -q "mysql" "$MDB_DIR/check3.txt" && fail "replication still listed with the fix"
[ "$rc" = 0 ] || { cat "$MDB_DIR/check3.txt"; fail "check with the fix: exit $rc"; }
echo "check with the fix: safe (exit 0)"

restart "$fixed" || fail "restart with the fix"
mdb_sql_p "INSERT INTO ctg.t VALUES (4), (5)"
t=$(mdb_wait_rows 5 20) || fail "rows missing after the restart with the fix"
echo "after restart with the fix: rows arrived in ${t}s"
echo PASS
