#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# audit: NATed flows whose mapping is gone, and connected-UDP orphans, against the kernel.
# Host H (10.200.151.1 primary, .3 secondary) and peer P (10.200.151.2), one veth.
#   A  SNAT: H's client .1 -> P:5000 leaves as .3 (nat POSTROUTING SNAT). P knows it as .3.
#   B  DNAT: P connects to .3:80, DNATed to H's server .1:8080 (direct 8080 dropped).
#   C  control: H's client .1 -> P:6000, no NAT rule applies.
#   U  connected UDP: H .1 -> P:7000; INPUT drops NEW UDP. Plus an unconnected UDP socket.
# Data flows both ways, then `conntrack -F` in H. Expected: audit --nagios exits 2, names
# A and B as nat-lost (SNAT / DNAT rules) and U as an orphan, says nothing of C nor of
# the unconnected socket; and for real: P's data no longer reaches H on A, B (after the
# server spoke first: its reply leaves untranslated) and U, while C still works.
set -u
[ -n "${DEBUG:-}" ] && set -x
CTGUARD=${CTGUARD:-ctguard}
H=ctg-auditnat-$$-h P=ctg-auditnat-$$-p
HA=10.200.151.1 HB=10.200.151.3 PA=10.200.151.2
tmp=$(mktemp -d /tmp/ctg-auditnat.XXXXXX)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
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
wait_for() { for _ in $(seq 1 50); do eval "$1" && return 0; sleep 0.1; done; return 1; }
command -v conntrack >/dev/null || { echo "SKIP: conntrack missing"; exit 77; }

# Duplex endpoint: MODE tconnect|tlisten|uconnect|ubind ADDR PORT FIFO OUT [BIND]. Sends
# each line written to FIFO, appends what it receives to OUT.
cat >"$tmp/duplex.py" <<'EOF'
import socket, sys, threading
mode, addr, port, fifo, out = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5]
peer = [None]
if mode == 'tlisten':
    ls = socket.socket(); ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((addr, port)); ls.listen(4)
    s, _ = ls.accept()
elif mode == 'tconnect':
    s = socket.create_connection((addr, port))
else:
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    if mode == 'uconnect':
        s.connect((addr, port))
    else:
        s.bind((addr, port))
def sender():
    while True:
        with open(fifo) as f:
            for line in f:
                if mode == 'ubind':
                    s.sendto(line.encode(), peer[0])
                elif mode == 'uconnect':
                    s.send(line.encode())
                else:
                    s.sendall(line.encode())
threading.Thread(target=sender, daemon=True).start()
with open(out, 'ab', buffering=0) as o:
    while True:
        try:
            d, src = s.recvfrom(4096)
        except OSError:
            break
        if not d and mode[0] == 't':
            break
        peer[0] = src
        o.write(d)
EOF
duplex() { # NS NAME MODE ADDR PORT
	mkfifo "$tmp/$2.fifo"
	: >"$tmp/$2.out"
	ip netns exec "$1" python3 "$tmp/duplex.py" "$3" "$4" "$5" "$tmp/$2.fifo" "$tmp/$2.out" \
		>/dev/null 2>>"$tmp/agents.err" &
	pids+=($!)
}
say() { timeout 5 sh -c "echo $2 >$tmp/$1.fifo" || fail "agent $1 gone"; }
got() { grep -q "$2" "$tmp/$1.out" 2>/dev/null; }

ip netns add "$H" && ip netns add "$P" || fail "netns"
ip -n "$H" link add eth0 type veth peer name eth0 netns "$P"
ip -n "$H" addr add $HA/24 dev eth0 && ip -n "$H" addr add $HB/24 dev eth0 &&
	ip -n "$P" addr add $PA/24 dev eth0 || fail "addresses"
