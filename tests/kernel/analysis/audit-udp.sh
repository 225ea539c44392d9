#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# audit: UDP's ordinary life is not an incident; a wipe under a server-push UDP flow is.
# Host H (10.200.171.1) and peer P (.2), one veth. H: INPUT DROP, ESTABLISHED,RELATED
# accepted; its UDP timeouts shortened (nf_conntrack_udp_timeout=2, _stream=4).
#   dns    H's connected UDP socket -> P:53, one query and answer, then idle
#   ntp    H -> P:123, one request and answer, then idle
#   statsd H -> P:8125, send-only, then idle
#   push   H -> P:60001 (mosh's range): one hello, then P pushes a datagram each 0.5 s
# Phase 1: everything left alone for 3x the stream timeout (12 s): the dns/ntp/statsd
# entries expire by themselves; audit --nagios must stay OK (exit 0, 0 orphans) and list
# them as informational. Phase 2: `conntrack -F` in H while P keeps pushing: for real, H's
# push socket stops receiving; audit --nagios must be CRITICAL (exit 2) and name the push
# flow, and still not the three client sockets.
set -u
[ -n "${DEBUG:-}" ] && set -x
CTGUARD=${CTGUARD:-ctguard}
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }
command -v conntrack >/dev/null || { echo "SKIP: conntrack missing"; exit 77; }
H=ctg-udpfix-$$-h P=ctg-udpfix-$$-p
HA=10.200.171.1 PA=10.200.171.2
tmp=$(mktemp -d /tmp/ctg-auditudp.XXXXXX)
cleanup() {
	for ns in "$H" "$P"; do
		for p in $(ip netns pids "$ns" 2>/dev/null); do kill "$p" 2>/dev/null; done
	done
	sleep 0.2
	ip netns del "$H" 2>/dev/null
	ip netns del "$P" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
fail() {
	echo "FAIL: $*"
	exit 1
}
inh() { ip netns exec "$H" "$@"; }
inp() { ip netns exec "$P" "$@"; }

ip netns add "$H" && ip netns add "$P" || exit 1
ip link add vh netns "$H" type veth peer name vp netns "$P" || exit 1
ip -n "$H" addr add $HA/24 dev vh
ip -n "$P" addr add $PA/24 dev vp
for ns in "$H" "$P"; do ip -n "$ns" link set lo up; done
ip -n "$H" link set vh up
ip -n "$P" link set vp up
inh iptables-restore <<'EOF' || fail "iptables-restore"
*filter
:INPUT DROP [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -i lo -j ACCEPT
-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
COMMIT
EOF
inh sysctl -qw net.netfilter.nf_conntrack_udp_timeout=2 || { echo "SKIP: no per-netns udp timeout"; exit 77; }
inh sysctl -qw net.netfilter.nf_conntrack_udp_timeout_stream=4 || fail "udp_timeout_stream"

# P: answers on 53 and 123, swallows 8125, and on 60001 pushes a datagram each 0.5 s to
# whoever said hello.
cat >"$tmp/peer.py" <<'EOF'
import select, socket, sys, time
socks = {}
for port in (53, 123, 8125, 60001):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((sys.argv[1], port))
    socks[s] = port
push_to = None
next_push = 0.0
while True:
    r, _, _ = select.select(list(socks), [], [], 0.1)
    for s in r:
        data, addr = s.recvfrom(2048)
        if socks[s] in (53, 123):
            s.sendto(b'answer', addr)
        elif socks[s] == 60001:
            push_to = (s, addr)
    if push_to and time.monotonic() >= next_push:
        push_to[0].sendto(b'push', push_to[1])
        next_push = time.monotonic() + 0.5
EOF
# H: a connected client per service; counts what each receives in DIR/<port>.
cat >"$tmp/client.py" <<'EOF'
import select, socket, sys
peer, d = sys.argv[1], sys.argv[2]
socks = {}
for port in (53, 123, 8125, 60001):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.connect((peer, port))
    s.send(b'hello')
    socks[s] = [port, 0]
while True:
    r, _, _ = select.select(list(socks), [], [], 0.2)
    for s in r:
        s.recv(2048)
        socks[s][1] += 1
        with open('%s/%d' % (d, socks[s][0]), 'w') as f:
            f.write('%d\n' % socks[s][1])
EOF
inp python3 "$tmp/peer.py" $PA &
sleep 0.5
inh python3 "$tmp/client.py" $PA "$tmp" &
for _ in $(seq 1 50); do [ -s "$tmp/60001" ] && [ -s "$tmp/53" ] && [ -s "$tmp/123" ] && break; sleep 0.1; done
[ -s "$tmp/60001" ] && [ -s "$tmp/53" ] && [ -s "$tmp/123" ] || fail "the UDP exchanges did not happen"
inh ss -uanH state established | grep -c "$PA" | grep -qx 4 || fail "4 connected UDP sockets expected"

echo "phase 1: 12 s idle (3x the 4 s stream timeout)"
sleep 12
inh conntrack -L -p udp 2>/dev/null >"$tmp/ct1"
grep -q 'dport=53 ' "$tmp/ct1" && fail "the dns entry should have expired: $(cat "$tmp/ct1")"
grep -q 'dport=60001 ' "$tmp/ct1" || fail "the push flow's entry should be alive"
out=$(inh "$CTGUARD" audit --nagios)
rc=$?
echo "$out"
[ $rc = 0 ] || fail "audit --nagios on a healthy host exited $rc (want 0 OK)"
echo "$out" | grep -q '^CTGUARD OK - 0 orphaned' || fail "want OK, 0 orphaned"
echo "$out" | grep -q 'expired=3;' || fail "want the 3 expired client entries as informational"
txt=$(inh "$CTGUARD" audit)
rc=$?
echo "$txt"
[ $rc = 0 ] || fail "audit exited $rc on a healthy host"
for port in 53 123 8125; do
	echo "$txt" | grep -q "^EXPIRED udp $HA:[0-9]* -> $PA:$port " || fail "want $port listed as EXPIRED"
done

echo "phase 2: conntrack -F while the peer keeps pushing"
inh conntrack -F 2>/dev/null
sleep 1
n1=$(cat "$tmp/60001")
sleep 2
n2=$(cat "$tmp/60001")
[ "$n1" = "$n2" ] || fail "reality: the push flow still receives after the wipe ($n1 -> $n2)"
out=$(inh "$CTGUARD" audit --nagios)
rc=$?
echo "$out"
[ $rc = 2 ] || fail "audit --nagios after the wipe exited $rc (want 2 CRITICAL)"
echo "$out" | grep -q "^CTGUARD CRITICAL - 1 orphaned connection: .*$PA:60001" ||
	fail "want the push flow named"
txt=$(inh "$CTGUARD" audit --format json)
echo "$txt" | python3 -c '
import json, sys
r = json.load(sys.stdin)
items = [dict(c, **c["finding"]) for c in r["connections"] if c["finding"]]
orph = [i for i in items if i["kind"] == "no-entry"]
assert len(orph) == 1 and orph[0]["peer_port"] == 60001, orph
exp = sorted(i["peer_port"] for i in items if i["kind"] == "expired")
assert exp == [53, 123, 8125], exp
' || fail "json: want exactly the push flow orphaned, the three clients expired"
echo "PASS: healthy UDP life OK (exit 0), wipe under a push flow CRITICAL naming it"
