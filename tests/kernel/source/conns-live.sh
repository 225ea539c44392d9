#!/bin/bash
# ctguard conns --format json agrees entry for entry with `conntrack -L` and `ss -tuanp`
# for live TCP/UDP flows (IPv4 and IPv6) between two namespaces plus inserted entries.
NET=${CTG_TEST_NET:-42}
. "$(dirname "$0")/lib-ns.sh"
BULK=${CTG_BUILDDIR:?}/tools/ct-bulk-insert

# entries get a start time, so conns can show their age
ip netns exec $A sysctl -qw net.netfilter.nf_conntrack_timestamp=1 || exit 1
# B: a TCP echo server on 3306 (v4+v6) and a UDP responder on 5353
ip netns exec $B socat TCP6-LISTEN:3306,fork,reuseaddr,ipv6only=0 EXEC:cat &
ip netns exec $B socat UDP4-RECVFROM:5353,fork EXEC:cat &
sleep 0.5
# A: three TCP clients (two v4, one v6), one connected UDP socket, one local listener
for i in 1 2; do
	ip netns exec $A socat -u EXEC:"sleep 60" TCP4:10.200.$NET.2:3306 &
done
ip netns exec $A socat -u EXEC:"sleep 60" TCP6:[fd00:200::$NET:2]:3306 &
ip netns exec $A $PY -c "
import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.connect(('10.200.$NET.2', 5353)); s.send(b'ping'); s.recv(10); time.sleep(60)" &
ip netns exec $A socat TCP4-LISTEN:2222,reuseaddr EXEC:cat &
sleep 1.5
ip netns exec $A $BULK -n 50 -o 201 >/dev/null || exit 1
ip netns exec $A $BULK -n 5 -6 -p udp -o 202 >/dev/null || exit 1

ip netns exec $A $CTGUARD conns --format json >"$TMP/conns.json" || { echo "conns failed"; exit 1; }
ip netns exec $A conntrack -L -o extended >"$TMP/ct.txt" 2>/dev/null
ip netns exec $A ss -tuanpH >"$TMP/ss.txt"
# also through the text readers: the same three inputs from files
$CTGUARD conns --format json --conntrack "$TMP/ct.txt" --sockets "$TMP/ss.txt" \
	>"$TMP/conns-files.json" || { echo "conns from files failed"; exit 1; }

$PY - "$TMP" <<'PYEOF'
import ipaddress, json, re, sys
tmp = sys.argv[1]
conns = json.load(open(tmp + "/conns.json"))["connections"]
files = json.load(open(tmp + "/conns-files.json"))["connections"]

def norm(a):
    return str(ipaddress.ip_address(a))

# conntrack -L: set of (proto, orig tuple, reply tuple)
ct = set()
for line in open(tmp + "/ct.txt"):
    f = line.split()
    proto = f[2]
    kv = [x.split("=", 1) for x in f if "=" in x]
    tup = [v for k, v in kv if k in ("src", "dst", "sport", "dport")]
    ct.add((proto, norm(tup[0]), norm(tup[1]), int(tup[2]), int(tup[3]),
            norm(tup[4]), norm(tup[5]), int(tup[6]), int(tup[7])))
got_ct = set()
for c in conns:
    e = c["conntrack"]
    if e:
        o, r = e["orig"], e["reply"]
        got_ct.add((c["proto"], o["src"], o["dst"], o["sport"], o["dport"],
                    r["src"], r["dst"], r["sport"], r["dport"]))
assert got_ct == ct, "conntrack differs:\n only conns: %s\n only -L: %s" % (got_ct - ct, ct - got_ct)

# ss: connected sockets (peer port not *) with their process
def ep(s):
    host, port = s.rsplit(":", 1)
    host = host.strip("[]").split("%")[0]
    if host == "*":
        host = "::"
    a = ipaddress.ip_address(host)
    if a.version == 6 and a.ipv4_mapped:
        a = a.ipv4_mapped
    return str(a), (0 if port == "*" else int(port))
ss = set()
for line in open(tmp + "/ss.txt"):
    f = line.split()
    if f[1] == "LISTEN" or f[6 - 1].endswith(":*"):
        continue
    m = re.search(r'users:\(\("([^"]+)",pid=(\d+)', line)
    ss.add((f[0], f[1]) + ep(f[4]) + ep(f[5]) + ((m.group(1), int(m.group(2))) if m else (None, None)))
st = {"ESTAB": "ESTAB"}
got_ss = set()
for c in conns:
    s = c["socket"]
    if s:
        got_ss.add((c["proto"], s["state"], c["local"], c["local_port"],
                    c["peer"], c["peer_port"], s["process"], s["pid"]))
assert got_ss == ss, "sockets differ:\n only conns: %s\n only ss: %s" % (got_ss - ss, ss - got_ss)

# the live flows: every client socket found its entry, in the original direction
clients = [c for c in conns if c["socket"] and c["local_port"] != 2222]
assert len(clients) == 4, clients
for c in clients:
    assert c["role"] == "client", c
    assert c["conntrack"] and c["conntrack"]["direction"] == "original", c
    assert c["conntrack"]["age"] is not None and 0 <= c["conntrack"]["age"] < 60, c
assert sum(1 for c in clients if c["service"] == "mysql") == 3
fwd = [c for c in conns if c["role"] == "forward"]
assert len(fwd) == 55, len(fwd)
assert len(conns) == 4 + 55, len(conns)

# files give the same rows (process, tuples, roles; not inode/uid/id/timeouts)
def key(c):
    s, e = c["socket"], c["conntrack"]
    return (c["proto"], c["local"], c["local_port"], c["peer"],
            c["peer_port"], c["role"], c["service"],
            s and (s["state"], s["process"], s["pid"]),
            e and (e["state"], e["direction"], json.dumps(e["orig"]), json.dumps(e["reply"])))
a, b = sorted(map(key, conns), key=repr), sorted(map(key, files), key=repr)
assert a == b, "live and file readers differ:\n%s\n%s" % (set(a) - set(b), set(b) - set(a))
print("ok: %d rows, %d conntrack entries, %d sockets" % (len(conns), len(ct), len(ss)))
PYEOF
