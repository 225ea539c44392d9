#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Differential test: `ctguard trace` against the real kernel in network namespaces.

Topology (names unique per run):  A (sender) --veth-- R (host under test) --veth-- B
  R: ra0 10.200.131.1/24 (+ .100), fd00:200::131:1/112 (+ :100); rb0 10.200.132.1/24,
  fd00:200::132:1/112; forwarding on, rp_filter off.
Per batch: a random ruleset (raw + mangle + filter, gen_ruleset.py) or a corpus ruleset
(corpus.py, --corpus) is restored into R, conntrack entries are inserted for some packets
(`conntrack -I`), then crafted IPv4 or IPv6 packets are sent: from A to R (input), from A
through R to B's subnet (forward), from R itself (output).  Every packet carries TTL/hop
limit 77 and a distinct IP ID / flow label.  An nft table `inet ctgobs` in R records:
  - the ct state of each packet (prerouting/output, priority -190: after conntrack,
    before filter),
  - which packets got past every table (input priority 500; postrouting priority 500 for
    forward (TTL 76 there) and output).
A sentinel packet (TTL 78) recorded at prerouting priority -450 tells when A's packets
have all been processed.  The same ruleset (iptables-save of R), conntrack view
(`conntrack -L` of R) and sysctl are given to `ctguard trace` for each packet; the
kernel's verdict (accepted or not) and ct state are compared with ctguard's.

Usage: difftest.py [--seed S] [--cases N] [--minimize] [--report FILE] [--corpus DIR] ...
       difftest.py --kernel-selftest | --kernel-only      (no ctguard needed)
