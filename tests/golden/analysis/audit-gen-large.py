#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
# audit-gen-large.py DIR [ENTRIES] [SOCKETS]: a busy host for the audit cost measurement.
# Writes DIR/rules.v4 (classic INPUT DROP + ESTABLISHED + ~120 service rules + a user
# chain; FORWARD with per-subnet rules), DIR/conntrack.txt (`conntrack -L` text: the
# sockets' entries, then forwarded TCP/UDP flows up to ENTRIES) and DIR/sockets.ss
# (`ss -tanpH`: 100 listeners, the rest ESTABLISHED; 10% of those without an entry).
import os, random, sys

d = sys.argv[1]
nent = int(sys.argv[2]) if len(sys.argv) > 2 else 200000
nsock = int(sys.argv[3]) if len(sys.argv) > 3 else 10000
rnd = random.Random(42)
LOCAL = '10.1.0.2'
os.makedirs(d, exist_ok=True)

with open(os.path.join(d, 'rules.v4'), 'w') as f:
    f.write('*filter\n:INPUT DROP [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n:SERVICES - [0:0]\n')
    f.write('-A INPUT -i lo -j ACCEPT\n')
    f.write('-A INPUT -m state --state RELATED,ESTABLISHED -j ACCEPT\n')
    f.write('-A INPUT -p tcp -m state --state NEW -j SERVICES\n')
    for i in range(60):
        f.write('-A INPUT -s 192.0.2.%d/32 -p tcp -m tcp --dport %d -j ACCEPT\n' % (i, 9000 + i))
    f.write('-A FORWARD -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT\n')
    for i in range(40):
        f.write('-A FORWARD -s 10.50.%d.0/24 -p tcp -m multiport --dports 80,443 -j ACCEPT\n' % i)
    for p in [22, 80, 443, 25, 587, 993, 5432, 6379, 11211, 8080]:
        f.write('-A SERVICES -p tcp -m tcp --dport %d --tcp-flags FIN,SYN,RST,ACK SYN -j ACCEPT\n' % p)
    f.write('COMMIT\n')

ct = open(os.path.join(d, 'conntrack.txt'), 'w')
ss = open(os.path.join(d, 'sockets.ss'), 'w')
n = 0
svc = [22, 80, 443, 5432, 6379]
for i in range(100):
    ss.write('LISTEN 0 128 0.0.0.0:%d 0.0.0.0:* users:(("srv%d",pid=%d,fd=3))\n' % (20000 + i, i, 1000 + i))
for i in range(nsock - 100):
    peer = '10.%d.%d.%d' % (2 + i % 50, (i // 50) % 250, 1 + i % 200)
    if i % 2:
        lport, pport = 32768 + i, rnd.choice([3306, 443, 5432, 9200])
        o = (LOCAL, peer, lport, pport)
    else:
        lport, pport = rnd.choice(svc), 40000 + i % 20000
        o = (peer, LOCAL, pport, lport)
    ss.write('ESTAB 0 0 %s:%d %s:%d users:(("app",pid=%d,fd=%d))\n' % (LOCAL, lport, peer, pport, 3000 + i % 500, 10 + i % 1000))
    if i % 10 == 0:
        continue  # no entry: an orphan candidate
    s, dd, sp, dp = o
    ct.write('tcp      6 431000 ESTABLISHED src=%s dst=%s sport=%d dport=%d src=%s dst=%s sport=%d dport=%d [ASSURED] mark=0 use=1\n'
             % (s, dd, sp, dp, dd, s, dp, sp))
    n += 1
while n < nent:
    s = '10.50.%d.%d' % (rnd.randrange(60), rnd.randrange(1, 255))
    dd = '198.51.%d.%d' % (rnd.randrange(256), rnd.randrange(1, 255))
    sp, dp = rnd.randrange(1024, 65535), rnd.choice([80, 443, 53, 8443])
    if dp == 53:
        ct.write('udp      17 25 src=%s dst=%s sport=%d dport=53 src=%s dst=%s sport=53 dport=%d mark=0 use=1\n' % (s, dd, sp, dd, s, sp))
    else:
        st = rnd.choice(['ESTABLISHED'] * 8 + ['TIME_WAIT', 'FIN_WAIT'])
        ct.write('tcp      6 %d %s src=%s dst=%s sport=%d dport=%d src=%s dst=%s sport=%d dport=%d [ASSURED] mark=0 use=1\n'
                 % (rnd.randrange(100, 432000), st, s, dd, sp, dp, dd, s, dp, sp))
    n += 1
ct.close(); ss.close()
