#!/usr/bin/env python3
# ctpkt.py SRC DST PROTO [options] -- send one raw IPv4 packet with SO_MARK 7 (test only).
#   tcp: --sport N --dport N --flags SA --seq N --ack N --len N
#   udp: --sport N --dport N
#   icmp: --type T --code C --id N ; errors: --inner-proto udp --inner-src A --inner-dst B
#         --inner-sport N --inner-dport N
import argparse, socket, struct

def csum(b):
    if len(b) % 2:
        b += b'\0'
    s = sum(struct.unpack('!%dH' % (len(b) // 2), b))
    s = (s >> 16) + (s & 0xffff)
    s += s >> 16
    return (~s) & 0xffff

def iphdr(src, dst, proto, plen):
    ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + plen, 1, 0, 64, proto, 0,
                     socket.inet_aton(src), socket.inet_aton(dst))
    return ip[:10] + struct.pack('!H', csum(ip)) + ip[12:]

def tcp(a):
    bits = {'F': 1, 'S': 2, 'R': 4, 'P': 8, 'A': 16, 'U': 32, 'E': 64, 'C': 128}
    fl = sum(bits[c] for c in a.flags if c != '.')
    seg = struct.pack('!HHIIBBHHH', a.sport, a.dport, a.seq, a.ack, 5 << 4, fl, 64000, 0, 0)
    seg += b'y' * a.len
    ph = socket.inet_aton(a.src) + socket.inet_aton(a.dst) + struct.pack('!BBH', 0, 6, len(seg))
    c = csum(ph + seg)
    return seg[:16] + struct.pack('!H', c) + seg[18:]

def udp(a):
    return struct.pack('!HHHH', a.sport, a.dport, 8 + a.len, 0) + b'u' * a.len

def icmp(a):
    if a.inner_proto:
        ip = iphdr(a.inner_src, a.inner_dst, {'udp': 17, 'tcp': 6}[a.inner_proto], 8)
        body = ip + struct.pack('!HHHH', a.inner_sport, a.inner_dport, 8, 0)
        msg = struct.pack('!BBHI', a.type, a.code, 0, 0) + body
    else:
        msg = struct.pack('!BBHHH', a.type, a.code, 0, a.id, 1) + b'p' * 8
    return msg[:2] + struct.pack('!H', csum(msg)) + msg[4:]

p = argparse.ArgumentParser()
p.add_argument('src'); p.add_argument('dst'); p.add_argument('proto')
for o in ('sport', 'dport', 'seq', 'ack', 'len', 'type', 'code', 'id', 'inner_sport', 'inner_dport'):
    p.add_argument('--' + o.replace('_', '-'), type=int, default=0)
p.add_argument('--flags', default='A')
p.add_argument('--inner-proto'); p.add_argument('--inner-src'); p.add_argument('--inner-dst')
a = p.parse_args()
payload = {'tcp': tcp, 'udp': udp, 'icmp': icmp}[a.proto](a)
proto = {'tcp': 6, 'udp': 17, 'icmp': 1}[a.proto]
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
s.setsockopt(socket.SOL_SOCKET, 36, 7)  # SO_MARK
s.sendto(iphdr(a.src, a.dst, proto, len(payload)) + payload, (a.dst, 0))
