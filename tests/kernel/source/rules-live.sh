#!/bin/bash
# Live ruleset capture (iptables-save / ip6tables-save + backend from iptables -V) and live
# sysctls with --sysctl overrides, in a namespace of its own.
NET=${CTG_TEST_NET:-44}
. "$(dirname "$0")/lib-ns.sh"
DUMP=${CTG_BUILDDIR:?}/tests/kernel/source/ctg-ct-dump

want_backend=unknown
iptables -V | grep -q '(nf_tables)' && want_backend=nft
iptables -V | grep -q '(legacy)' && want_backend=legacy
ip netns exec $A iptables -A INPUT -p tcp --dport 22 -j ACCEPT || exit 1
ip netns exec $A iptables -t nat -A POSTROUTING -o va -j MASQUERADE || exit 1
ip netns exec $A ip6tables -A INPUT -p ipv6-icmp -j ACCEPT || exit 1
# lib-ns.sh added one rule in each family: 3 v4 rules, 2 v6 rules
out=$(ip netns exec $A $DUMP rules4) || exit 1
[ "$out" = "backend=$want_backend rules=3" ] || { echo "rules4: got '$out'"; exit 1; }
out=$(ip netns exec $A $DUMP rules6) || exit 1
[ "$out" = "backend=$want_backend rules=2" ] || { echo "rules6: got '$out'"; exit 1; }

# sysctls: per netns, read live, overridden by --sysctl
ip netns exec $A sysctl -qw net.ipv4.ip_local_port_range="20000 30000" || exit 1
range=$(ip netns exec $A $CTGUARD conns --format json | $PY -c \
	'import json,sys; print(json.load(sys.stdin)["sources"]["ip_local_port_range"])')
[ "$range" = "[20000, 30000]" ] || { echo "live port range: $range"; exit 1; }
range=$(ip netns exec $A $CTGUARD conns --format json --sysctl "ip_local_port_range=1024 2048" |
	$PY -c 'import json,sys; print(json.load(sys.stdin)["sources"]["ip_local_port_range"])')
[ "$range" = "[1024, 2048]" ] || { echo "overridden port range: $range"; exit 1; }
ip netns exec $A $CTGUARD conns --sysctl "nf_conntrack_tcp_loose=maybe" >/dev/null 2>&1
[ $? = 2 ] || { echo "bad --sysctl value not rejected with exit 2"; exit 1; }
echo "ok: live rules ($want_backend), sysctls and overrides"
