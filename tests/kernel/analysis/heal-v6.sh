#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# IPv6 server-side orphan (same story as heal-server.sh, over IPv6): the peer opened the
# only SYNs (--syn NEW). After a wipe the peer's next segment (no SYN) is picked up as NEW
# and dropped. heal must insert the IPv6 entry with ORIGINAL = peer -> local.
set -u
CTGUARD=${CTGUARD:-ctguard}
here=$(cd "$(dirname "$0")" && pwd)
agent=$here/heal-agent.py
L=ctg-heal-$$-6l P=ctg-heal-$$-6p
LA=fd00:200::6402 PA=fd00:200::6401
tmp=$(mktemp -d /tmp/ctg-heal-v6.XXXXXX)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	ip netns del "$L" 2>/dev/null; ip netns del "$P" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }
inl() { ip netns exec "$L" "$@"; }
inp() { ip netns exec "$P" "$@"; }
wait_for() { for _ in $(seq 1 50); do eval "$1" && return 0; sleep 0.1; done; return 1; }

ip netns add "$L" && ip netns add "$P" || fail "netns"
ip -n "$L" link add eth0 type veth peer name eth0 netns "$P"
ip -n "$L" addr add $LA/64 dev eth0 nodad && ip -n "$P" addr add $PA/64 dev eth0 nodad
for n in "$L" "$P"; do ip -n "$n" link set lo up; ip -n "$n" link set eth0 up; done
inl ip6tables-restore <<'EOF' || fail "iptables-restore"
*filter
:INPUT DROP [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -i lo -j ACCEPT
-A INPUT -m state --state RELATED,ESTABLISHED -j ACCEPT
-A INPUT -p ipv6-icmp -j ACCEPT
-A INPUT -p tcp -m tcp --dport 5432 --tcp-flags FIN,SYN,RST,ACK SYN -m state --state NEW -j ACCEPT
COMMIT
EOF
mkfifo "$tmp/fifo"
ip netns exec "$L" python3 "$agent" sink $LA 5432 "$tmp/recv" >/dev/null 2>&1 & pids+=($!)
sleep 0.5
ip netns exec "$P" python3 "$agent" csend $LA 5432 "$tmp/fifo" >/dev/null 2>&1 & pids+=($!)
wait_for "inl ss -tnH state established | grep -q ':5432'" || fail "no connection"
timeout 5 sh -c "echo one >$tmp/fifo" || fail "peer agent gone"
wait_for "grep -q one $tmp/recv 2>/dev/null" || fail "data before the wipe"
inl conntrack -F 2>/dev/null
timeout 5 sh -c "echo two >$tmp/fifo" || fail "peer agent gone"
sleep 1.5
grep -q two "$tmp/recv" && fail "data arrived although orphaned"
inl "$CTGUARD" audit; rc=$?
[ $rc -eq 1 ] || fail "audit exit $rc, expected 1"
inl "$CTGUARD" audit | grep -q "^ORPHANED tcp \[$LA\]:5432 <- \[$PA\]:[0-9]* (postgresql, server)" ||
	fail "server orphan not reported"
inl "$CTGUARD" heal | tee "$tmp/heal" | grep -q '^1 inserted' || { cat "$tmp/heal"; fail "heal"; }
cat "$tmp/heal"
inl conntrack -L -f ipv6 2>/dev/null | grep -q "src=$PA dst=$LA sport=[0-9]* dport=5432 src=$LA dst=$PA sport=5432" ||
	fail "ORIGINAL direction must be peer -> local"
wait_for "grep -q two $tmp/recv" || wait_for "grep -q two $tmp/recv" || fail "data after heal"
timeout 5 sh -c "echo three >$tmp/fifo" || fail "peer agent gone"
wait_for "grep -q three $tmp/recv" || fail "new data after heal"
inl "$CTGUARD" audit >/dev/null || fail "audit after heal"
echo PASS