Exit 0 only if every case agrees.
"""

import argparse
import ctypes
import json
import os
import random
import re
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
from collections import Counter

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import corpus  # noqa: E402
import gen_ruleset  # noqa: E402
from gen_ruleset import V6  # noqa: E402

CLONE_NEWNET = 0x40000000
TTL_CASE, TTL_SENTINEL = 77, 78
BACKEND = "nft"  # iptables-nft or iptables-legacy in R (--backend)
CT_STATES = ["new", "established", "related", "invalid", "untracked"]
libc = ctypes.CDLL("libc.so.6", use_errno=True)


def setns(path):
    fd = os.open(path, os.O_RDONLY)
    try:
        if libc.setns(fd, CLONE_NEWNET) != 0:
            e = ctypes.get_errno()
            raise OSError(e, "setns %s: %s" % (path, os.strerror(e)))
    finally:
        os.close(fd)


def run(cmd, inp=None, check=True):
    r = subprocess.run(cmd, input=inp, capture_output=True, text=True)
    if check and r.returncode != 0:
        raise RuntimeError("%s failed (%d): %s" % (" ".join(cmd), r.returncode, r.stderr.strip()))
    return r


# -- packets ------------------------------------------------------------------

def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    s = (s >> 16) + (s & 0xffff)
    s += s >> 16
    return (~s) & 0xffff


FLAG_BITS = {"FIN": 1, "SYN": 2, "RST": 4, "PSH": 8, "ACK": 16, "URG": 32, "ECE": 64, "CWR": 128}


def build(p, ipid, ttl=TTL_CASE):
    src, dst = socket.inet_aton(p["src"]), socket.inet_aton(p["dst"])
    if p["proto"] == "tcp":
        fl = 0
        for f in filter(None, p["flags"].split(",")):
            fl |= FLAG_BITS[f]
        seq = 1000 + ipid * 7919
        ack = 5000 if fl & FLAG_BITS["ACK"] else 0
        l4 = struct.pack("!HHIIBBHHH", p["sport"], p["dport"], seq, ack, 5 << 4, fl, 502, 0, 0)
        if fl & FLAG_BITS["PSH"]:
            l4 += b"x" * 8
        ph = src + dst + struct.pack("!BBH", 0, 6, len(l4))
        l4 = l4[:16] + struct.pack("!H", csum(ph + l4)) + l4[18:]
        pn = 6
    elif p["proto"] == "udp":
        data = b"ctg-diff"
        l4 = struct.pack("!HHHH", p["sport"], p["dport"], 8 + len(data), 0) + data
        ph = src + dst + struct.pack("!BBH", 0, 17, len(l4))
        c = csum(ph + l4) or 0xffff
        l4 = l4[:6] + struct.pack("!H", c) + l4[8:]
        pn = 17
    else:
        l4 = icmp_body(p, False)
        l4 = l4[:2] + struct.pack("!H", csum(l4)) + l4[4:]
        pn = 1
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(l4), ipid, 0, ttl, pn, 0, src, dst)
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    return ip + l4


def icmp_body(p, v6):
    """ICMP/ICMPv6 message with a zero checksum: echo request/reply or an error."""
    kind = p.get("icmp") or "echo"
    if kind != "error":
        t = {"echo": 128 if v6 else 8, "reply": 129 if v6 else 0}[kind]
        return struct.pack("!BBHHH", t, 0, 0, p["sport"], 1) + b"ctg-diff"
    inner = (build6(p["inner"], 4242, 64)[:48] if v6 else build(p["inner"], 4242, 64)[:28])
    t, c = p["icmp_tc"]
    return struct.pack("!BBHI", t, c, 0, 0) + inner


def build6(p, mark, hlim=TTL_CASE):
    src, dst = socket.inet_pton(socket.AF_INET6, p["src"]), socket.inet_pton(socket.AF_INET6, p["dst"])
    if p["proto"] == "tcp":
        fl = 0
        for f in filter(None, p["flags"].split(",")):
            fl |= FLAG_BITS[f]
        seq = 1000 + mark * 7919
        ack = 5000 if fl & FLAG_BITS["ACK"] else 0
        l4 = struct.pack("!HHIIBBHHH", p["sport"], p["dport"], seq, ack, 5 << 4, fl, 502, 0, 0)
        if fl & FLAG_BITS["PSH"]:
            l4 += b"x" * 8
        nh, co = 6, 16
    elif p["proto"] == "udp":
        data = b"ctg-diff"
        l4 = struct.pack("!HHHH", p["sport"], p["dport"], 8 + len(data), 0) + data
        nh, co = 17, 6
    else:
        l4 = icmp_body(p, True)
        nh, co = 58, 2
    ph = src + dst + struct.pack("!IxxxB", len(l4), nh)
    c = csum(ph + l4) or (0xffff if nh == 17 else 0)
    l4 = l4[:co] + struct.pack("!H", c) + l4[co + 2:]
    ip = struct.pack("!IHBB16s16s", (6 << 28) | (mark & 0xfffff), len(l4), nh, hlim, src, dst)
    return ip + l4


# -- topology -----------------------------------------------------------------

class Topo:
    def __init__(self, tag):
        self.ns = {k: "ctg-evaldiff-%d-%s%s" % (os.getpid(), k, tag) for k in "arb"}
        self.root = os.open("/proc/self/ns/net", os.O_RDONLY)
        self.made = []

    def nspath(self, k):
        return "/run/netns/" + self.ns[k]

    def up(self):
        a, r, b = self.ns["a"], self.ns["r"], self.ns["b"]
        for n in (a, r, b):
            run(["ip", "netns", "add", n])
            self.made.append(n)
        cmds = [
            ["ip", "-n", r, "link", "add", "ra0", "type", "veth", "peer", "name", "a0", "netns", a],
            ["ip", "-n", r, "link", "add", "rb0", "type", "veth", "peer", "name", "b0", "netns", b],
            ["ip", "-n", r, "addr", "add", "10.200.131.1/24", "dev", "ra0"],
            ["ip", "-n", r, "addr", "add", "10.200.131.100/24", "dev", "ra0"],
            ["ip", "-n", r, "addr", "add", "10.200.132.1/24", "dev", "rb0"],
            ["ip", "-n", a, "addr", "add", "10.200.131.2/24", "dev", "a0"],
            ["ip", "-n", b, "addr", "add", "10.200.132.2/24", "dev", "b0"],
            ["ip", "-n", r, "addr", "add", V6 + "131:1/112", "dev", "ra0", "nodad"],
            ["ip", "-n", r, "addr", "add", V6 + "131:100/112", "dev", "ra0", "nodad"],
            ["ip", "-n", r, "addr", "add", V6 + "132:1/112", "dev", "rb0", "nodad"],
            ["ip", "-n", a, "addr", "add", V6 + "131:2/112", "dev", "a0", "nodad"],
            ["ip", "-n", b, "addr", "add", V6 + "132:2/112", "dev", "b0", "nodad"],
        ]
        for n in (a, r, b):
            cmds.append(["ip", "-n", n, "link", "set", "lo", "up"])
        cmds += [["ip", "-n", r, "link", "set", "ra0", "up"], ["ip", "-n", r, "link", "set", "rb0", "up"],
                 ["ip", "-n", a, "link", "set", "a0", "up"], ["ip", "-n", b, "link", "set", "b0", "up"],
                 ["ip", "-n", a, "route", "add", "10.200.132.0/24", "via", "10.200.131.1"],
                 ["ip", "-n", b, "route", "add", "10.200.131.0/24", "via", "10.200.132.1"],
                 ["ip", "-n", a, "-6", "route", "add", V6 + "132:0/112", "via", V6 + "131:1"],
                 ["ip", "-n", b, "-6", "route", "add", V6 + "131:0/112", "via", V6 + "132:1"]]
        for c in cmds:
            run(c)
        # Static neighbours on A: no packet of a batch may wait for ARP/NDP behind the sentinel.
        mac = json.loads(run(["ip", "-n", r, "-j", "link", "show", "ra0"]).stdout)[0]["address"]
        for addr in ("10.200.131.1", "10.200.131.100", V6 + "131:1", V6 + "131:100"):
            run(["ip", "-n", a, "neigh", "replace", addr, "lladdr", mac, "nud", "permanent", "dev", "a0"])
        for k in ("net.ipv4.ip_forward=1", "net.ipv4.conf.all.rp_filter=0",
                  "net.ipv4.conf.default.rp_filter=0", "net.ipv4.conf.ra0.rp_filter=0",
                  "net.ipv4.conf.rb0.rp_filter=0", "net.ipv4.conf.all.accept_local=0",
                  "net.ipv6.conf.all.forwarding=1", "net.ipv6.conf.all.keep_addr_on_down=1"):
            run(["ip", "netns", "exec", r, "sysctl", "-qw", k])
        # Raw sockets: A's (input, forward) and R's (output); then live in R.
        setns(self.nspath("a"))
        self.sock_a = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
        self.sock_a6 = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_RAW)
        setns(self.nspath("r"))
        self.sock_r = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
        self.sock_r6 = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_RAW)

    def rename(self, names):
        """Renames R's A-side/B-side links (run inside R)."""
        cur = getattr(self, "names", ["ra0", "rb0"])
        if names == cur:
            return
        tmp = ["ctgtmp0", "ctgtmp1"]
        for old, t in zip(cur, tmp):
            run(["ip", "link", "set", "dev", old, "down"])
            run(["ip", "link", "set", "dev", old, "name", t])
        for t, new in zip(tmp, names):
            run(["ip", "link", "set", "dev", t, "name", new])
            run(["ip", "link", "set", "dev", new, "up"])
        for new in names:
            run(["sysctl", "-qw", "net.ipv4.conf.%s.rp_filter=0" % new.replace(".", "/")])
        self.names = list(names)

    def down(self):
        if libc.setns(self.root, CLONE_NEWNET) != 0:
            pass
        for n in self.made:
            subprocess.run(["ip", "netns", "del", n], capture_output=True)
        self.made = []


