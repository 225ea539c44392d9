# SPDX-License-Identifier: GPL-2.0-or-later
"""Seeded random iptables rulesets and packets for the differential test.

Everything is drawn from a random.Random(seed), so a (seed, index) pair always gives
the same ruleset and packets.  Only deterministic matches are generated (no limit,
statistic, recent, time).  The topology constants describe the namespaces built by
difftest.py: A (sender) -- ra0 [R] rb0 -- B.
"""

import random

import ipaddress

# Addresses (all inside the test's namespaces), per family.
V6 = "fd00:200::"
FAM = {
    4: dict(
        R=["10.200.131.1", "10.200.131.100", "10.200.132.1"],  # local to R
        A_SRCS=["10.200.131.2", "10.200.131.3", "10.200.131.10", "10.200.131.50",
                "10.200.131.77", "10.200.131.130", "10.200.131.200", "10.200.131.254",
                "10.200.141.5", "10.200.141.128"],  # spoofed from A (141: not routed back)
        B_DSTS=["10.200.132.2", "10.200.132.9", "10.200.132.64", "10.200.132.200"],
        A_DSTS=["10.200.131.2", "10.200.131.3", "10.200.131.50", "10.200.131.200"],
        masks=[8, 16, 20, 23, 24, 25, 26, 28, 30, 31, 32],
        reject=["icmp-port-unreachable", "icmp-host-prohibited", "icmp-net-unreachable",
                "icmp-admin-prohibited", "icmp-host-unreachable"],
        icmp_proto=["icmp"], icmp_match="icmp", icmp_opt="--icmp-type",
        icmp_types=["8", "echo-request", "0", "echo-reply", "any", "3/3", "8/0", "11", "3",
                    "destination-unreachable", "port-unreachable", "host-unreachable",
                    "time-exceeded", "11/0", "3/1"]),
    6: dict(
        R=[V6 + "131:1", V6 + "131:100", V6 + "132:1"],
        A_SRCS=[V6 + "131:2", V6 + "131:3", V6 + "131:10", V6 + "131:50", V6 + "131:77",
                V6 + "131:130", V6 + "131:200", V6 + "131:ff00", V6 + "141:5", V6 + "141:128"],
        B_DSTS=[V6 + "132:2", V6 + "132:9", V6 + "132:64", V6 + "132:200"],
        A_DSTS=[V6 + "131:2", V6 + "131:3", V6 + "131:50", V6 + "131:200"],
        masks=[48, 64, 96, 100, 104, 112, 116, 120, 124, 126, 127, 128],
        reject=["icmp6-port-unreachable", "icmp6-adm-prohibited", "icmp6-no-route",
                "icmp6-addr-unreachable"],
        icmp_proto=["ipv6-icmp", "icmpv6"], icmp_match="icmp6", icmp_opt="--icmpv6-type",
        icmp_types=["128", "echo-request", "129", "echo-reply", "1/4", "128/0", "3", "1",
                    "destination-unreachable", "port-unreachable", "no-route", "time-exceeded",
                    "ttl-zero-during-transit", "1/0"]),
}
for _f in FAM.values():
    _f["ALL"] = _f["R"] + _f["A_SRCS"] + _f["B_DSTS"]

PORTS = [22, 53, 80, 443, 1023, 1024, 3306, 8080, 33000, 45000, 60999, 65535]
IFACES = ["ra0", "rb0", "lo", "ra+", "r+", "rb+", "eth0"]
STATES = ["INVALID", "NEW", "ESTABLISHED", "RELATED", "UNTRACKED"]
TCP_FLAG_NAMES = ["FIN", "SYN", "RST", "PSH", "ACK", "URG"]
# Packet flag combinations (weights): valid and invalid for the conntrack tracker.
PKT_FLAGS = [("SYN", 30), ("ACK", 14), ("PSH,ACK", 10), ("SYN,ACK", 8), ("FIN,ACK", 6),
             ("RST", 4), ("RST,ACK", 4), ("FIN", 3), ("", 2), ("SYN,FIN", 2),
             ("SYN,URG", 2), ("ACK,URG", 2), ("FIN,PSH,URG", 1), ("SYN,ECE,CWR", 2),
             ("ACK,ECE", 1), ("PSH,ACK,CWR", 1)]


