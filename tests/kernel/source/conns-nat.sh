#!/bin/bash
# Forwarded and NATed flows: client C -> router R (DNAT 10.200.45.2:8080 -> S:3306,
# MASQUERADE towards S) -> server S. conns on R shows a forward row with both tuples, on S a
# server row whose peer is R's masquerade address, on C a client row to the DNAT address.
: "${CTGUARD:?CTGUARD must point to the ctguard binary}"
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }
PY=/usr/bin/python3
C=ctg-src-$$-c R=ctg-src-$$-r S=ctg-src-$$-s
TMP=$(mktemp -d)
cleanup() {
	for ns in $C $R $S; do
		for p in $(ip netns pids $ns 2>/dev/null); do kill $p 2>/dev/null; done
	done
	sleep 0.2
	for ns in $C $R $S; do ip netns del $ns 2>/dev/null; done
	rm -rf "$TMP"
}
trap cleanup EXIT
for ns in $C $R $S; do ip netns add $ns || exit 1; ip -n $ns link set lo up; done
ip link add c0 netns $C type veth peer name r0 netns $R || exit 1
ip link add s0 netns $S type veth peer name r1 netns $R || exit 1
ip -n $C addr add 10.200.45.1/24 dev c0 && ip -n $C link set c0 up
ip -n $R addr add 10.200.45.2/24 dev r0 && ip -n $R link set r0 up
ip -n $R addr add 10.200.46.1/24 dev r1 && ip -n $R link set r1 up
ip -n $S addr add 10.200.46.2/24 dev s0 && ip -n $S link set s0 up
ip -n $C route add default via 10.200.45.2
ip netns exec $R sysctl -qw net.ipv4.ip_forward=1
ip netns exec $R iptables -t nat -A PREROUTING -d 10.200.45.2 -p tcp --dport 8080 \
	-j DNAT --to-destination 10.200.46.2:3306 || exit 1
ip netns exec $R iptables -t nat -A POSTROUTING -o r1 -j MASQUERADE || exit 1
ip netns exec $S iptables -A INPUT -m conntrack --ctstate ESTABLISHED -j ACCEPT || exit 1
ip netns exec $C iptables -A INPUT -m conntrack --ctstate ESTABLISHED -j ACCEPT || exit 1

ip netns exec $S socat TCP4-LISTEN:3306,fork,reuseaddr EXEC:cat &
sleep 0.5
ip netns exec $C socat -u EXEC:"sleep 30" TCP4:10.200.45.2:8080 &
sleep 1
for ns in C R S; do
	ip netns exec ${!ns} $CTGUARD conns --format json >"$TMP/$ns.json" || { echo "conns in $ns failed"; exit 1; }
done
$PY - "$TMP" <<'PYEOF'
import json, sys
tmp = sys.argv[1]
rows = {ns: json.load(open("%s/%s.json" % (tmp, ns)))["connections"] for ns in "CRS"}
r = [c for c in rows["R"] if c["proto"] == "tcp"]
assert len(r) == 1, r
r = r[0]
assert r["role"] == "forward" and r["socket"] is None, r
o, p = r["conntrack"]["orig"], r["conntrack"]["reply"]
assert (o["src"], o["dst"], o["dport"]) == ("10.200.45.1", "10.200.45.2", 8080), o
assert (p["src"], p["dst"], p["sport"]) == ("10.200.46.2", "10.200.46.1", 3306), p
assert {"SRC_NAT", "DST_NAT"} <= set(r["conntrack"]["status"]), r
s = [c for c in rows["S"] if c["socket"] and c["proto"] == "tcp"]
assert len(s) == 1 and s[0]["role"] == "server" and s[0]["service"] == "mysql", s
assert s[0]["peer"] == "10.200.46.1" and s[0]["conntrack"]["direction"] == "reply", s
c = [c for c in rows["C"] if c["socket"] and c["proto"] == "tcp"]
assert len(c) == 1 and c[0]["role"] == "client" and c[0]["conntrack"], c
assert (c[0]["peer"], c[0]["peer_port"]) == ("10.200.45.2", 8080), c
print("ok: forward row on the router with both NAT tuples; server and client rows joined")
PYEOF
