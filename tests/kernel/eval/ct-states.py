#!/usr/bin/env python3
"""Conntrack states, model against kernel: for every scripted packet, the ctstate
`ctguard trace` predicts from the namespace's `conntrack -L` equals the one the kernel's
counting rules (-m conntrack --ctstate X, no target) saw.

Usage: ct-states.py NS_LOCAL NS_PEER LOCAL_IP PEER_IP WORKDIR  (namespaces set up by ct-states.sh)
"""
import json, os, subprocess, sys, time

CTGUARD = os.environ.get('CTGUARD', 'ctguard')
HERE = os.path.dirname(os.path.abspath(__file__))
NA, NB, L, P, WORK = sys.argv[1:6]
STATES = ('INVALID', 'NEW', 'ESTABLISHED', 'RELATED', 'UNTRACKED')
FLAGNAMES = {'S': 'SYN', 'A': 'ACK', 'F': 'FIN', 'R': 'RST', 'P': 'PSH', 'U': 'URG'}


def sh(ns, *cmd, check=True):
    r = subprocess.run(['ip', 'netns', 'exec', ns] + list(cmd), capture_output=True, text=True)
    if check and r.returncode:
        raise SystemExit('command failed: %s\n%s' % (' '.join(cmd), r.stderr))
    return r.stdout


def rules():
    c = ['*raw', ':PREROUTING ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]',
         # kernel-made answers (RST, port unreachable) must not touch conntrack
         '-A OUTPUT -m mark ! --mark 0x7 -j DROP', 'COMMIT',
         '*filter', ':INPUT DROP [0:0]', ':FORWARD DROP [0:0]', ':OUTPUT ACCEPT [0:0]']
    for s in STATES:
        c.append('-A INPUT -s %s/32 -m conntrack --ctstate %s -m comment --comment in_%s' % (P, s, s))
    c.append('-A INPUT -m state --state RELATED,ESTABLISHED -j ACCEPT')
    for s in STATES:
        c.append('-A OUTPUT -d %s/32 -m conntrack --ctstate %s -m comment --comment out_%s' % (P, s, s))
    c.append('COMMIT')
    return '\n'.join(c) + '\n'


def kernel_state(chain, prefix):
    out = sh(NA, 'iptables', '-w', '-L', chain, '-v', '-n', '-x')
    hit = []
    for line in out.splitlines():
        f = line.split()
        if '/*' in f and f[0].isdigit() and int(f[0]) > 0:
            name = f[f.index('/*') + 1]
            if name.startswith(prefix):
                hit.append(name[len(prefix):])
    return ','.join(hit) or 'none'


def model_state(d, proto, pk, loose):
    ct = os.path.join(WORK, 'ct.txt')
    with open(ct, 'w') as f:
        f.write(sh(NA, 'conntrack', '-L', check=False))
    src, dst = (L, P) if d == 'out' else (P, L)
    args = [CTGUARD, 'trace', '--rules', os.path.join(WORK, 'rules'), '--conntrack', ct,
            '--sysctl', 'nf_conntrack_tcp_loose=%d' % loose,
            '--sysctl', 'nf_conntrack_tcp_be_liberal=0',
            '--hook', 'output' if d == 'out' else 'input', '--format', 'json',
            '--mark', '7' if d == 'out' else '0']
    if proto == 'tcp':
        args += ['--flags', ','.join(FLAGNAMES[c] for c in pk['flags'])]
    if proto == 'icmp':
        args += ['--icmp-type', '%d/%d' % (pk['type'], pk.get('code', 0)), '--icmp-id', str(pk.get('id', 0))]
        if 'inner' in pk:
            ip_, isrc, isp, idst, idp = pk['inner']
            args += ['--inner', '%s %s:%d %s:%d' % (ip_, isrc, isp, idst, idp)]
        args += [proto, src, dst]
    else:
        args += [proto, '%s:%d' % (src, pk['sport']), '%s:%d' % (dst, pk['dport'])]
    r = subprocess.run(args, capture_output=True, text=True)
    if r.returncode:
        return 'error(%d): %s' % (r.returncode, r.stderr.strip().splitlines()[-1:] or '')
    return json.loads(r.stdout)['ctstate']


def send(d, proto, pk):
    src, dst = (L, P) if d == 'out' else (P, L)
    args = ['python3', os.path.join(HERE, 'ctpkt.py'), src, dst, proto]
    for k, v in pk.items():
        if k == 'inner':
            ip_, isrc, isp, idst, idp = v
            args += ['--inner-proto', ip_, '--inner-src', isrc, '--inner-sport', str(isp),
                     '--inner-dst', idst, '--inner-dport', str(idp)]
        else:
            args += ['--' + k, str(v)]
    sh(NA if d == 'out' else NB, *args)
    time.sleep(0.05)


def tcp(d, lp, flags, seq=0, ack=0, ln=0):
    sp, dp = (lp, 3306) if d == 'out' else (3306, lp)
    return (d, 'tcp', {'sport': sp, 'dport': dp, 'flags': flags, 'seq': seq, 'ack': ack, 'len': ln})


def udp(d, lp, pp=53):
    sp, dp = (lp, pp) if d == 'out' else (pp, lp)
    return (d, 'udp', {'sport': sp, 'dport': dp})


