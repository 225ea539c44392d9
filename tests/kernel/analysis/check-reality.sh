#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Prediction equals reality for `ctguard check`: three namespaces, host H between a
# client net (C) and a server net (S); 22 live TCP/UDP flows in mixed roles (H server,
# H client, forwarded, forwarded + MASQUERADE); for each method (atomic, restart, flush)
# the flows are opened, `ctguard check` predicts, the reload is performed for real, and
# each flow's designated first speaker sends, then the other side answers. The observed
# delivery must agree with the prediction for every flow. Prints the table.
set -u
CTGUARD=${CTGUARD:-ctguard}
here=$(cd "$(dirname "$0")" && pwd)
p=ctg-check-$$
H=$p-h C=$p-c S=$p-s
cleanup() {
	ip netns del "$H" 2>/dev/null
	ip netns del "$C" 2>/dev/null
	ip netns del "$S" 2>/dev/null
	[ -n "${tmp:-}" ] && rm -rf "$tmp"
	return 0
}
trap cleanup EXIT
tmp=$(mktemp -d /tmp/$p.XXXXXX)

ip netns add "$H" && ip netns add "$C" && ip netns add "$S" || exit 1
ip -n "$H" link add h-c type veth peer name c-h netns "$C" || exit 1
ip -n "$H" link add h-s type veth peer name s-h netns "$S" || exit 1
ip -n "$H" addr add 10.200.91.1/24 dev h-c
ip -n "$H" addr add 10.200.92.1/24 dev h-s
ip -n "$C" addr add 10.200.91.2/24 dev c-h
ip -n "$S" addr add 10.200.92.2/24 dev s-h
for ns in "$H" "$C" "$S"; do ip -n "$ns" link set lo up; done
ip -n "$H" link set h-c up && ip -n "$H" link set h-s up
ip -n "$C" link set c-h up && ip -n "$S" link set s-h up
ip -n "$C" route add 10.200.92.0/24 via 10.200.91.1
ip -n "$S" route add 10.200.91.0/24 via 10.200.92.1
ip netns exec "$H" sysctl -qw net.ipv4.ip_forward=1

cat >"$tmp/current.v4" <<'EOF'
*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
-A POSTROUTING -o h-s -p tcp -m tcp --dport 9100:9199 -j MASQUERADE
COMMIT
*filter
:INPUT DROP [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -i lo -j ACCEPT
-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A INPUT -p tcp -m tcp --dport 7001:7003 -j ACCEPT
-A INPUT -p udp -m udp --dport 7501:7502 -j ACCEPT
-A FORWARD -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A FORWARD -s 10.200.91.0/24 -j ACCEPT
COMMIT
EOF
cat >"$tmp/new.v4" <<'EOF'
*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
-A POSTROUTING -o h-s -p tcp -m tcp --dport 9100:9199 -j MASQUERADE
COMMIT
*filter
:INPUT DROP [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -i lo -j ACCEPT
-A INPUT -s 10.200.91.2/32 -p tcp -m tcp --sport 8003 -j DROP
-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A INPUT -p tcp -m tcp --dport 7001 -j ACCEPT
-A INPUT -s 10.200.91.2/32 -p tcp -m tcp --sport 8002 ! --tcp-flags FIN,SYN,RST,ACK SYN -j ACCEPT
-A FORWARD -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A FORWARD -s 10.200.92.2/32 -p tcp -m tcp --sport 9002 ! --tcp-flags FIN,SYN,RST,ACK SYN -j ACCEPT
-A FORWARD -s 10.200.91.0/24 -p tcp -m tcp --dport 9001:9002 -j ACCEPT
-A FORWARD -s 10.200.91.0/24 -p tcp -m tcp --dport 9100:9199 -j ACCEPT
-A FORWARD -s 10.200.91.0/24 -p udp -j ACCEPT
COMMIT
EOF

/usr/bin/python3 "$here/check-reality.py" "$CTGUARD" "$H" "$C" "$S" "$tmp"
exit $?