HOOKS = ["input", "forward", "output"]
OBS_SETS = (["sentinel"] + ["acc_" + h for h in HOOKS] + ["st_" + s for s in CT_STATES] +
            ["acc6_" + h for h in HOOKS] + ["st6_" + s for s in CT_STATES])


def observer_nft():
    sets = "".join("  set %s { typeof %s; flags dynamic; size 65535; }\n" % (
        s, "ip6 flowlabel" if s[2] == "6" or s[3] == "6" else "ip id") for s in OBS_SETS)
    st = "".join("    ip ttl %d ct state %s add @st_%s { ip id }\n" % (TTL_CASE, s, s) for s in CT_STATES)
    st += "".join("    ip6 hoplimit %d ct state %s add @st6_%s { ip6 flowlabel }\n" % (TTL_CASE, s, s)
                  for s in CT_STATES)

    def acc(ttl, h):
        return ("    ip ttl %d add @acc_%s { ip id }\n"
                "    ip6 hoplimit %d add @acc6_%s { ip6 flowlabel }\n" % (ttl, h, ttl, h))
    # After every iptables table: input at 500; forward and output at postrouting 500.
    return ("table inet ctgobs {\n" + sets +
            "  chain obs_pre0 { type filter hook prerouting priority -450; ip ttl %d add @sentinel { ip id }; }\n"
            % TTL_SENTINEL +
            "  chain obs_prect { type filter hook prerouting priority -190;\n" + st + "  }\n" +
            "  chain obs_outct { type filter hook output priority -190;\n" + st + "  }\n" +
            "  chain obs_in { type filter hook input priority 500;\n" + acc(TTL_CASE, "input") + "  }\n" +
            "  chain obs_post { type filter hook postrouting priority 500;\n" +
            acc(TTL_CASE - 1, "forward") + acc(TTL_CASE, "output") + "  }\n}\n")


def read_obs():
    j = json.loads(run(["nft", "-j", "list", "table", "inet", "ctgobs"]).stdout)
    out = {s: set() for s in OBS_SETS}
    for o in j.get("nftables", []):
        s = o.get("set")
        if s and s["name"] in out:
            for e in s.get("elem", []):
                out[s["name"]].add(e if isinstance(e, int) else e.get("elem", {}).get("val"))
    return out


# -- kernel side of one batch --------------------------------------------------

def ct_insert(p):
    if p["ct"] == "inner":
        p = dict(p["inner"], ct="orig", tcpstate=p["tcpstate"])
    proto = p["proto"]
    s, d, sp, dp = p["src"], p["dst"], p["sport"], p["dport"]
    if p["ct"] == "reply":
        s, d, sp, dp = d, s, dp, sp
    cmd = ["conntrack", "-I", "-s", s, "-d", d, "-t", "600"]
    if proto == "icmp" and p["v6"]:
        cmd += ["-p", "icmpv6", "--icmpv6-type", "128", "--icmpv6-code", "0", "--icmpv6-id", str(p["sport"])]
    elif proto == "icmp":
        cmd += ["-p", "icmp", "--icmp-type", "8", "--icmp-code", "0", "--icmp-id", str(p["sport"])]
    else:
        cmd += ["-p", proto, "--sport", str(sp), "--dport", str(dp)]
    if proto == "tcp":
        cmd += ["--state", p["tcpstate"]]
    if p["ct"] != "orig-unreplied":
        cmd += ["-u", "SEEN_REPLY,ASSURED"]
    run(cmd)


EMPTY_TABLES = "".join("*%s\n%sCOMMIT\n" % (t, "".join(":%s ACCEPT [0:0]\n" % c for c in chains)) for t, chains in (
    ("raw", ("PREROUTING", "OUTPUT")), ("mangle", ("PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING")),
    ("nat", ("PREROUTING", "INPUT", "OUTPUT", "POSTROUTING")), ("filter", ("INPUT", "FORWARD", "OUTPUT"))))


