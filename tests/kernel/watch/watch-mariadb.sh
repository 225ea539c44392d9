#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Issue 15, Must show 1, 2 (restart) and 4 (repeated restarts): real MariaDB primary and
# replica in namespaces, the replica's firewall as in the original incident (iptables,
# INPUT DROP + ESTABLISHED,RELATED), 50,000 unrelated conntrack entries in the replica's
# namespace, `ctguard watch --heal` running there.
#  1. `conntrack -F`: a row inserted on the primary arrives on the replica within 3 s with
#     no command typed; the log names the wipe and the healed connection (mariadbd).
#  2. a firewall restart (rules flushed, replaced with iptables-restore, conntrack
#     wiped), three times in a row: each time the row arrives within 3 s, the log names
#     the reload (nftables generation, PID and process) and the heal; watch survives.
#  The Prometheus textfile counts the wipes and heals; SIGTERM ends watch with exit 0
#  within 2 s. The native-nftables firewall variant needs native nft audit (issue 12).
set -u
CTGUARD=${CTGUARD:-ctguard}
BULK=${CTG_BUILDDIR:?}/tools/ct-bulk-insert
here=$(dirname "$0")
. "$here/../analysis/lib-mariadb.sh"
. "$here/lib-watch.sh"

mdb_have || { echo "SKIP: mariadb not installed"; exit 77; }
mdb_init "ctg-watch-$$-m" 10.200.71
cleanup() { watch_stop; mdb_cleanup; }
trap cleanup EXIT
fail() { echo "FAIL: $*"; echo "--- watch log"; cat "$WATCH_LOG" 2>/dev/null; mdb_slave_status; exit 1; }
inr() { ip netns exec "$MDB_NS_R" "$@"; }

mdb_up || fail "MariaDB pair did not come up (see $MDB_DIR)"
mdb_sql_p "INSERT INTO ctg.t VALUES (1)"
mdb_wait_rows 1 10 >/dev/null || fail "row 1 not replicated before the wipe"
# unrelated entries of a local address (INPUT path: their ESTABLISHED packets pass)
inr ip addr add 10.201.255.1/32 dev lo
inr "$BULK" -n 50000 | grep -q "inserted 50000" || fail "bulk insert"
echo "replica namespace: $(inr conntrack -C) conntrack entries"

PROM=$MDB_DIR/watch.prom
watch_start "$MDB_NS_R" "$MDB_DIR/watch.log" --heal --prometheus "$PROM" ||
	fail "watch did not start"
cat "$WATCH_LOG"

# 1. conntrack -F. The replication entry and the 50,000 were made before watch listened:
# the kernel sends no destroy events for them (nf_conntrack_events=2); watch's poll finds
# the replication connection's entry gone.
inr conntrack -F 2>/dev/null
mdb_sql_p "INSERT INTO ctg.t VALUES (2)"
t=$(mdb_wait_rows 2 3) || fail "row 2 not on the replica within 3 s of conntrack -F"
echo "conntrack -F (entries older than watch): row 2 replicated ${t}s after the insert"
watch_wait_log "conntrack wipe: .*healed 1: tcp $MDB_IP_R:[0-9]+->$MDB_IP_P:3306 \(mariadbd\)" 2 ||
	fail "log does not name the wipe and the healed connection"

# 1b. again, now that every entry was made while watch listens: a storm of destroy events
inr "$BULK" -n 50000 | grep -q "inserted 50000" || fail "bulk insert"
inr conntrack -F 2>/dev/null
mdb_sql_p "INSERT INTO ctg.t VALUES (3)"
t=$(mdb_wait_rows 3 3) || fail "row 3 not on the replica within 3 s of conntrack -F"
echo "conntrack -F (50,000 entries, destroy events): row 3 replicated ${t}s after the insert"
watch_wait_log "conntrack wipe: [0-9]+ entries destroyed.*healed 1: tcp $MDB_IP_R:[0-9]+->$MDB_IP_P:3306 \(mariadbd\)" 2 ||
	fail "log does not name the 50,000-entry wipe and the healed connection"
grep "conntrack wipe" "$WATCH_LOG" | cut -c1-300

# 2. + 4. firewall restarts: rules flushed and replaced, conntrack wiped; three in a row
restart_firewall() {
	inr iptables -P INPUT ACCEPT && inr iptables -F
	mdb_replica_firewall
	inr conntrack -F 2>/dev/null
}
for i in 4 5 6; do
	heals=$(grep -c "healed 1:" "$WATCH_LOG")
	restart_firewall
	mdb_sql_p "INSERT INTO ctg.t VALUES ($i)"
	t=$(mdb_wait_rows "$i" 3) || fail "row $i not on the replica within 3 s of firewall restart $((i - 3))"
	echo "firewall restart $((i - 3)): row $i replicated ${t}s after the insert"
	kill -0 "$WATCH_PID" 2>/dev/null || fail "watch died"
	watch_wait_log "ruleset reload: nftables generation [0-9]+ by PID [0-9]+ \(iptables" 2 ||
		fail "log does not name the reload and its process"
	for w in $(seq 1 20); do
		[ "$(grep -c "healed 1:" "$WATCH_LOG")" -gt "$heals" ] && break
		sleep 0.1
	done
	[ "$(grep -c "healed 1:" "$WATCH_LOG")" -gt "$heals" ] || fail "restart $((i - 3)) not healed"
done
grep -E "ruleset reload|healed" "$WATCH_LOG" | tail -4

cat "$PROM"
grep -Eq '^ctguard_watch_heals_total [5-9]' "$PROM" || fail "prometheus: heals_total"
grep -Eq '^ctguard_watch_wipes_total [1-9]' "$PROM" || fail "prometheus: wipes_total"
grep -Eq '^ctguard_watch_orphaned_connections 0$' "$PROM" || fail "prometheus: orphans now"

watch_stop
echo "SIGTERM: exit $WATCH_RC after ${WATCH_STOP_S}s"
[ "$WATCH_RC" = 0 ] || fail "watch exit status $WATCH_RC after SIGTERM"
awk -v s="$WATCH_STOP_S" 'BEGIN { exit !(s <= 2.0) }' || fail "watch took ${WATCH_STOP_S}s to stop"
echo PASS
