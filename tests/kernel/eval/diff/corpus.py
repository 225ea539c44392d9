# SPDX-License-Identifier: GPL-2.0-or-later
"""Real rulesets from the shared corpus for the differential test (--corpus DIR).

A corpus ruleset is loaded into R as it is, except: CRLF and `[p:b]` counters removed,
the nat table left out (DNAT/SNAT would send the test packets elsewhere), prose lines
around the dump dropped, anonymised MACs (XX:XX:..) replaced by 02:00:00:00:c7:01.  R's two
interfaces are renamed to the two interface names the ruleset uses most, so that -i/-o
rules meet real names.  Packets keep the test's own addresses (10.200.x / fd00:200::).
"""

import os
import re
from collections import Counter

MAX_SIZE = 2 << 20


def candidates(root):
    out = []
    for d, _, files in os.walk(root):
        for f in sorted(files):
            path = os.path.join(d, f)
            if f.endswith(".t") or os.path.getsize(path) > MAX_SIZE:
                continue
            try:
                with open(path, errors="replace") as fh:
                    text = fh.read()
            except OSError:
                continue
            if re.search(r"^\*filter\s*$", text, re.M) and re.search(r"^COMMIT\s*$", text, re.M):
                out.append(path)
    return sorted(out)


def family(path, text):
    if "ip6" in os.path.basename(path).lower():
        return 6
    if re.search(r"^-A .*-[sd] [0-9a-fA-F]*:[0-9a-fA-F:]*[/ ]", text, re.M):
        return 6
    return 4


def prepare(text):
    """Cleaned ruleset text (no nat table, no counters, LF only)."""
    out, skip = [], False
    for line in text.replace("\r", "").splitlines():
        s = line.strip()
        if s.startswith("*"):
            skip = s == "*nat"
        if skip:
            if s == "COMMIT":
                skip = False
            continue
        s = re.sub(r"^\[\d+:\d+\]\s*", "", s)
        if not re.match(r"^(\*|:|-A |-I |COMMIT|#)", s):
            continue  # prose around the dump
        # Anonymised MACs (XX:XX:...) -> a fixed one that no test packet carries.
        out.append(re.sub(r"--mac-source XX:XX:XX:XX:XX:XX", "--mac-source 02:00:00:00:c7:01", s))
    return "\n".join(out) + "\n"


def iface_names(text):
    """Two concrete interface names for R's A-side and B-side links."""
    c = Counter()
    for m in re.finditer(r"-[io] (\S+)", text):
        n = m.group(1)
        if n in ("lo", "!", "+") or len(n) > 15:
            continue
        c[n[:-1] + "0" if n.endswith("+") else n] += 1
    names = [n for n, _ in c.most_common() if re.match(r"^[A-Za-z0-9_.-]+$", n)][:2]
    while len(names) < 2:
        for n in ("ra0", "rb0", "eth0", "eth1"):
            if n not in names:
                names.append(n)
                break
    return names
