#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Generate a large conntrack table (conntrack -L text) and a matching ruleset with user
chains, for bench/check-bench and tests of `ctguard check`.

The local host is 10.50.0.1. Connections:
  - server role: clients in 10.64.0.0/12 connect to local ports 22/80/443/3306/5432/8080
  - client role: local ephemeral ports connect to servers in 10.96.0.0/16 (3306/443/6379)
  - udp: local ephemeral ports to resolvers 10.96.0.0/24:53
The ruleset: filter INPUT DROP, an ESTABLISHED accept, then one jump per /16 of the client
space to a user chain holding per-/24 rules (ACCEPT / DROP / RETURN), then a few service
rules. Deterministic for a given seed.

Usage: gen-ct.py --conns N --rules N [--seed S] --ct FILE --ruleset FILE
"""
import argparse
import random

LOCAL = "10.50.0.1"
SERVER_PORTS = [22, 80, 443, 3306, 5432, 8080]
CLIENT_PORTS = [3306, 443, 6379]


def gen_rules(nrules, rnd, f):
    f.write("*filter\n:INPUT DROP [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n")
    nchains = 16  # 10.64.0.0/16 .. 10.79.0.0/16
    per_chain = max(1, (nrules - 40) // nchains)
    chains = ["NET-%02d" % i for i in range(nchains)]
    for c in chains:
        f.write(":%s - [0:0]\n" % c)
    f.write("-A INPUT -i lo -j ACCEPT\n")
    f.write("-A INPUT -m state --state RELATED,ESTABLISHED -j ACCEPT\n")
    for i, c in enumerate(chains):
        f.write("-A INPUT -s 10.%d.0.0/16 -j %s\n" % (64 + i, c))
    for p in (22, 80, 443):
        f.write("-A INPUT -p tcp -m tcp --dport %d -j ACCEPT\n" % p)
    f.write("-A INPUT -p udp -m udp --sport 53 -j ACCEPT\n")
    f.write("-A INPUT -s 10.96.0.0/16 -p tcp -m tcp --sport 6379 -j ACCEPT\n")
    for i, c in enumerate(chains):
        for j in range(per_chain):
            net = "10.%d.%d.0/24" % (64 + i, j % 256)
            port = rnd.choice(SERVER_PORTS)
            act = rnd.choice(["ACCEPT", "ACCEPT", "DROP", "RETURN"])
            if j % 7 == 3:
                f.write("-A %s -s %s -p tcp -m multiport --dports %d,%d -j %s\n" %
                        (c, net, port, port + 1000, act))
            else:
                f.write("-A %s -s %s -p tcp -m tcp --dport %d -j %s\n" % (c, net, port, act))
        f.write("-A %s -p tcp -m tcp --dport 3306 -j RETURN\n" % c)
    f.write("COMMIT\n")


def ct_line(proto, state, src, dst, sport, dport, status):
    head = "%-8s %d %d " % (proto, 6 if proto == "tcp" else 17, 431999 if proto == "tcp" else 170)
    if state:
        head += state + " "
    return ("%ssrc=%s dst=%s sport=%d dport=%d src=%s dst=%s sport=%d dport=%d %smark=0 use=1\n" %
            (head, src, dst, sport, dport, dst, src, dport, sport, status))


def gen_ct(n, rnd, f):
    used = set()
    for i in range(n):
        r = rnd.random()
        while True:
            if r < 0.6:
                peer = "10.%d.%d.%d" % (rnd.randrange(64, 80), rnd.randrange(256), rnd.randrange(1, 255))
                key = (peer, rnd.randrange(32768, 61000), rnd.choice(SERVER_PORTS))
                proto, src, dst, sport, dport = "tcp", peer, LOCAL, key[1], key[2]
            elif r < 0.9:
                peer = "10.96.%d.%d" % (rnd.randrange(256), rnd.randrange(1, 255))
                key = (peer, rnd.randrange(32768, 61000), rnd.choice(CLIENT_PORTS))
                proto, src, dst, sport, dport = "tcp", LOCAL, peer, key[1], key[2]
            else:
                peer = "10.96.0.%d" % rnd.randrange(1, 9)
                key = (peer, rnd.randrange(32768, 61000), 53)
                proto, src, dst, sport, dport = "udp", LOCAL, peer, key[1], key[2]
            if (proto,) + key not in used:
                used.add((proto,) + key)
                break
        if proto == "tcp":
            f.write(ct_line("tcp", "ESTABLISHED", src, dst, sport, dport, "[ASSURED] "))
        else:
            f.write(ct_line("udp", None, src, dst, sport, dport, "[ASSURED] "))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--conns", type=int, default=1000000)
    ap.add_argument("--rules", type=int, default=10000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--ct")
    ap.add_argument("--ruleset")
    a = ap.parse_args()
    rnd = random.Random(a.seed)
    if a.ruleset:
        with open(a.ruleset, "w") as f:
            gen_rules(a.rules, rnd, f)
    if a.ct:
        with open(a.ct, "w") as f:
            gen_ct(a.conns, rnd, f)


if __name__ == "__main__":
    main()