def kernel_batch(topo, ruleset, pkts, loose, sentinel_id, v6=False, reset=False):
    ipt = ("ip6tables" if v6 else "iptables") + "-" + BACKEND
    if reset:  # tables the ruleset does not name keep their old contents otherwise
        run([ipt + "-restore"], inp=EMPTY_TABLES)
    r = run([ipt + "-restore"], inp=ruleset, check=False)
    if r.returncode != 0:
        return None, r.stderr.strip()
    run(["conntrack", "-F"], check=False)
    run(["sysctl", "-qw", "net.netfilter.nf_conntrack_tcp_loose=%d" % loose])
    for p in pkts:
        if p["ct"]:
            ct_insert(p)
    ctview = run(["conntrack", "-L", "-f", "ipv6" if v6 else "ipv4"]).stdout
    saved = run([ipt + "-save"]).stdout
    run(["nft", "-f", "-"], inp="".join("flush set inet ctgobs %s\n" % s for s in OBS_SETS))
    for i, p in enumerate(pkts):
        if p["v6"]:
            pkt = build6(p, i + 1)
            sock = topo.sock_r6 if p["hook"] == "output" else topo.sock_a6
        else:
            pkt = build(p, i + 1)
            sock = topo.sock_r if p["hook"] == "output" else topo.sock_a
        try:
            sock.sendto(pkt, (p["dst"], 0))
        except OSError as e:  # EPERM: dropped in OUTPUT
            p["send_errno"] = e.errno
    sent = {"hook": "input", "proto": "udp", "src": "10.200.131.2", "dst": "10.200.131.1",
            "sport": 9, "dport": 9}
    topo.sock_a.sendto(build(sent, sentinel_id, TTL_SENTINEL), (sent["dst"], 0))
    for _ in range(200):
        obs = read_obs()
        if sentinel_id in obs["sentinel"]:
            break
        time.sleep(0.01)
    else:
        raise RuntimeError("sentinel packet never seen in R")
    hit = tot = 0
    counted = run([ipt + "-save", "-c"]).stdout
    if os.environ.get("CTG_DIFF_DUMP"):
        print(counted)
    for line in counted.splitlines():
        if line.startswith("[") and " -A " in line:
            tot += 1
            hit += not line.startswith("[0:")
    for i, p in enumerate(pkts):
        f = "6" if p["v6"] else ""
        p["k_accept"] = (i + 1) in obs["acc%s_%s" % (f, p["hook"])]
        st = [s for s in CT_STATES if (i + 1) in obs["st%s_%s" % (f, s)]]
        p["k_ctstate"] = st[0] if len(st) == 1 else None
    return {"saved": saved, "ctview": ctview, "rules_hit": hit, "rules": tot}, None


# -- ctguard side -------------------------------------------------------------

def ctg_cmd(ctg, rules_file, ct_file, loose, p):
    cmd = [ctg, "trace"] + (["-6"] if p["v6"] else []) + ["--rules", rules_file, "--conntrack", ct_file,
           "--sysctl", "net.netfilter.nf_conntrack_tcp_loose=%d" % loose, "--hook", p["hook"]]
    if p["iif"]:
        cmd += ["--in", p["iif"]]
    if p["oif"]:
        cmd += ["--out", p["oif"]]
    if p["proto"] == "tcp":
        cmd += ["--flags", p["flags"] or "NONE"]
    size = len(build6(p, 1) if p["v6"] else build(p, 1))
    cmd += ["--len", str(size), "--ttl", str(TTL_CASE)]
    cmd += ["--format", "json", "icmpv6" if p["proto"] == "icmp" and p["v6"] else p["proto"]]
    if p["proto"] == "icmp":
        kind = p.get("icmp") or "echo"
        if kind == "error":
            q = p["inner"]
            fmt = "[%s]:%d" if p["v6"] else "%s:%d"
            extra = ["--icmp-type", "%d/%d" % p["icmp_tc"],
                     "--inner", "%s %s %s" % (q["proto"], fmt % (q["src"], q["sport"]), fmt % (q["dst"], q["dport"]))]
        else:
            extra = ["--icmp-type", "echo-request" if kind == "echo" else "echo-reply", "--icmp-id", str(p["sport"])]
        cmd = cmd[:-1] + extra + [cmd[-1], p["src"], p["dst"]]
    else:
        fmt = "[%s]:%d" if p["v6"] else "%s:%d"
        cmd += [fmt % (p["src"], p["sport"]), fmt % (p["dst"], p["dport"])]
    return cmd


def ctg_trace(cmd):
    r = subprocess.run(cmd, capture_output=True, text=True)
    try:
        return json.loads(r.stdout), None
    except ValueError:
        return None, "exit %d: %s%s" % (r.returncode, r.stdout.strip()[:300], r.stderr.strip()[:300])


USES_CT_RE = re.compile(r"-m (state|conntrack) |-j (NOTRACK|CT)\b")


def ruleset_uses_ct(text):
    """Whether the ruleset makes conntrack active (the observer always does in the kernel)."""
    return any(USES_CT_RE.search(l) for l in text.splitlines() if l.startswith("-A "))


def describe(p):
    s = "%s %s %s:%s -> %s:%s" % (p["hook"], p["proto"] + ("6" if p["v6"] else ""), p["src"], p["sport"],
                                  p["dst"], p["dport"])
    if p["flags"] is not None:
        s += " flags=%s" % (p["flags"] or "NONE")
    if p.get("icmp") == "error":
        q = p["inner"]
        s += " icmp-error %d/%d quoting %s %s:%d -> %s:%d" % (p["icmp_tc"] + (q["proto"], q["src"], q["sport"],
                                                                           q["dst"], q["dport"]))
    elif p.get("icmp"):
        s += " " + p["icmp"]
    if p["ct"]:
        s += " ct=%s%s" % (p["ct"], "/" + p["tcpstate"] if p["tcpstate"] else "")
    return s


# -- hand-made kernel self-test -----------------------------------------------

SELFTEST_RULES = """*raw
:PREROUTING ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
-A PREROUTING -p udp --dport 53 -j CT --notrack
COMMIT
*mangle
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
-A PREROUTING -p tcp --dport 8443 -j MARK --set-mark 0x7
-A POSTROUTING -d 10.200.132.64 -p icmp -j DROP
COMMIT
*filter
:INPUT DROP [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
:U1 - [0:0]
-A INPUT -m state --state ESTABLISHED -j ACCEPT
-A INPUT -m mark --mark 0x7 -j ACCEPT
-A INPUT -p tcp --dport 22 -j ACCEPT
-A INPUT -p udp -m conntrack --ctstate UNTRACKED -j ACCEPT
-A INPUT -p tcp --dport 80 -j REJECT --reject-with tcp-reset
-A FORWARD -s 10.200.131.0/25 -j U1
-A U1 -p icmp -j ACCEPT
-A U1 -p tcp -m multiport --dports 80,443 -j ACCEPT
-A OUTPUT -d 10.200.132.0/24 -j DROP
COMMIT
"""