for n in "$H" "$P"; do ip -n "$n" link set lo up; ip -n "$n" link set eth0 up; done
inh sysctl -qw net.netfilter.nf_conntrack_tcp_loose=1 2>/dev/null
inh iptables-restore <<EOF || fail "iptables-restore"
*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
-A PREROUTING -d $HB/32 -p tcp -m tcp --dport 80 -j DNAT --to-destination $HA:8080
-A POSTROUTING -d $PA/32 -p tcp -m tcp --dport 5000 -j SNAT --to-source $HB
COMMIT
*filter
:INPUT ACCEPT [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -i lo -j ACCEPT
-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A INPUT -p tcp -m tcp --dport 8080 -m conntrack --ctstate DNAT -j ACCEPT
-A INPUT -p tcp -m tcp --dport 8080 -j DROP
-A INPUT -p udp -m conntrack --ctstate NEW -j DROP
COMMIT
EOF

# Servers first, then clients.
duplex "$P" pa tlisten $PA 5000
duplex "$P" pc tlisten $PA 6000
duplex "$P" pu ubind $PA 7000
duplex "$H" hb tlisten $HA 8080
duplex "$H" hx ubind $HA 7001 # unconnected UDP: not a connection
sleep 0.5
duplex "$H" ha tconnect $PA 5000
duplex "$H" hc tconnect $PA 6000
duplex "$H" hu uconnect $PA 7000
duplex "$P" pb tconnect $HB 80
wait_for "[ \$(inh ss -tnH state established | wc -l) -ge 3 ]" || { inh ss -tanH; cat "$tmp/agents.err"; fail "connections not up"; }
inp ss -tnH state established | grep -q "$PA:5000 *$HB:" || fail "A is not source-NATed"

# Data both ways before the wipe.
for c in a b c u; do say h$c one; done
wait_for "got pa one && got pb one && got pc one && got pu one" || fail "H -> P before the wipe"
for c in a b c u; do say p$c one; done
wait_for "got ha one && got hb one && got hc one && got hu one" || fail "P -> H before the wipe"
inh "$CTGUARD" audit --nagios >"$tmp/before"
rc=$?
cat "$tmp/before"
[ $rc -eq 0 ] || fail "audit before the wipe: exit $rc, expected 0"

inh conntrack -F 2>/dev/null
inh conntrack -L 2>/dev/null | grep -q . && fail "conntrack table not empty after -F"

# Audit right after the wipe (nobody has sent anything yet).
inh "$CTGUARD" audit >"$tmp/text"
inh "$CTGUARD" audit --format json >"$tmp/json"
inh "$CTGUARD" audit --nagios >"$tmp/nagios"
rc=$?
inh "$CTGUARD" audit --prometheus "$tmp/audit.prom" >/dev/null
cat "$tmp/text" "$tmp/nagios"
[ $rc -eq 2 ] || fail "audit --nagios exit $rc after the wipe, expected 2"
grep -q "^CTGUARD CRITICAL - 3 orphaned connections" "$tmp/nagios" || fail "nagios line"
grep -q "$HA:[0-9]*->$PA:5000 (python3) nat-lost by SNAT POSTROUTING rule 1" "$tmp/nagios" ||
	fail "nagios does not name A as nat-lost"
grep -q "nat_lost=2;;;0" "$tmp/nagios" || fail "nat_lost perfdata"
grep -A1 "^ORPHANED tcp $HA:[0-9]* -> $PA:5000 " "$tmp/text" |
	grep -q "knows this connection as $HB:[0-9]* .*nat POSTROUTING rule 1 (line [0-9]*) SNAT" ||
	fail "A: source NAT mapping not reported"
grep -A1 "^ORPHANED tcp $HA:8080 <- $PA:[0-9]* " "$tmp/text" |
	grep -q "connected to $HB:80, .*nat PREROUTING rule 1 (line [0-9]*) DNAT" ||
	fail "B: destination NAT mapping not reported"
grep -A1 "^ORPHANED udp $HA:[0-9]* -> $PA:7000 " "$tmp/text" |
	grep -q "NEW (udp-new) -> DROP by filter INPUT rule 5 (line [0-9]*)" ||
	fail "U: connected UDP orphan not reported"
grep -q ":6000 " "$tmp/text" && fail "C (no NAT) reported"
grep -q ":7001 " "$tmp/text" && fail "unconnected UDP socket reported"
python3 - "$tmp/json" <<'EOF' || fail "JSON"
import json, sys
r = json.load(open(sys.argv[1]))
k = sorted((c['finding']['kind'], c['proto'], (c['finding'].get('nat') or {}).get('target', ''))
           for c in r['connections'] if c['finding'])
assert r['summary']['nat_lost'] == 2 and r['summary']['orphans'] == 3, r
assert k == [('nat-lost', 'tcp', 'DNAT'), ('nat-lost', 'tcp', 'SNAT'), ('no-entry', 'udp', '')], k
EOF
grep -q '^ctguard_nat_lost_connections 2$' "$tmp/audit.prom" || fail "prometheus nat_lost"
if command -v promtool >/dev/null; then
	promtool check metrics <"$tmp/audit.prom" || fail "promtool"
fi

# Reality. B: the server speaks first; its reply leaves untranslated from .1:8080.
say hb two
say pa two
say pc two
say pu two
sleep 1
say pb two
sleep 2
got hc two || fail "C (no NAT) stopped carrying P -> H data"
got ha two && fail "A: P's data reached H although the SNAT mapping is gone"
got hb two && fail "B: P's data reached H although the DNAT mapping is gone"
got hu two && fail "U: P's datagram reached H although its entry is gone"
got pb two && echo "note: B's server data reached P" || echo "B: server data did not reach P (untranslated source)"
echo "observed after the wipe: A, B, U carry no P -> H data, C does"

# Heal: U (connected UDP) gets its entry back; A is refused (a plain entry cannot restore a
# NAT mapping), and nothing is inserted for A or B.
inh "$CTGUARD" heal >"$tmp/heal"
cat "$tmp/heal"
grep -q "^healed: conntrack -I -f ipv4 -p udp -s $HA -d $PA --sport [0-9]* --dport 7000 -u SEEN_REPLY,ASSURED -t 120$" "$tmp/heal" ||
	fail "U: connected UDP orphan not healed"
# (B's server has spoken since the wipe, so B now has an entry of its own: no longer a
# no-entry orphan; A still is.)
grep -A1 '^not healable (a plain entry cannot restore the lost NAT mapping)' "$tmp/heal" |
	grep -q "ORPHANED tcp $HA:[0-9]* -> $PA:5000 " || fail "A: expected a 'not healable' NAT line"
grep -q "^1 inserted, 0 refused, 0 failed" "$tmp/heal" || fail "heal summary"
inh conntrack -L -p tcp 2>/dev/null | grep -q "dport=5000\|dport=80 \|sport=8080" &&
	fail "heal inserted an entry for a NAT-lost connection"
say pu three
wait_for "got hu three" || fail "U: P's datagram still dropped after heal"
echo "U: P's datagram arrives again after heal"
echo PASS
