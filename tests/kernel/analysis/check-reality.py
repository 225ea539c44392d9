#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Driver of check-reality.sh: holds every flow's sockets in the three namespaces (one
process, setns per socket), asks `ctguard check` (in H) for its prediction, performs the
reload for real, observes delivery and compares. Usage:
    check-reality.py CTGUARD NS_H NS_C NS_S TMPDIR"""
import ctypes
import json
import os
import socket
import struct
import subprocess
import sys
import time

CTGUARD, NS_H, NS_C, NS_S, TMP = sys.argv[1:6]
H, C, S = "10.200.91.1", "10.200.91.2", "10.200.92.2"
libc = ctypes.CDLL(None, use_errno=True)
HOME = os.open("/proc/self/ns/net", os.O_RDONLY)
WAIT = 2.0

# name, proto, kind, port, first speaker
FLOWS = [
    ("srv-7001", "tcp", "server", 7001, "peer"),
    ("srv-7002a", "tcp", "server", 7002, "peer"),
    ("srv-7002b", "tcp", "server", 7002, "local"),
    ("srv-7003", "tcp", "server", 7003, "peer"),
    ("cli-8001a", "tcp", "client", 8001, "peer"),
    ("cli-8001b", "tcp", "client", 8001, "local"),
    ("cli-8002", "tcp", "client", 8002, "peer"),
    ("cli-8003a", "tcp", "client", 8003, "peer"),
    ("cli-8003b", "tcp", "client", 8003, "local"),
    ("fwd-9001a", "tcp", "fwd", 9001, "peer"),
    ("fwd-9001b", "tcp", "fwd", 9001, "local"),
    ("fwd-9002", "tcp", "fwd", 9002, "peer"),
    ("fwd-9003a", "tcp", "fwd", 9003, "peer"),
    ("fwd-9003b", "tcp", "fwd", 9003, "local"),
    ("nat-9101a", "tcp", "nat", 9101, "peer"),
    ("nat-9101b", "tcp", "nat", 9101, "peer"),
    ("nat-9102", "tcp", "nat", 9102, "local"),
    ("usrv-7501", "udp", "server", 7501, "peer"),
    ("usrv-7502", "udp", "server", 7502, "local"),
    ("ucli-8501", "udp", "client", 8501, "peer"),
    ("ucli-8502", "udp", "client", 8502, "local"),
    ("ufwd-9501", "udp", "fwd", 9501, "peer"),
    ("ufwd-9502", "udp", "fwd", 9502, "local"),
]


def enter(ns):
    fd = os.open("/run/netns/" + ns, os.O_RDONLY)
    if libc.setns(fd, 0x40000000) != 0:
        raise OSError(ctypes.get_errno(), "setns " + ns)
    os.close(fd)


def leave():
    libc.setns(HOME, 0x40000000)


def sock_in(ns, proto):
    enter(ns)
    try:
        return socket.socket(socket.AF_INET,
                             socket.SOCK_STREAM if proto == "tcp" else socket.SOCK_DGRAM)
    finally:
        leave()


def sh(*args, ns=None, check=True, **kw):
    cmd = (["ip", "netns", "exec", ns] if ns else []) + list(args)
    return subprocess.run(cmd, check=check, capture_output=True, text=True, **kw)


class Flow:
    def __init__(self, spec):
        self.name, self.proto, self.kind, self.port, self.first = spec
        self.local = self.peer = None  # sockets
        self.local_to = self.peer_to = None  # sendto addresses (unconnected UDP)

    def ends(self):
        """(local ns, local ip, peer ns, peer ip, which end listens)"""
        if self.kind == "server":
            return NS_H, H, NS_C, C, "local"
        if self.kind == "client":
            return NS_H, H, NS_C, C, "peer"
        return NS_C, C, NS_S, S, "peer"

    def open(self, listeners):
        lns, lip, pns, pip, lis = self.ends()
        sns, sip = (lns, lip) if lis == "local" else (pns, pip)
        cns, cip = (pns, pip) if lis == "local" else (lns, lip)
        if self.proto == "tcp":
            key = (sns, self.port)
            if key not in listeners:
                ls = sock_in(sns, "tcp")
                ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                ls.bind((sip, self.port))
                ls.listen(16)
                listeners[key] = ls
            cs = sock_in(cns, "tcp")
            cs.settimeout(5)
            cs.connect((sip, self.port))
            ss, _ = listeners[key].accept()
        else:
            ss = sock_in(sns, "udp")
            ss.bind((sip, self.port))
            cs = sock_in(cns, "udp")
            cs.connect((sip, self.port))
        srv_is_local = lis == "local"
        self.local, self.peer = (ss, cs) if srv_is_local else (cs, ss)
        for s in (ss, cs):
            s.setblocking(False)
        if self.proto == "udp":
            # the unconnected (server) end answers to the client's address
            if srv_is_local:
                self.local_to = cs.getsockname()
            else:
                self.peer_to = cs.getsockname()

    def key(self):
        """(proto, local addr, lport, peer addr, pport) as ctguard reports the row."""
        la, lp = self.local.getsockname()
        if self.proto == "udp" and self.local_to is not None:
            pa, pp = self.local_to
        else:
            pa, pp = self.local.getpeername() if self.proto == "tcp" or self.peer_to is None \
                else (self.peer.getsockname())
        return (self.proto, la, lp, pa, pp)

    def send(self, who, msg):
        s, to = (self.local, self.local_to) if who == "local" else (self.peer, self.peer_to)
        try:
            if to is not None:
                s.sendto(msg, to)
            else:
                s.send(msg)
        except OSError:
            pass

    def got(self, who, msg):
        s = self.local if who == "local" else self.peer
        data = b""
        try:
            while True:
                d = s.recv(65536)
                if not d:
                    break
                data += d
        except (BlockingIOError, OSError):
            pass
        return msg in data

    def close(self):
        for s in (self.local, self.peer):
            if s is None:
                continue
            try:
                if self.proto == "tcp":
                    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                s.close()
            except OSError:
                pass


def load(path):
    with open(path) as f:
        sh("iptables-restore", ns=NS_H, input=f.read())


def predict(method):
    r = sh(CTGUARD, "check", "--rules", TMP + "/new.v4", "--method", method, "--format", "json",
           ns=NS_H, check=False)
    if r.returncode not in (0, 1):
        sys.exit("ctguard check failed (%d): %s" % (r.returncode, r.stderr))
    d = json.loads(r.stdout)
    rows = {}
    for c in d["connections"]:
        rows[(c["proto"], c["local"], c["local_port"], c["peer"], c["peer_port"])] = c["results"][method]
    return rows, d["summary"]["connections"]


def expect_pass(v, first):
    if v is None:
        return True  # not listed: safe
    if v["outcome"] == "unknown":
        return None
    if v["outcome"] == "nat-lost":
        return first != "peer"  # the original side re-creates the binding (MASQUERADE)
    return (first + "-first") not in v["fails"]


def reload(method):
    if method in ("atomic", "restart"):
        load(TMP + "/new.v4")
    if method in ("restart", "flush"):
        sh("conntrack", "-F", ns=NS_H, check=False)


def run_method(method, table):
    sh("conntrack", "-F", ns=NS_H, check=False)
    load(TMP + "/current.v4")
    listeners, flows = {}, [Flow(f) for f in FLOWS]
    for f in flows:
        f.open(listeners)
    for f in flows:  # a first exchange both ways: established, replied
        f.send("local", b"hello")
    time.sleep(0.3)
    for f in flows:
        f.got("peer", b"hello")
        f.send("peer", b"hello")
    time.sleep(0.3)
    for f in flows:
        if not f.got("local", b"hello"):
            sys.exit("flow %s did not come up" % f.name)
    time.sleep(0.2)
    rows, total = predict(method)
    if total < len(flows):
        sys.exit("check saw %d connections, expected at least %d" % (total, len(flows)))
    reload(method)
    for f in flows:
        f.send(f.first, b"m1")
    time.sleep(WAIT)
    d1 = [f.got("peer" if f.first == "local" else "local", b"m1") for f in flows]
    for f in flows:
        f.send("peer" if f.first == "local" else "local", b"m2")
    time.sleep(WAIT)
    d2 = [f.got(f.first, b"m2") for f in flows]
    bad = 0
    for f, a, b in zip(flows, d1, d2):
        v = rows.get(f.key())
        want = expect_pass(v, f.first)
        seen = a and b
        ok = want is not None and want == seen
        bad += not ok
        pred = "safe" if v is None else v["outcome"] + (
            "(" + ",".join(v["fails"]) + ")" if v["fails"] else "")
        table.append((method, f.name, f.first, pred, "ok" if a else "lost", "ok" if b else "lost",
                      "pass" if want else "fail" if want is not None else "?",
                      "yes" if ok else "NO"))
    for f in flows:
        f.close()
    for ls in listeners.values():
        ls.close()
    return bad


def main():
    table, bad = [], 0
    for m in ("atomic", "restart", "flush"):
        bad += run_method(m, table)
    hdr = ("method", "flow", "first", "predicted", "first->", "<-answer", "expect", "agree")
    w = [max(len(str(r[i])) for r in table + [hdr]) for i in range(len(hdr))]
    for r in [hdr] + table:
        print("  ".join(str(x).ljust(w[i]) for i, x in enumerate(r)))
    n = len(table)
    print("agreement: %d/%d (%.0f%%)" % (n - bad, n, 100.0 * (n - bad) / n))
    print("PASS" if bad == 0 else "FAIL")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