SELFTEST_NAT4 = """*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
-A PREROUTING -d 10.200.131.1/32 -p tcp -m tcp --dport 8081 -j REDIRECT --to-ports 22
-A PREROUTING -d 10.200.132.200/32 -p tcp -j DNAT --to-destination 10.200.132.9:443
COMMIT
"""
NAT4_PACKETS = [  # (hook, src, dst, sport, dport, accepted): filter sees the translated packet
    ("input", "10.200.131.2", "10.200.131.1", 40030, 8081, True),
    ("forward", "10.200.131.10", "10.200.132.200", 40031, 8443, True),
]


def selftest_packets():
    def P(hook, proto, src, dst, sport, dport, flags=None, ct=None, tcpstate=None, exp=None, st=None,
          icmp=None, inner=None):
        iif = "ra0" if hook != "output" else None
        oif = {"input": None, "forward": "rb0"}.get(hook) or (
            None if hook != "output" else ("rb0" if dst.startswith("10.200.132.") else "ra0"))
        v6 = ":" in src
        if v6:
            oif = {"input": None, "forward": "rb0"}.get(hook) or (
                None if hook != "output" else ("rb0" if ":132:" in dst else "ra0"))
        d = dict(hook=hook, proto=proto, src=src, dst=dst, sport=sport, dport=dport, flags=flags,
                 ct=ct, tcpstate=tcpstate, iif=iif, oif=oif, exp=exp, exp_st=st, v6=v6, icmp=icmp)
        if inner:
            d["inner"] = dict(proto=inner[0], src=dst, dst=src, sport=inner[1], dport=inner[2], v6=v6, flags="ACK")
            d["icmp_tc"] = (1, 4) if v6 else (3, 3)
        return d
    return [
        P("input", "tcp", "10.200.131.2", "10.200.131.1", 40001, 22, "SYN", exp=True, st="new"),
        P("input", "tcp", "10.200.131.2", "10.200.131.1", 40002, 23, "SYN", exp=False, st="new"),
        P("input", "tcp", "10.200.131.3", "10.200.131.1", 40003, 80, "SYN", exp=False, st="new"),
        P("input", "tcp", "10.200.131.2", "10.200.131.1", 40004, 3306, "ACK", ct="orig",
          tcpstate="ESTABLISHED", exp=True, st="established"),
        P("input", "tcp", "10.200.131.2", "10.200.131.1", 40005, 3306, "ACK", ct="orig-unreplied",
          tcpstate="ESTABLISHED", exp=False, st="new"),
        P("input", "tcp", "10.200.131.2", "10.200.131.1", 40006, 3306, "PSH,ACK", ct="reply",
          tcpstate="ESTABLISHED", exp=True, st="established"),
        P("input", "tcp", "10.200.131.2", "10.200.131.1", 40007, 3306, "SYN,ACK", exp=False, st="invalid"),
        P("input", "udp", "10.200.131.2", "10.200.131.100", 40008, 53, exp=True, st="untracked"),
        P("input", "udp", "10.200.131.2", "10.200.131.100", 40009, 54, exp=False, st="new"),
        P("forward", "icmp", "10.200.131.10", "10.200.132.9", 777, 777, exp=True, st="new"),
        P("forward", "icmp", "10.200.131.130", "10.200.132.9", 778, 778, exp=False, st="new"),
        P("forward", "tcp", "10.200.131.10", "10.200.132.9", 40010, 443, "SYN", exp=True, st="new"),
        P("forward", "tcp", "10.200.131.10", "10.200.132.9", 40011, 444, "SYN", exp=False, st="new"),
        P("output", "tcp", "10.200.131.1", "10.200.131.2", 22, 40012, "SYN,ACK", exp=True, st="invalid"),
        P("output", "udp", "10.200.132.1", "10.200.132.2", 40013, 53, exp=False, st="new"),
        P("output", "icmp", "10.200.131.1", "10.200.131.3", 779, 779, exp=True, st="new"),
        P("input", "tcp", "10.200.131.2", "10.200.131.1", 40014, 8443, "SYN", exp=True, st="new"),
        P("input", "icmp", "10.200.131.2", "10.200.131.1", 0, 0, icmp="error", inner=("udp", 53, 40015),
          ct="inner", exp=False, st="related"),
        P("input", "icmp", "10.200.131.2", "10.200.131.1", 0, 0, icmp="error", inner=("udp", 53, 40016),
          exp=False, st="invalid"),
        P("input", "icmp", "10.200.131.2", "10.200.131.1", 782, 782, icmp="reply", exp=False, st="invalid"),
        P("input", "icmp", "10.200.131.2", "10.200.131.1", 783, 783, icmp="reply", ct="reply",
          exp=True, st="established"),
        P("forward", "icmp", "10.200.131.10", "10.200.132.64", 780, 780, exp=False, st="new"),
        P("output", "icmp", "10.200.132.1", "10.200.132.64", 781, 781, exp=False, st="new"),
    ]


def selftest_packets6():
    pk = selftest_packets()
    m = {"10.200.131.": V6 + "131:", "10.200.132.": V6 + "132:"}
    for p in pk:
        for k in ("src", "dst"):
            for a, b in m.items():
                if p[k].startswith(a):
                    p[k] = b + p[k][len(a):]
                if p.get("inner") and p["inner"][k].startswith(a):
                    p["inner"][k] = b + p["inner"][k][len(a):]
        if p.get("inner"):
            p["inner"]["v6"] = True
            p["icmp_tc"] = (1, 4)
        p["v6"] = True
    return pk