def icmp(d, t, code=0, ident=0, inner=None):
    pk = {'type': t, 'code': code, 'id': ident}
    if inner:
        pk['inner'] = inner
    return (d, 'icmp', pk)


def handshake(lp):
    return [tcp('out', lp, 'S', 1000), tcp('in', lp, 'SA', 5000, 1001), tcp('out', lp, 'A', 1001, 5001),
            tcp('in', lp, 'PA', 5001, 1001, 10), tcp('out', lp, 'A', 1001, 5011)]


FLUSH = ('flush',)
SCENARIOS = [
    ('handshake+close', 1, handshake(41001) + [
        tcp('out', 41001, 'S', 1001), tcp('in', 41001, 'FA', 5011, 1001),
        tcp('out', 41001, 'FA', 1001, 5012), tcp('in', 41001, 'A', 5012, 1002)]),
    ('wipe, peer first, loose=1', 1, handshake(41002) + [FLUSH,
        tcp('in', 41002, 'PA', 5011, 1001, 10), tcp('in', 41002, 'PA', 5011, 1001, 10),
        tcp('out', 41002, 'PA', 1001, 5011, 5), tcp('in', 41002, 'A', 5011, 1006),
        tcp('in', 41002, 'PA', 5011, 1006, 10)]),
    ('wipe, peer first, loose=0', 0, handshake(41003) + [FLUSH,
        tcp('in', 41003, 'PA', 5011, 1001, 10), tcp('out', 41003, 'PA', 1001, 5011, 5),
        tcp('in', 41003, 'A', 5011, 1006), tcp('out', 41003, 'S', 9000)]),
    ('wipe, local first, loose=1', 1, handshake(41004) + [FLUSH,
        tcp('out', 41004, 'PA', 1001, 5011, 5), tcp('in', 41004, 'A', 5011, 1006),
        tcp('out', 41004, 'A', 1006, 5011)]),
    ('no entry: flag classes, loose=1', 1, [
        tcp('in', 41005, 'S', 7000), tcp('in', 41005, 'SA', 7000, 1), tcp('in', 41005, 'FA', 7000, 1),
        tcp('in', 41005, 'F', 7000), tcp('in', 41005, 'R', 7000), tcp('in', 41005, 'RA', 7000, 1),
        tcp('in', 41005, '', 7000), tcp('in', 41005, 'SF', 7000), tcp('in', 41005, 'UA', 7000, 1)]),
    ('SYN on TIME_WAIT (peer closed 1st)', 1, handshake(41006) + [
        tcp('in', 41006, 'FA', 5011, 1001), tcp('out', 41006, 'FA', 1001, 5012),
        tcp('in', 41006, 'A', 5012, 1002), tcp('out', 41006, 'S', 20000),
        tcp('in', 41006, 'SA', 30000, 20001)]),
    ('RST before any reply', 1, [tcp('out', 41007, 'S', 1000), tcp('in', 41007, 'RA', 0, 1001),
                                 tcp('out', 41007, 'S', 1000)]),
    ('udp', 1, [udp('out', 5353), udp('in', 5353), udp('in', 5353, 54), udp('out', 5353)]),
    ('icmp echo', 1, [icmp('out', 8, ident=77), icmp('in', 0, ident=77), icmp('in', 0, ident=78),
                      icmp('in', 8, ident=79)]),
    ('icmp error for a tracked flow', 1, [udp('out', 6000),
        icmp('in', 3, 3, inner=('udp', L, 6000, P, 53)),
        icmp('in', 3, 3, inner=('udp', L, 6001, P, 53))]),
]


def describe(d, proto, pk):
    if proto == 'tcp':
        return '%s tcp %s%s' % (d, pk['flags'] or 'none', ' len=%d' % pk['len'] if pk['len'] else '')
    if proto == 'udp':
        return '%s udp %d->%d' % (d, pk['sport'], pk['dport'])
    return '%s icmp %d/%d%s' % (d, pk['type'], pk['code'], ' (error)' if 'inner' in pk else '')


def main():
    with open(os.path.join(WORK, 'rules'), 'w') as f:
        f.write(rules())
    sh(NA, 'iptables-restore', os.path.join(WORK, 'rules'))
    total = bad = 0
    print('%-34s %-28s %-12s %-12s %s' % ('scenario', 'packet', 'kernel', 'model', ''))
    for name, loose, steps in SCENARIOS:
        sh(NA, 'conntrack', '-F', check=False)
        sh(NA, 'sysctl', '-qw', 'net.netfilter.nf_conntrack_tcp_loose=%d' % loose)
        for st in steps:
            if st == FLUSH:
                sh(NA, 'conntrack', '-F', check=False)
                print('%-34s %-28s' % (name, '(conntrack -F)'))
                continue
            d, proto, pk = st
            model = model_state(d, proto, pk, loose)
            sh(NA, 'iptables', '-w', '-Z')
            send(d, proto, pk)
            kern = kernel_state('OUTPUT' if d == 'out' else 'INPUT', 'out_' if d == 'out' else 'in_')
            ok = kern == model
            total += 1
            bad += not ok
            print('%-34s %-28s %-12s %-12s %s' % (name, describe(d, proto, pk), kern, model,
                                                  'ok' if ok else 'MISMATCH'))
    print('%d packets, %d agree, %d differ' % (total, total - bad, bad))
    return 1 if bad else 0


sys.exit(main())