def wchoice(rng, pairs):
    total = sum(w for _, w in pairs)
    x = rng.uniform(0, total)
    for v, w in pairs:
        x -= w
        if x <= 0:
            return v
    return pairs[-1][0]


def neg(rng, p=0.2):
    return "! " if rng.random() < p else ""


def rand_addr(rng, f):
    a = rng.choice(f["ALL"])
    r = rng.random()
    if r < 0.35:
        return a
    mask = rng.choice(f["masks"])
    if mask <= 32 and rng.random() < 0.1:  # dotted mask form
        m = (0xffffffff << (32 - mask)) & 0xffffffff
        return "%s/%d.%d.%d.%d" % (a, m >> 24, (m >> 16) & 255, (m >> 8) & 255, m & 255)
    return "%s/%d" % (a, mask)


def rand_range(rng, f):
    a, b = rng.choice(f["ALL"]), rng.choice(f["ALL"])
    if ipaddress.ip_address(a) > ipaddress.ip_address(b):
        a, b = b, a
    return "%s-%s" % (a, b)


def rand_port_spec(rng):
    r = rng.random()
    if r < 0.5:
        return str(rng.choice(PORTS))
    a, b = sorted(rng.sample(PORTS, 2))
    if r < 0.8:
        return "%d:%d" % (a, b)
    if r < 0.9:
        return "%d:" % a
    return ":%d" % b


def rand_multiport(rng):
    n, items = 0, []
    for _ in range(rng.randint(1, 6)):
        if rng.random() < 0.25 and n <= 13:
            a, b = sorted(rng.sample(PORTS, 2))
            items.append("%d:%d" % (a, b))
            n += 2
        elif n <= 14:
            items.append(str(rng.choice(PORTS)))
            n += 1
    return ",".join(items)