def kernel_selftest(topo):
    pkts = selftest_packets()
    for h, src, dst, sp, dp, acc in NAT4_PACKETS:
        pkts.append(dict(hook=h, proto="tcp", src=src, dst=dst, sport=sp, dport=dp, flags="SYN", ct=None,
                         tcpstate=None, iif="ra0", oif="rb0" if h == "forward" else None, exp=acc,
                         exp_st="new", v6=False))
    res, err = kernel_batch(topo, SELFTEST_RULES + SELFTEST_NAT4, pkts, 1, 0xfff0)
    if err:
        print("selftest: iptables-restore failed: " + err)
        return 1
    pk6 = selftest_packets6()
    rules6 = SELFTEST_RULES.replace("10.200.131.0/25", V6 + "131:0/121").replace(
        "10.200.132.0/24", V6 + "132:0/112").replace("-p icmp", "-p ipv6-icmp").replace(
        "10.200.132.64", V6 + "132:64")
    res, err = kernel_batch(topo, rules6, pk6, 1, 0xfff1, True)
    if err:
        print("selftest: ip6tables-restore failed: " + err)
        return 1
    pkts += pk6
    bad = 0
    for p in pkts:
        ok = p["k_accept"] == p["exp"] and p["k_ctstate"] == p["exp_st"]
        bad += not ok
        print("%s %s: kernel accept=%s ctstate=%s (expected %s %s)" % (
            "ok  " if ok else "FAIL", describe(p), p["k_accept"], p["k_ctstate"], p["exp"], p["exp_st"]))
    print("kernel selftest: %d passed, %d failed" % (len(pkts) - bad, bad))
    return 1 if bad else 0


def kernel_only(args, topo):
    n = bi = refused = unstable = acc = rhit = rtot = 0
    sts = Counter()
    t0 = time.time()
    while n < args.cases:
        g = gen_ruleset.Gen("%d-%d" % (args.seed, bi))
        ruleset = g.ruleset()
        pkts = g.packets(min(args.batch, args.cases - n))
        bi += 1
        res, err = kernel_batch(topo, ruleset, pkts, 1, 0xff00 + bi % 200, g.family == 6)
        if err:
            refused += 1
            print("refused: %s\n%s" % (err, ruleset))
            continue
        first = [(p["k_accept"], p["k_ctstate"]) for p in pkts]
        rhit += res["rules_hit"]
        rtot += res["rules"]
        kernel_batch(topo, ruleset, pkts, 1, 0xfe00 + bi % 200, g.family == 6)
        for p, f in zip(pkts, first):
            if f != (p["k_accept"], p["k_ctstate"]):
                unstable += 1
                print("unstable: %s %s vs %s" % (describe(p), f, (p["k_accept"], p["k_ctstate"])))
            acc += p["k_accept"]
            sts[p["k_ctstate"]] += 1
        n += len(pkts)
    print("kernel-only: %d cases, %d rulesets (%d refused), %d accepted, %d unstable, ctstates %s, %.1f s"
          % (n, bi, refused, acc, unstable, dict(sts), time.time() - t0))
    print("rules matched by at least one packet: %d of %d" % (rhit, rtot))
    return 1 if unstable or refused else 0


# -- main loop ----------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--cases", type=int, default=300)
    ap.add_argument("--batch", type=int, default=40)
    ap.add_argument("--ctguard", default=os.environ.get("CTGUARD"),
                    help="the ctguard binary (default: $CTGUARD)")
    ap.add_argument("--kernel-selftest", action="store_true")
    ap.add_argument("--max-report", type=int, default=20,
                    help="disagreements reported in full (one per distinct signature)")
    ap.add_argument("--minimize", action="store_true",
                    help="shrink each reported ruleset to the rules needed for the disagreement")
    ap.add_argument("--avoid", action="append", default=[],
                    help="generator: leave out a feature (CT: NOTRACK instead of CT --notrack; ttl: ttl/hl "
                    "matches; lenttl: length too; ctextra: conntrack options beyond --ctstate/--ctdir; nat)")
    ap.add_argument("--corpus", help="use the real rulesets under DIR (e.g. tests/data/corpus) "
                    "instead of generated ones")
    ap.add_argument("--v6-share", type=float, default=0.25, help="share of IPv6 rulesets")
    ap.add_argument("--backend", choices=["nft", "legacy"], default="nft",
                    help="iptables backend in R (nft: the generator avoids `! --sport A ! --dport B`, "
                    "which iptables-nft 1.8.9 compiles with OR semantics; legacy: it avoids "
                    "`! --dport 0:65535`, which iptables-legacy-save prints as nothing)")
    ap.add_argument("--jobs", type=int, default=1, help="parallel ctguard processes")
    ap.add_argument("--report", help="append disagreements (markdown) to this file")
    ap.add_argument("--feed", choices=["saved", "generated"], default="saved",
                    help="ruleset text given to ctguard: iptables-save of R, or the generated text")
    ap.add_argument("--kernel-only", action="store_true",
                    help="no ctguard: run each batch twice, check the kernel side is repeatable")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()

    if not args.ctguard and not args.kernel_selftest and not args.kernel_only:
        ap.error("no ctguard binary: give --ctguard or set CTGUARD")
    global BACKEND
    BACKEND = args.backend
    if args.backend == "nft":
        args.avoid.append("negports")
    else:
        args.avoid.append("negfullrange")
    topo = Topo("")
    signal.signal(signal.SIGTERM, lambda *a: sys.exit(3))
    tmp = tempfile.mkdtemp(prefix="ctg-evaldiff-")
    try:
        topo.up()
        run(["nft", "-f", "-"], inp=observer_nft())
        try:
            os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
        except OSError:
            pass
        if args.kernel_selftest:
            return kernel_selftest(topo)
        if args.kernel_only:
            return kernel_only(args, topo)
        return difftest(args, topo, tmp)
    finally:
        topo.down()
        for f in os.listdir(tmp):
            os.unlink(os.path.join(tmp, f))
        os.rmdir(tmp)


