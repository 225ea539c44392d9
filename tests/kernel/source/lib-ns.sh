# Shared setup for source kernel tests: two namespaces A (10.200.$NET.1) and B (.2)
# joined by a veth. Sourced; sets A, B, cleanup on EXIT.
: "${CTGUARD:?CTGUARD must point to the ctguard binary}"
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }
command -v conntrack >/dev/null || { echo "SKIP: conntrack not installed"; exit 77; }
PY=/usr/bin/python3
A=ctg-src-$$-a
B=ctg-src-$$-b
TMP=$(mktemp -d)
cleanup() {
	for ns in $A $B; do
		for p in $(ip netns pids $ns 2>/dev/null); do kill $p 2>/dev/null; done
	done
	sleep 0.2
	ip netns del $A 2>/dev/null
	ip netns del $B 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT
ip netns add $A && ip netns add $B || exit 1
ip link add va netns $A type veth peer name vb netns $B || exit 1
ip -n $A addr add 10.200.$NET.1/24 dev va
ip -n $B addr add 10.200.$NET.2/24 dev vb
ip -n $A addr add fd00:200::$NET:1/112 dev va nodad
ip -n $B addr add fd00:200::$NET:2/112 dev vb nodad
for ns in $A $B; do ip -n $ns link set lo up; done
ip -n $A link set va up
ip -n $B link set vb up
# conntrack is active in a netns only while a rule uses it
ip netns exec $A iptables -A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT || exit 1
ip netns exec $A ip6tables -A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT || exit 1
