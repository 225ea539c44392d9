#!/bin/bash
# Conntrack states, model against kernel (see ct-states.py). Root; own namespaces;
# addresses 10.200.31.0/24 only.
set -e
CTGUARD=${CTGUARD:-ctguard}
export CTGUARD
HERE=$(cd "$(dirname "$0")" && pwd)
[ "$(id -u)" = 0 ] || { echo "needs root"; exit 77; }
for t in ip iptables conntrack python3; do
	command -v $t >/dev/null || { echo "missing $t"; exit 77; }
done
NA=ctg-eval-$$-a
NB=ctg-eval-$$-b
WORK=$(mktemp -d)
cleanup() {
	ip netns del $NA 2>/dev/null || true
	ip netns del $NB 2>/dev/null || true
	rm -rf "$WORK"
}
trap cleanup EXIT
ip netns add $NA
ip netns add $NB
ip link add ctgev$$a type veth peer name ctgev$$b
ip link set ctgev$$a netns $NA
ip link set ctgev$$b netns $NB
ip -n $NA addr add 10.200.31.1/24 dev ctgev$$a
ip -n $NB addr add 10.200.31.2/24 dev ctgev$$b
for n in $NA $NB; do ip -n $n link set lo up; done
ip -n $NA link set ctgev$$a up
ip -n $NB link set ctgev$$b up
# The peer sends only what the test crafts (mark 7): its own RSTs/unreachables are dropped.
ip netns exec $NB iptables -w -A OUTPUT -m mark ! --mark 0x7 -j DROP
sleep 1
python3 "$HERE/ct-states.py" $NA $NB 10.200.31.1 10.200.31.2 "$WORK"