def judge(out, p, uses_ct, allow_uncertain=False):
    """None when ctguard agrees with the kernel, else the kind of disagreement.
    allow_uncertain: an uncertain answer agrees when the kernel's verdict is possible."""
    if out is None:
        return "ctguard error"
    c_acc = str(out.get("verdict", "")).lower() == "accept"
    c_st = str(out.get("ctstate", "")).lower().split(",")[0] or None
    if not out.get("certain", True):
        if not allow_uncertain:
            return "verdict" if c_acc != p["k_accept"] else "uncertain"
        poss = [str(v).upper() for v in out.get("possible", [])]
        if (p["k_accept"] and "ACCEPT" not in poss) or (
                not p["k_accept"] and not ("DROP" in poss or "REJECT" in poss)):
            return "verdict"
        p["uncertain_ok"] = True
        return None
    if c_acc != p["k_accept"]:
        return "verdict"
    if uses_ct and p["k_ctstate"] and c_st != p["k_ctstate"]:
        return "ctstate"
    return None


def write_inputs(tmp, res, text):
    rules_file, ct_file = os.path.join(tmp, "rules"), os.path.join(tmp, "ct")
    with open(rules_file, "w") as f:
        f.write(text)
    with open(ct_file, "w") as f:
        f.write(res["ctview"])
    return rules_file, ct_file


def run_one(args, topo, tmp, ruleset, p, loose, v6, uses_ct):
    """Kernel + ctguard for a single packet; returns (kind, res, out, cmd, cerr)."""
    p = dict(p)
    res, err = kernel_batch(topo, ruleset, [p], loose, 0xfffe, v6)
    if err:
        return "refused", None, None, None, err, p
    rules_file, ct_file = write_inputs(tmp, res, res["saved"])
    cmd = ctg_cmd(args.ctguard, rules_file, ct_file, loose, p)
    out, cerr = ctg_trace(cmd)
    return judge(out, p, uses_ct), res, out, cmd, cerr, p


