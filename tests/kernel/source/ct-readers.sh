#!/bin/bash
# The three conntrack readers (ctnetlink, `conntrack -L [-o extended]` text,
# /proc/net/nf_conntrack) give identical tables for the same kernel state: TCP, UDP, ICMP,
# ICMPv6, IPv4/IPv6, NAT, marks, zones, UNREPLIED and ASSURED entries.
NET=${CTG_TEST_NET:-43}
. "$(dirname "$0")/lib-ns.sh"
BULK=${CTG_BUILDDIR:?}/tools/ct-bulk-insert
DUMP=${CTG_BUILDDIR:?}/tests/kernel/source/ctg-ct-dump

# real flows: ICMP, ICMPv6, TCP, unanswered UDP, DNAT'd TCP
ip netns exec $A iptables -t nat -A OUTPUT -d 10.200.$NET.99 -p tcp --dport 80 \
	-j DNAT --to-destination 10.200.$NET.2:3306 || exit 1
ip netns exec $B socat TCP4-LISTEN:3306,fork,reuseaddr EXEC:cat &
sleep 0.5
ip netns exec $A $PY - 10.200.$NET.2 fd00:200::$NET:2 <<'PYEOF' || exit 1
import socket, struct, sys
def csum(b):
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    s = (s >> 16) + (s & 0xffff); s += s >> 16
    return ~s & 0xffff
for fam, proto, typ, dst in ((socket.AF_INET, 1, 8, sys.argv[1]), (socket.AF_INET6, 58, 128, sys.argv[2])):
    s = socket.socket(fam, socket.SOCK_RAW, proto)
    s.settimeout(2)
    hdr = struct.pack("!BBHHH", typ, 0, 0, 77, 1) + b"ctguard!"
    if proto == 1:
        hdr = hdr[:2] + struct.pack("!H", csum(hdr)) + hdr[4:]
    s.sendto(hdr, (dst, 0))
    s.recv(100)
PYEOF
ip netns exec $A socat -u EXEC:"sleep 30" TCP4:10.200.$NET.2:3306 &
ip netns exec $A socat -u EXEC:"sleep 30" TCP4:10.200.$NET.99:80 &
echo x | ip netns exec $A socat -u - UDP4-SENDTO:10.200.$NET.2:9999
sleep 1
# inserted: 300 TCP v4 with a mark, 100 UDP v6, zone entries
ip netns exec $A $BULK -n 300 -m 0x2a -o 201 >/dev/null || exit 1
ip netns exec $A $BULK -n 100 -6 -p udp -o 202 >/dev/null || exit 1
ip netns exec $A conntrack -I -p tcp -s 10.203.0.1 -d 10.203.0.2 --sport 1 --dport 2 \
	--state SYN_SENT -t 100 -w 7 >/dev/null 2>&1 || exit 1

ip netns exec $A $DUMP nl >"$TMP/nl" || exit 1
ip netns exec $A $DUMP proc >"$TMP/proc" || exit 1
ip netns exec $A conntrack -L >"$TMP/L.txt" 2>/dev/null
ip netns exec $A conntrack -L -o extended >"$TMP/Lx.txt" 2>/dev/null
$DUMP text "$TMP/L.txt" >"$TMP/L" || exit 1
$DUMP text "$TMP/Lx.txt" >"$TMP/Lx" || exit 1

n=$(wc -l <"$TMP/nl")
want=$(wc -l <"$TMP/L.txt")
[ "$n" -ge 406 ] || { echo "netlink read only $n entries"; exit 1; }
[ "$n" = "$want" ] || { echo "netlink $n entries, conntrack -L $want"; exit 1; }
for f in proc L Lx; do
	if ! diff -u "$TMP/nl" "$TMP/$f" >"$TMP/diff"; then
		echo "netlink and $f readers differ:"; head -20 "$TMP/diff"; exit 1
	fi
done
for want in " 1 10.200.$NET.1:" " 58 fd00:200::$NET:1:" "10.200.$NET.99:80" \
	"status=0x8 mark=0 zone=7" "mark=42" "10.200.$NET.2:9999 .* status=0x8 "; do
	grep -q -- "$want" "$TMP/nl" || { echo "missing: $want"; cat "$TMP/nl" | grep -v 10.201 | grep -v fd00:ca; exit 1; }
done
echo "ok: $n entries identical through netlink, /proc, conntrack -L, conntrack -L -o extended"
