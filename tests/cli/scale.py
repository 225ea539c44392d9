#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Output at scale: a host with 5,000 idle client connections to 20 services (16 over IPv4,
4 over IPv6), as --conntrack/--sockets files generated here.

 - audit (conntrack wiped: every connection orphaned) and check (restart: every one at risk)
   print one screen (<= 24 lines) by default, one summary with --quiet, every connection
   with --verbose;
 - --format json of audit, check and conns lists all 5,000 with the documented keys and
   validates against docs/schema/report.schema.json.
Usage: scale.py CTGUARD SCHEMA
"""
import json
import os
import subprocess
import sys
import tempfile

import jsonschema

SERVICES = [3306, 5432, 6379, 443, 80, 9092, 11211, 27017, 5672, 2181, 9200, 8080, 25, 587,
            993, 389, 636, 873, 1883, 6380]
PER_SERVICE = 250
SCREEN = 24

RULES = """*filter
:INPUT DROP [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -i lo -j ACCEPT
-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT
COMMIT
"""

failures = []


def check(cond, what):
    print(("ok: " if cond else "FAIL: ") + what)
    if not cond:
        failures.append(what)


def generate(d):
    with open(os.path.join(d, "rules.v4"), "w") as f:
        f.write(RULES)
    with open(os.path.join(d, "rules.v6"), "w") as f:
        f.write(RULES)
    ss, ct = [], []
    port = 33000
    for i, svc in enumerate(SERVICES):
        v6 = i >= 16
        local = "fd00:200::2" if v6 else "10.200.0.2"
        peer = "fd00:200:1::%x" % (i + 1) if v6 else "10.200.1.%d" % (i + 1)
        for _ in range(PER_SERVICE):
            port += 1
            le = "[%s]:%d" % (local, port) if v6 else "%s:%d" % (local, port)
            pe = "[%s]:%d" % (peer, svc) if v6 else "%s:%d" % (peer, svc)
            ss.append('ESTAB 0 0 %s %s users:(("app%d",pid=%d,fd=%d))' % (le, pe, i, 1000 + i, port))
            ct.append("%s %d tcp 6 431000 ESTABLISHED src=%s dst=%s sport=%d dport=%d "
                      "src=%s dst=%s sport=%d dport=%d [ASSURED] mark=0 use=1"
                      % ("ipv6" if v6 else "ipv4", 10 if v6 else 2, local, peer, port, svc,
                         peer, local, svc, port))
    with open(os.path.join(d, "sockets.ss"), "w") as f:
        f.write("\n".join(ss) + "\n")
    with open(os.path.join(d, "conntrack.txt"), "w") as f:
        f.write("\n".join(ct) + "\n")
    open(os.path.join(d, "empty.ct"), "w").close()


def run(exe, d, *args):
    r = subprocess.run([exe, *args], cwd=d, capture_output=True, text=True)
    return r.returncode, r.stdout, r.stderr


def main():
    exe, schema_path = os.path.abspath(sys.argv[1]), sys.argv[2]
    schema = json.load(open(schema_path))
    validator = jsonschema.Draft7Validator(schema, format_checker=jsonschema.FormatChecker())
    total = len(SERVICES) * PER_SERVICE
    with tempfile.TemporaryDirectory(prefix="ctg-scale.") as d:
        generate(d)
        rules = ["--rules", "rules.v4", "--rules6", "rules.v6", "--sockets", "sockets.ss"]
        inputs = {
            "audit": rules + ["--conntrack", "empty.ct"],      # after a wipe
            "check": rules + ["--conntrack", "conntrack.txt"],  # before a restart
            "conns": ["--sockets", "sockets.ss", "--conntrack", "conntrack.txt"],
        }
        for cmd in ("audit", "check"):
            rc, out, err = run(exe, d, cmd, *inputs[cmd])
            lines = out.splitlines()
            print("---- ctguard %s (%d lines, exit %d)\n%s----" % (cmd, len(lines), rc, out))
            check(rc == 1, "%s: exit 1 (findings)" % cmd)
            check(len(lines) <= SCREEN, "%s: text report fits one screen (%d <= %d lines)"
                  % (cmd, len(lines), SCREEN))
            check(str(total) in out, "%s: the summary counts all %d" % (cmd, total))
            rc, out, err = run(exe, d, cmd, "--quiet", *inputs[cmd])
            check(rc == 1 and 1 <= len(out.splitlines()) <= 4,
                  "%s --quiet: the summary only (%d lines), exit %d" % (cmd, len(out.splitlines()), rc))
            rc, out, err = run(exe, d, cmd, "--verbose", *inputs[cmd])
            n = out.count(" -> ")
            check(n >= total, "%s --verbose: every connection listed (%d)" % (cmd, n))
            check("[fd00:200::2]:33001" not in out and "-> [fd00:200:1::11]:636 " in out,
                  "%s --verbose: IPv6 endpoints in brackets" % cmd)
        for cmd in ("audit", "check", "conns"):
            rc, out, err = run(exe, d, cmd, "--format", "json", *inputs[cmd])
            doc = json.loads(out)
            errs = list(validator.iter_errors(doc))
            for e in errs[:5]:
                print("  schema:", list(e.absolute_path), e.message[:300])
            check(not errs, "%s json: valid against %s" % (cmd, os.path.basename(schema_path)))
            conns = doc["connections"]
            check(len(conns) == total and doc["summary"]["connections"] == total,
                  "%s json: all %d connections listed (%d)" % (cmd, total, len(conns)))
            fams = sorted({c["family"] for c in conns})
            check(fams == ["ipv4", "ipv6"] and sum(c["family"] == "ipv6" for c in conns) == 4 * PER_SERVICE,
                  "%s json: family of each (%s)" % (cmd, fams))
            if cmd != "conns":
                check(all(c["certain"] is True for c in conns), "%s json: certain on each" % cmd)
        # the schema test can fail: a connection without family is refused
        rc, out, err = run(exe, d, "audit", "--format", "json", *inputs["audit"])
        doc = json.loads(out)
        del doc["connections"][0]["family"]
        check(any(True for _ in validator.iter_errors(doc)), "schema refuses a connection without family")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