def minimize(args, topo, tmp, ruleset, p, loose, v6, uses_ct, kind, budget=90.0):
    """Drops -A lines (chunks first, then single lines) while the same disagreement remains,
    for one packet alone; gives up refining after `budget` seconds."""
    lines = ruleset.splitlines()
    r = run_one(args, topo, tmp, ruleset, p, loose, v6, ruleset_uses_ct(ruleset))
    if r[0] != kind:
        return None  # not reproducible alone (should not happen: flows are independent)
    best, t0 = r, time.time()
    rules = [i for i, l in enumerate(lines) if l.startswith(("-A ", "-I "))]
    chunk = max(1, len(rules) // 2)
    while chunk >= 1 and time.time() - t0 < budget:
        rules = [i for i, l in enumerate(lines) if l.startswith(("-A ", "-I "))]
        j = 0
        while j < len(rules) and time.time() - t0 < budget:
            drop = set(rules[j:j + chunk])
            cand = [l for i, l in enumerate(lines) if i not in drop]
            text = "\n".join(cand) + "\n"
            r = run_one(args, topo, tmp, text, p, loose, v6, ruleset_uses_ct(text))
            if r[0] == kind:
                lines, best = cand, r
                rules = [i for i, l in enumerate(lines) if l.startswith(("-A ", "-I "))]
            else:
                j += chunk
        chunk //= 2
    return best


def report_text(kind, seed, batch, p, loose, res, out, cmd, cerr, minimized):
    rules = "\n".join(l for l in res["saved"].splitlines() if not l.startswith("#")) + "\n"
    return ("### %s: %s (seed %d, batch %d%s)\n\npacket: %s, tcp_loose=%d\n\n"
            "kernel: %s, ctstate %s; ctguard: %s\n\n"
            "```\n%s```\nconntrack -L before the packet:\n```\n%s```\ncommand: `%s`\n" % (
                kind, describe(p), seed, batch, ", minimized" if minimized else "", describe(p), loose,
                "ACCEPT" if p["k_accept"] else "DROP/REJECT", p["k_ctstate"],
                json.dumps({k: out.get(k) for k in ("verdict", "certain", "ctstate")}) if out else cerr,
                rules, res["ctview"] or "(empty)\n",
                " ".join(cmd).replace(cmd[cmd.index("--rules") + 1], "RULES").replace(
                    cmd[cmd.index("--conntrack") + 1], "CTVIEW")))


def record_pass(per_mod, mods, p, uses_ct):
    for m in mods:
        per_mod[m] += 1
    per_mod["hook " + p["hook"]] += 1
    per_mod["proto " + p["proto"] + (" " + p["icmp"] if p.get("icmp") else "")] += 1
    per_mod["family ipv%d" % (6 if p["v6"] else 4)] += 1
    if p["ct"]:
        per_mod["ct entry " + p["ct"] + ("/" + p["tcpstate"] if p["tcpstate"] else "")] += 1
    if uses_ct and p["k_ctstate"]:
        per_mod["ctstate " + p["k_ctstate"]] += 1
    if p["flags"] is not None:
        per_mod["tcp packet flags " + (p["flags"] or "NONE")] += 1


def difftest(args, topo, tmp):
    from concurrent.futures import ThreadPoolExecutor
    passed = failed = restore_fail = rhit = rtot = 0
    per_mod, fail_kind = Counter(), Counter()
    reports, seen_sig = [], set()
    t0 = time.time()
    bi = 0
    pool = ThreadPoolExecutor(max_workers=max(1, args.jobs))
    files = corpus.candidates(args.corpus) if args.corpus else []
    if args.corpus:
        # The moby goldens are many near-copies: one of them per three other rulesets.
        r = random.Random(args.seed)
        moby = [f for f in files if "/moby/" in f]
        other = [f for f in files if "/moby/" not in f]
        r.shuffle(moby)
        r.shuffle(other)
        files = []
        while moby or other:
            files += other[:3] + moby[:1]
            other, moby = other[3:], moby[1:]
        print("corpus: %d candidate rulesets under %s" % (len(files), args.corpus))
    corpus_used = []
    while passed + failed < args.cases:
        n = min(args.batch, args.cases - passed - failed)
        if files:
            path = files[bi % len(files)]
            with open(path, errors="replace") as fh:
                raw_text = fh.read()
            fam = corpus.family(path, raw_text)
            ruleset = corpus.prepare(raw_text)
            g = gen_ruleset.Gen("%d-%d" % (args.seed, bi), v6_share=1.0 if fam == 6 else 0.0)
            names = corpus.iface_names(ruleset)
            topo.rename(names)
            pkts = g.packets(n)
            for p in pkts:
                p["iif"] = {"ra0": names[0]}.get(p["iif"], p["iif"])
                p["oif"] = {"ra0": names[0], "rb0": names[1]}.get(p["oif"], p["oif"])
            mods = {"corpus"}
        else:
            g = gen_ruleset.Gen("%d-%d" % (args.seed, bi), v6_share=args.v6_share, avoid=args.avoid)
            ruleset = g.ruleset()
            pkts = g.packets(n)
            mods = set(g.modules)
        loose = 0 if g.rng.random() < 0.2 else 1
        v6 = g.family == 6
        bi += 1
        if files and bi > 3 * len(files) + 10 and not corpus_used:
            print("corpus: no ruleset could be loaded")
            break
        res, err = kernel_batch(topo, ruleset, pkts, loose, 0xff00 + bi % 200, v6, reset=bool(files))
        if err:
            restore_fail += 1
            if args.verbose:
                print("batch %d: ruleset refused by iptables-restore: %s" % (bi, err))
            continue
        if files:
            corpus_used.append(os.path.relpath(path, args.corpus))
        rules_file, ct_file = write_inputs(tmp, res, res["saved"] if args.feed == "saved" else ruleset)
        uses_ct = ruleset_uses_ct(ruleset)
        rhit += res["rules_hit"]
        rtot += res["rules"]
        cmds = [ctg_cmd(args.ctguard, rules_file, ct_file, loose, p) for p in pkts]
        outs = list(pool.map(ctg_trace, cmds))
        for p, cmd, (out, cerr) in zip(pkts, cmds, outs):
            kind = judge(out, p, uses_ct, allow_uncertain=bool(files))
            if kind is None:
                passed += 1
                if p.get("uncertain_ok"):
                    per_mod["uncertain, kernel verdict possible"] += 1
                record_pass(per_mod, mods, p, uses_ct)
                continue
            failed += 1
            fail_kind[kind] += 1
            sig = (kind, p["hook"], p["proto"], p["v6"], p["k_accept"], p["k_ctstate"],
                   (out or {}).get("ctstate"))
            if kind == "ctguard error":  # one report per message (it names the line)
                sig = (kind, re.sub(r"^.*?rules:\d+:\S+ ", "", cerr or "")[:120])
            if len(reports) >= args.max_report or (sig in seen_sig and not args.verbose):
                continue
            seen_sig.add(sig)
            m = None
            if args.minimize and kind != "ctguard error":
                m = minimize(args, topo, tmp, ruleset, p, loose, v6, uses_ct, kind)
            if m:
                _, mres, mout, mcmd, mcerr, mp = m
                reports.append(report_text(kind, args.seed, bi - 1, mp, loose, mres, mout, mcmd, mcerr, True))
            else:
                reports.append(report_text(kind, args.seed, bi - 1, p, loose, res, out, cmd, cerr, False))
            if args.verbose:
                print(reports[-1])
    pool.shutdown()
    dt = time.time() - t0
    print("modules/features covered (agreeing cases):")
    for m, c in sorted(per_mod.items()):
        print("  %-34s %d" % (m, c))
    if fail_kind:
        print("disagreements by kind: " + ", ".join("%s %d" % kv for kv in sorted(fail_kind.items())))
    if reports and not args.verbose:
        print(reports[0])
    if args.report and reports:
        with open(args.report, "a") as f:
            f.write("\n".join(reports))
    if files:
        print("corpus rulesets used: %d distinct (%s%s)" % (len(set(corpus_used)), ", ".join(sorted(set(corpus_used))[:8]),
                                                          ", ..." if len(set(corpus_used)) > 8 else ""))
    print("rulesets: %d run, %d refused by iptables-restore; %.1f s" % (bi - restore_fail, restore_fail, dt))
    print("rules matched by at least one packet (kernel counters): %d of %d" % (rhit, rtot))
    print("%d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 and passed > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
