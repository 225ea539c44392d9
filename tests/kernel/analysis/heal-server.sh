#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Server-side orphan: the peer opened the connection to a local service whose rule accepts
# only SYNs (--syn NEW). After a wipe the peer's next segment (no SYN) is picked up as NEW
# and dropped. heal must insert the entry with ORIGINAL = peer -> local.
# $1 = 4 (default) or 6: the same story over IPv6 (heal-v6.sh).
set -u
if [ "${1:-4}" = 6 ]; then
	L=ctg-heal-$$-6l P=ctg-heal-$$-6p
	LA=fd00:200::6402 PA=fd00:200::6401
	tag=v6 plen=(64 nodad) restore=ip6tables-restore ctfam=(-f ipv6)
	icmp='-A INPUT -p ipv6-icmp -j ACCEPT' la="\[$LA\]" pa="\[$PA\]"
else
	L=ctg-heal-$$-sl P=ctg-heal-$$-sp
	LA=10.200.64.2 PA=10.200.64.1
	tag=srv plen=(24) restore=iptables-restore ctfam=()
	icmp='' la=$LA pa=$PA
fi
. "$(dirname "$0")/lib-heal.sh"
heal_netns $tag "${plen[@]}"
{
	cat <<'EOF'
*filter
:INPUT DROP [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -i lo -j ACCEPT
-A INPUT -m state --state RELATED,ESTABLISHED -j ACCEPT
EOF
	[ -z "$icmp" ] || echo "$icmp"
	cat <<'EOF'
-A INPUT -p tcp -m tcp --dport 5432 --tcp-flags FIN,SYN,RST,ACK SYN -m state --state NEW -j ACCEPT
COMMIT
EOF
} | inl $restore || fail "iptables-restore"
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
inl "$CTGUARD" audit | grep -q "^ORPHANED tcp $la:5432 <- $pa:[0-9]* (postgresql, server)" ||
	fail "server orphan not reported"
inl "$CTGUARD" heal | tee "$tmp/heal" | grep -q '^1 inserted' || { cat "$tmp/heal"; fail "heal"; }
cat "$tmp/heal"
inl conntrack -L "${ctfam[@]}" 2>/dev/null | grep -q "src=$PA dst=$LA sport=[0-9]* dport=5432 src=$LA dst=$PA sport=5432" ||
	fail "ORIGINAL direction must be peer -> local"
wait_for "grep -q two $tmp/recv" || wait_for "grep -q two $tmp/recv" || fail "data after heal"
timeout 5 sh -c "echo three >$tmp/fifo" || fail "peer agent gone"
wait_for "grep -q three $tmp/recv" || fail "new data after heal"
inl "$CTGUARD" audit >/dev/null || fail "audit after heal"
echo PASS