def port_in(rng, spec):
    """A port inside a port spec ("22", "a:b", "a:", ":b", multiport list)."""
    item = rng.choice(spec.split(","))
    if ":" not in item:
        return int(item)
    a, b = item.split(":")
    a, b = int(a or 0), int(b or 65535)
    return rng.choice([a, b, (a + b) // 2])


def rand_states(rng):
    return ",".join(rng.sample(STATES, rng.randint(1, 3)))


class Gen:
    """Generates one ruleset (iptables-restore text) plus its packets."""

    def __init__(self, seed, v6_share=0.25, avoid=()):
        self.avoid = set(avoid)
        self.rng = random.Random(seed)
        self.nrng = random.Random("%s-nat" % (seed,))
        self.modules = set()
        self.family = 6 if self.rng.random() < v6_share else 4
        self.f = FAM[self.family]
        self.has_mangle = False
        self.hints = []  # packet field values that some rule matches

    # -- rules ---------------------------------------------------------------
    def proto_part(self, parts, allow_neg=True):
        rng = self.rng
        proto = wchoice(rng, [("tcp", 5), ("udp", 3), ("icmp", 2), (None, 3)])
        if proto is None:
            return None
        if allow_neg and rng.random() < 0.08:
            parts.append("! -p %s" % (self.f["icmp_proto"][0] if proto == "icmp" else proto))
            self.modules.add("proto")
            return None
        parts.append("-p %s" % (self.rng.choice(self.f["icmp_proto"]) if proto == "icmp" else proto))
        self.hint["proto"] = proto
        self.modules.add("proto")
        return proto

    def l4_parts(self, parts, proto):
        rng = self.rng
        opts = []
        if proto in ("tcp", "udp"):
            for opt, pr in (("sport", 0.2), ("dport", 0.45)):
                if rng.random() < pr:
                    n, spec = neg(rng), rand_port_spec(rng)
                    if (n and opt == "dport" and "negports" in self.avoid and opts
                            and opts[-1].startswith("! --sport") and ":" not in opts[-1] + spec):
                        n = ""  # iptables-nft 1.8.9: one 32-bit "!=" on both ports (OR)
                    if n and spec in (":65535", "0:65535") and "negfullrange" in self.avoid:
                        n = ""  # iptables-legacy-save prints "! --dport 0:65535" as nothing
                    opts.append("%s--%s %s" % (n, opt, spec))
                    self.modules.add(proto + " ports")
                    if not n:
                        self.hint[opt] = port_in(rng, spec)
        if proto == "tcp" and rng.random() < 0.3:
            if rng.random() < 0.4:
                opts.append("%s--syn" % neg(rng))
            else:
                mask = rng.sample(TCP_FLAG_NAMES, rng.randint(1, 4))
                comp = [f for f in mask if rng.random() < 0.4] or ["NONE"]
                if rng.random() < 0.1:
                    mask = ["ALL"]
                opts.append("%s--tcp-flags %s %s" % (neg(rng), ",".join(mask), ",".join(comp)))
            self.modules.add("tcp flags")
        if proto == "icmp" and rng.random() < 0.5:
            t = rng.choice(self.f["icmp_types"])
            opts.append("%s%s %s" % (neg(rng), self.f["icmp_opt"], t))
            self.modules.add("icmp")
        if opts:
            parts.append("-m %s %s" % (self.f["icmp_match"] if proto == "icmp" else proto, " ".join(opts)))
        if proto in ("tcp", "udp") and rng.random() < 0.25:
            opt = rng.choice(["--dports", "--sports", "--ports"])
            n, spec = neg(rng), rand_multiport(rng)
            parts.append("-m multiport %s%s %s" % (n, opt, spec))
            if not n:
                self.hint["sport" if opt == "--sports" else "dport"] = port_in(rng, spec)
            self.modules.add("multiport")

    def common_parts(self, chain, parts, table="filter"):
        raw = table == "raw"
        rng = self.rng
        for opt in ("s", "d"):
            if rng.random() < 0.3:
                n, a = neg(rng), rand_addr(rng, self.f)
                parts.append("%s-%s %s" % (n, opt, a))
                self.modules.add("addr")
                if not n:
                    self.hint[opt] = a.split("/")[0]
        in_ok = chain not in ("OUTPUT", "POSTROUTING")
        out_ok = chain not in ("INPUT", "PREROUTING")
        if in_ok and rng.random() < 0.2:
            parts.append("%s-i %s" % (neg(rng), rng.choice(IFACES)))
            self.modules.add("iface")
        if out_ok and rng.random() < 0.2:
            parts.append("%s-o %s" % (neg(rng), rng.choice(IFACES)))
            self.modules.add("iface")
        proto = self.proto_part(parts)
        self.l4_parts(parts, proto)
        if rng.random() < 0.1:
            opt = rng.choice(["--src-range", "--dst-range"])
            n, r = neg(rng), rand_range(rng, self.f)
            parts.append("-m iprange %s%s %s" % (n, opt, r))
            if not n:
                self.hint[opt[2]] = rng.choice(r.split("-"))
            self.modules.add("iprange")
        # In raw, conntrack has not run yet: state sees INVALID (UNTRACKED after NOTRACK).
        if rng.random() < (0.06 if raw else 0.3):
            if rng.random() < 0.5:
                parts.append("-m state %s--state %s" % (neg(rng, 0.1), rand_states(rng)))
                self.modules.add("state")
            else:
                opts = []
                if rng.random() < 0.8 or "ctextra" in self.avoid:
                    st = rand_states(rng)
                    if rng.random() < 0.1:
                        st += "," + rng.choice(["SNAT", "DNAT"])
                    opts.append("%s--ctstate %s" % (neg(rng, 0.1), st))
                if "ctextra" not in self.avoid:
                    for _ in range(rng.choice([0, 0, 1, 1, 2]) if opts else 1):
                        o = self.ct_extra()
                        if o.lstrip("! ").split()[0] not in [x.lstrip("! ").split()[0] for x in opts]:
                            opts.append(o)
                if rng.random() < 0.15:
                    opts.append("--ctdir %s" % (rng.choice(["ORIGINAL", "REPLY"])))
                    self.modules.add("conntrack ctdir")
                parts.append("-m conntrack " + " ".join(opts))
                self.modules.add("conntrack")
        if not raw and rng.random() < (0.25 if self.has_mangle else 0.03):
            m = rng.choice(["0x1", "0x2", "0x0", "0x3/0x1", "0x10/0xf0", "0x0/0xff"])
            parts.append("-m mark %s--mark %s" % (neg(rng), m))
            self.modules.add("mark")
        self.len_ttl_parts(parts)
        if rng.random() < 0.04:
            parts.append('-m comment --comment "c%d"' % rng.randint(0, 99))
            self.modules.add("comment")
        return proto

    def ct_extra(self):
        """One conntrack option other than --ctstate/--ctdir (all deterministic)."""
        rng, f = self.rng, self.f
        kind = rng.choice(["proto", "addr", "addr", "port", "port", "status"])
        self.modules.add("conntrack " + kind)
        n = neg(rng)
        if kind == "proto":
            return "%s--ctproto %s" % (n, rng.choice(["tcp", "udp", "6", "17",
                                                      "58" if self.family == 6 else "icmp"]))
        if kind == "addr":
            opt = rng.choice(["--ctorigsrc", "--ctorigdst", "--ctreplsrc", "--ctrepldst"])
            return "%s%s %s" % (n, opt, rand_addr(rng, f).split("/255")[0])
        if kind == "port":
            opt = rng.choice(["--ctorigsrcport", "--ctorigdstport", "--ctreplsrcport", "--ctrepldstport"])
            spec = rand_port_spec(rng)
            if spec.startswith(":"):
                spec = "0" + spec
            elif spec.endswith(":"):
                spec += "65535"
            return "%s%s %s" % (n, opt, spec)
        st = rng.sample(["NONE", "EXPECTED", "SEEN_REPLY", "ASSURED", "CONFIRMED"], rng.randint(1, 2))
        return "%s--ctstatus %s" % (n, ",".join(st))

    def nat_table(self):
        """*nat (IPv4), from its own random stream so that the rest of a seed's batch is
        the same with or without it. Translations never move a packet to another path:
        local -> local, B side -> B side, A side -> A side (match on a host -d)."""
        rng, f = self.nrng, self.f
        out = ["*nat"] + [":%s ACCEPT [0:0]" % c for c in ("PREROUTING", "INPUT", "OUTPUT", "POSTROUTING")]
        if "nat" in self.avoid or rng.random() >= 0.3:
            return out + ["COMMIT"]
        self.modules.add("nat")
        for _ in range(rng.randint(1, 4)):
            chain = wchoice(rng, [("PREROUTING", 5), ("OUTPUT", 2), ("POSTROUTING", 2)])
            if chain == "POSTROUTING":
                t = rng.choice(["-j MASQUERADE", "-j SNAT --to-source %s" % rng.choice(f["R"]), "-j RETURN"])
                out.append("-A POSTROUTING %s-o %s %s" % (neg(rng), rng.choice(["ra0", "rb0", "r+"]), t))
                self.modules.add("SNAT/MASQUERADE")
                continue
            local = chain == "PREROUTING" and rng.random() < 0.5
            if local:
                pool = f["R"][:2]
            else:
                pool = f["B_DSTS"] if chain == "PREROUTING" or rng.random() < 0.5 else f["A_DSTS"]
            d, to = rng.choice(pool), rng.choice(pool)
            proto = rng.choice([None, "tcp", "udp"])
            parts = ["-A", chain, "-d", d]
            if proto:
                parts += ["-p", proto]
                if rng.random() < 0.6:
                    parts += ["-m", proto, "--dport", str(rng.choice(PORTS))]
            if rng.random() < 0.3:
                parts += ["-m", "conntrack", "--ctstate", rand_states(rng)]
            r = rng.random()
            if local and r < 0.3:
                parts += ["-j", "REDIRECT"] + (["--to-ports", str(rng.choice(PORTS))] if proto else [])
                self.modules.add("REDIRECT")
            elif r < 0.9:
                port = ":%d" % rng.choice(PORTS) if proto and rng.random() < 0.6 else ""
                parts += ["-j", "DNAT", "--to-destination", to + port]
                self.modules.add("DNAT")
            else:
                parts += ["-j", "RETURN"]
            out.append(" ".join(parts))
        return out + ["COMMIT"]

    def len_ttl_parts(self, parts):
        rng = self.rng
        if "lenttl" in self.avoid:
            return
        if rng.random() < 0.05:
            spec = rng.choice(["36", "40", "48", "56", "60", "76", "0:50", "41:1500", "56:", ":40"])
            spec = ("0" + spec) if spec.startswith(":") else (spec + "65535" if spec.endswith(":") else spec)
            parts.append("-m length %s--length %s" % (neg(rng), spec))
            self.modules.add("length")
        if rng.random() < 0.04 and "ttl" not in self.avoid:
            v = rng.choice([64, 76, 77, 78])
            if self.family == 6:
                op = rng.choice(["--hl-eq", "--hl-lt", "--hl-gt"])
                parts.append("-m hl %s%s %d" % (neg(rng) if op == "--hl-eq" else "", op, v))
                self.modules.add("hl")
            else:
                op = rng.choice(["--ttl-eq", "--ttl-lt", "--ttl-gt"])
                parts.append("-m ttl %s%s %d" % (neg(rng) if op == "--ttl-eq" else "", op, v))
                self.modules.add("ttl")

    def target(self, chain, proto, user_after, table="filter"):
        rng = self.rng
        raw = table == "raw"
        choices = [("ACCEPT", 6), ("DROP", 5), ("", 2), ("LOG", 1)]
        if table == "mangle":
            choices = [("MARK", 8), ("ACCEPT", 2), ("DROP", 1), ("", 1), ("RETURN", 1)]
        elif raw:
            choices = [("NOTRACK", 4), ("CT", 4), ("ACCEPT", 2), ("", 2), ("DROP", 1)]
        else:
            choices.append(("REJECT", 3))
        if table == "filter":
            if user_after:
                choices += [("JUMP", 5), ("GOTO", 2)]
            if chain.startswith("U") or rng.random() < 0.2:
                choices.append(("RETURN", 3 if chain.startswith("U") else 1))
        t = wchoice(rng, choices)
        if t == "":
            return ""
        if t == "LOG":
            self.modules.add("LOG")
            return '-j LOG --log-prefix "ctg%d "' % rng.randint(0, 9)
        if t == "REJECT":
            self.modules.add("REJECT")
            w = rng.choice(self.f["reject"] + (["tcp-reset"] * 3 if proto == "tcp" else []) + [None])
            return "-j REJECT" + (" --reject-with %s" % w if w else "")
        if t == "MARK":
            self.modules.add("MARK")
            v = rng.choice(["0x1", "0x2", "0x3", "0x10", "0x0"])
            if rng.random() < 0.7:
                return "-j MARK --set-mark %s" % v
            return "-j MARK --set-xmark %s/%s" % (v, rng.choice(["0x1", "0xff", "0xffffffff"]))
        if t == "CT" and "CT" in self.avoid:
            t = "NOTRACK"
        if t == "CT":
            self.modules.add("CT --notrack")
            return "-j CT --notrack"
        if t == "NOTRACK":
            self.modules.add("NOTRACK")
            return "-j NOTRACK"
        if t in ("JUMP", "GOTO"):
            self.modules.add("jump" if t == "JUMP" else "goto")
            return "%s %s" % ("-j" if t == "JUMP" else "-g", rng.choice(user_after))
        if t == "RETURN":
            self.modules.add("RETURN")
        return "-j " + t

    def rule(self, chain, user_after, table="filter"):
        for _ in range(4):  # match-less terminal rules hide the rest: make them rare
            parts = []
            self.hint = {"chain": chain}
            proto = self.common_parts(chain, parts, table)
            t = self.target(chain, proto, user_after, table)
            if parts or not t or t.startswith("-j LOG") or self.rng.random() < 0.25:
                break
        if len(self.hint) > 1:
            self.hints.append(self.hint)
        return " ".join(["-A", chain] + parts + ([t] if t else []))

    def ruleset(self):
        rng = self.rng
        nuser = rng.choice([0, 1, 1, 2, 2, 3])
        users = ["U%d" % i for i in range(1, nuser + 1)]
        self.has_mangle = rng.random() < 0.25
        out = []
        # Always written (possibly empty): iptables-restore replaces only the tables named.
        out.append("*raw")
        out += [":PREROUTING ACCEPT [0:0]", ":OUTPUT ACCEPT [0:0]"]
        if rng.random() < 0.4:
            for ch in ("PREROUTING", "OUTPUT"):
                for _ in range(rng.randint(0, 2)):
                    out.append(self.rule(ch, [], "raw"))
        out.append("COMMIT")
        out.append("*mangle")
        mch = ("PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING")
        for ch in mch:
            pol = "DROP" if self.has_mangle and rng.random() < 0.02 else "ACCEPT"
            out.append(":%s %s [0:0]" % (ch, pol))
        if self.has_mangle:
            self.modules.add("mangle")
            for _ in range(rng.randint(1, 5)):
                out.append(self.rule(rng.choice(mch), [], "mangle"))
        out.append("COMMIT")
        if self.family == 4:
            out += self.nat_table()
        out.append("*filter")
        for ch in ("INPUT", "FORWARD", "OUTPUT"):
            pol = "DROP" if rng.random() < 0.5 else "ACCEPT"
            if pol == "DROP":
                self.modules.add("policy DROP")
            out.append(":%s %s [0:0]" % (ch, pol))
        for u in users:
            out.append(":%s - [0:0]" % u)
        for ch in ("INPUT", "FORWARD", "OUTPUT"):
            for _ in range(rng.randint(0, 6)):
                out.append(self.rule(ch, users))
        for i, u in enumerate(users):
            for _ in range(rng.randint(1, 5)):
                out.append(self.rule(u, users[i + 1:]))
        out.append("COMMIT")
        return "\n".join(out) + "\n"

    # -- packets -------------------------------------------------------------
    def packet(self):
        rng = self.rng
        hook = wchoice(rng, [("input", 5), ("forward", 3), ("output", 3)])
        proto = wchoice(rng, [("tcp", 6), ("udp", 3), ("icmp", 2)])
        p = {"hook": hook, "proto": proto, "v6": self.family == 6}
        f = self.f
        if hook == "input":
            p.update(src=rng.choice(f["A_SRCS"]), dst=rng.choice(f["R"]), iif="ra0", oif=None)
        elif hook == "forward":
            p.update(src=rng.choice(f["A_SRCS"]), dst=rng.choice(f["B_DSTS"]), iif="ra0", oif="rb0")
        else:
            if rng.random() < 0.5:
                p.update(src=rng.choice(f["R"][:2]), dst=rng.choice(f["A_DSTS"]), iif=None, oif="ra0")
            else:
                p.update(src=f["R"][2], dst=rng.choice(f["B_DSTS"]), iif=None, oif="rb0")
        if proto == "icmp":
            p["sport"] = p["dport"] = rng.randint(1, 65535)  # echo id
        else:
            p["sport"] = rng.choice(PORTS) if rng.random() < 0.5 else rng.randint(32768, 60999)
            p["dport"] = rng.choice(PORTS)
        if self.hints and rng.random() < 0.6:
            self.apply_hint(p, rng.choice(self.hints))
        p["flags"] = wchoice(rng, PKT_FLAGS) if p["proto"] == "tcp" else None
        # conntrack entry to create before sending: none, orig (seen reply),
        # orig-unreplied, reply (entry created by the other side).
        p["ct"] = wchoice(rng, [(None, 6), ("orig", 2), ("orig-unreplied", 1), ("reply", 2)])
        p["icmp"] = None
        p["tcpstate"] = None
        if p["proto"] == "icmp":
            self.icmp_kind(p)
        if p["proto"] == "tcp" and p["ct"]:
            p["tcpstate"] = wchoice(rng, [("ESTABLISHED", 10), ("SYN_SENT", 1), ("SYN_RECV", 1),
                                          ("FIN_WAIT", 1), ("TIME_WAIT", 1), ("CLOSE", 1)])
        return p

    def apply_hint(self, p, h):
        """Moves packet fields towards a rule's values where the hook allows it."""
        f = self.f
        if h.get("proto") and h["proto"] != p["proto"]:
            p["proto"] = h["proto"]
            if p["proto"] == "icmp":
                p["sport"] = p["dport"] = self.rng.randint(1, 65535)
            else:
                p["sport"], p["dport"] = self.rng.randint(32768, 60999), self.rng.choice(PORTS)
        if p["proto"] != "icmp":
            for k in ("sport", "dport"):
                if k in h:
                    p[k] = h[k]
        srcs = f["A_SRCS"] if p["hook"] != "output" else f["R"]
        dsts = {"input": f["R"], "forward": f["B_DSTS"]}.get(p["hook"])
        if dsts is None:
            dsts = f["A_DSTS"] if p["oif"] == "ra0" else f["B_DSTS"]
        if h.get("s") in srcs:
            p["src"] = h["s"]
        if h.get("d") in dsts:
            p["dst"] = h["d"]

    def icmp_kind(self, p):
        """echo request, echo reply or an error quoting a UDP/TCP packet of the reverse way."""
        rng = self.rng
        p["icmp"] = wchoice(rng, [("echo", 6), ("reply", 2), ("error", 3)])
        if p["icmp"] == "echo":
            if p["ct"] == "reply":
                p["ct"] = "orig"
        elif p["icmp"] == "reply":
            p["ct"] = rng.choice([None, "reply"])
        else:
            p["sport"] = p["dport"] = 0
            p["icmp_tc"] = rng.choice([(1, 4), (1, 0), (3, 0)] if self.family == 6 else
                                      [(3, 3), (3, 1), (11, 0)])
            p["inner"] = {"proto": rng.choice(["udp", "tcp"]), "src": p["dst"], "dst": p["src"],
                          "sport": rng.choice(PORTS), "dport": rng.randint(32768, 60999),
                          "v6": p["v6"], "flags": "ACK"}
            p["ct"] = rng.choice([None, "inner", "inner"])
            p["tcpstate"] = "ESTABLISHED" if p["ct"] and p["inner"]["proto"] == "tcp" else None

    def packets(self, n):
        seen, out = set(), []
        while len(out) < n:
            p = self.packet()
            q = p.get("inner") or p
            key = (q["proto"], frozenset([(q["src"], q["sport"]), (q["dst"], q["dport"])]))
            if key in seen:
                continue
            seen.add(key)
            out.append(p)
        return out
