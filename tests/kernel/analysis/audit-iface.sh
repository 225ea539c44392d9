#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Interfaces from routing (issue 11): with the ESTABLISHED rule bound to the interface
# (-i va), a healthy idle client is not orphaned (the audit infers the peer's packets
# arrive on va from the kernel's routes); after a real conntrack wipe it is.
set -u
CTGUARD=${CTGUARD:-ctguard}
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }
command -v conntrack >/dev/null || { echo "SKIP: conntrack not installed"; exit 77; }
A=ctg-backends-$$-a B=ctg-backends-$$-b
cleanup() {
	for ns in $A $B; do
		for p in $(ip netns pids $ns 2>/dev/null); do kill $p 2>/dev/null; done
	done
	ip netns del $A 2>/dev/null
	ip netns del $B 2>/dev/null
	return 0
}
trap cleanup EXIT
ip netns add $A && ip netns add $B || exit 1
ip link add va netns $A type veth peer name vb netns $B || exit 1
ip -n $A addr add 10.200.77.1/24 dev va
ip -n $B addr add 10.200.77.2/24 dev vb
for ns in $A $B; do ip -n $ns link set lo up; done
ip -n $A link set va up && ip -n $B link set vb up
printf '*filter\n:INPUT DROP [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n-A INPUT -i lo -j ACCEPT\n-A INPUT -i va -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT\n-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT\nCOMMIT\n' |
	ip netns exec $A iptables-restore || exit 1
ip netns exec $B python3 -c "
import socket,time
s=socket.socket();s.setsockopt(1,2,1);s.bind(('10.200.77.2',3306));s.listen(5)
c,_=s.accept();time.sleep(60)" &
sleep 0.5
ip netns exec $A python3 -c "
import socket,time
s=socket.socket();s.connect(('10.200.77.2',3306));s.send(b'x');time.sleep(60)" &
sleep 1
before=$(ip netns exec $A "$CTGUARD" audit | tail -2)
echo "before wipe: $before"
ip netns exec $A conntrack -F 2>/dev/null
after=$(ip netns exec $A "$CTGUARD" audit | grep 'orphaned,')
echo "after wipe: $after"
trace=$(ip netns exec $A "$CTGUARD" trace --ctstate ESTABLISHED --flags PSH,ACK tcp 10.200.77.2:3306 10.200.77.1:40000)
echo "$trace"
fail=0
grep -q '^0 orphaned, 0 possibly' <<<"$before" || { echo "FAIL: orphans before the wipe"; fail=1; }
grep -q '^1 orphaned' <<<"$after" || { echo "FAIL: the idle client not found after the wipe"; fail=1; }
grep -q '^in: va' <<<"$trace" || { echo "FAIL: trace did not infer the input interface"; fail=1; }
[ $fail = 0 ] && echo PASS
exit $fail
