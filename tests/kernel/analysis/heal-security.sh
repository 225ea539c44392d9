#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# heal is narrow: (1) it refuses to create an entry for a connection that has no matching
# live local socket (a forged sockets file), (2) it creates exactly the orphan's 5-tuple:
# afterwards the peer still cannot open any new connection to another local port (or to
# the healed port from another source port), (3) it never touches non-orphans.
set -u
L=ctg-heal-$$-l   # local host: classic firewall, the orphan's client side
P=ctg-heal-$$-p   # peer
LA=10.200.62.2 PA=10.200.62.1
. "$(dirname "$0")/lib-heal.sh"
heal_netns sec 24
cat >"$tmp/rules.v4" <<'EOF'
*filter
:INPUT DROP [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -i lo -j ACCEPT
-A INPUT -m state --state RELATED,ESTABLISHED -j ACCEPT
-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT
COMMIT
EOF
inl iptables-restore <"$tmp/rules.v4" || fail "iptables-restore"
: >"$tmp/empty"

mkfifo "$tmp/fifo"
ip netns exec "$P" python3 "$agent" server $PA 3306 "$tmp/fifo" >/dev/null 2>&1 & pids+=($!)
ip netns exec "$L" python3 "$agent" listen $LA 5555 "$tmp/accepted" >/dev/null 2>&1 & pids+=($!)
sleep 0.5
ip netns exec "$L" python3 "$agent" client $PA 3306 "$tmp/recv" >/dev/null 2>&1 & pids+=($!)
wait_for "inl ss -tnH state established | grep -q ':3306'" || fail "no connection"
timeout 5 sh -c "echo one >$tmp/fifo" || fail "peer agent gone"
wait_for "grep -q one $tmp/recv 2>/dev/null" || fail "data before the wipe"
sport=$(inl ss -tnH state established | awk '$4 ~ /:3306$/ { split($3, a, ":"); print a[2] }')
echo "orphan-to-be: $LA:$sport -> $PA:3306"

inl conntrack -F 2>/dev/null
timeout 5 sh -c "echo two >$tmp/fifo" || fail "peer agent gone"
sleep 1.5
grep -q two "$tmp/recv" && fail "data arrived although orphaned"
inl "$CTGUARD" audit >"$tmp/audit"; rc=$?
cat "$tmp/audit"
[ $rc -eq 1 ] || fail "audit exit $rc, expected 1"

# (1) A forged socket table: an orphan that does not exist on the host.
printf 'ESTAB 0 0 %s:40000 %s:3306 users:(("fake",pid=1,fd=3))\n' $LA $PA >"$tmp/fake.ss"
inl "$CTGUARD" heal --rules "$tmp/rules.v4" --rules6 "$tmp/empty" --conntrack "$tmp/empty" \
	--sockets "$tmp/fake.ss" >"$tmp/heal-fake"; rc=$?
cat "$tmp/heal-fake"
[ $rc -eq 1 ] || fail "heal with a forged socket: exit $rc, expected 1"
grep -q '^refused: .*--sport 40000' "$tmp/heal-fake" || fail "forged socket not refused"
grep -q '^0 inserted, 1 refused' "$tmp/heal-fake" || fail "heal summary"
[ "$(inl conntrack -L 2>/dev/null | grep -c .)" = 0 ] || fail "an entry was created"
echo "ok: heal refuses an entry without a live local socket"

# --peer filter: another peer selects nothing.
inl "$CTGUARD" heal --peer 10.200.62.99 | grep -q '^0 inserted' || fail "--peer filter"

# (2) The real heal: exactly one entry, exactly the orphan's tuple.
inl "$CTGUARD" heal >"$tmp/heal"; rc=$?
cat "$tmp/heal"
[ $rc -eq 0 ] && grep -q '^1 inserted, 0 refused, 0 failed' "$tmp/heal" || fail "heal"
inl conntrack -L 2>/dev/null >"$tmp/ct"
[ "$(grep -c . "$tmp/ct")" = 1 ] || fail "expected exactly one entry"
grep -q "src=$LA dst=$PA sport=$sport dport=3306 src=$PA dst=$LA sport=3306 dport=$sport" \
	"$tmp/ct" || fail "entry tuple"
wait_for "grep -q two $tmp/recv" || wait_for "grep -q two $tmp/recv" || fail "data after heal"
echo "ok: the orphan's data flows again"

inp python3 "$agent" connect $LA 5555 2 && fail "peer opened a new connection to port 5555"
inp python3 "$agent" connect $LA "$sport" 2 && fail "peer reached the healed port anew"
[ -s "$tmp/accepted" ] && fail "listener accepted a connection from the peer"
[ "$(inl conntrack -L 2>/dev/null | grep -c .)" = 1 ] || fail "new entries after heal"
echo "ok: no new connection from the peer is accepted after heal"

# (3) Nothing left to heal; the existing entry is not touched.
before=$(inl conntrack -L 2>/dev/null | grep -o 'ESTABLISHED src.*' )
inl "$CTGUARD" heal >"$tmp/heal2"; rc=$?
cat "$tmp/heal2"
[ $rc -eq 0 ] && grep -q '^0 inserted, 0 refused, 0 failed' "$tmp/heal2" || fail "second heal"
[ "$(inl conntrack -L 2>/dev/null | grep -o 'ESTABLISHED src.*')" = "$before" ] ||
	fail "entry changed"
inl "$CTGUARD" audit >/dev/null || fail "audit after heal not clean"
echo PASS
