#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""--help and man/ctguard.8 list the same options, command by command.

`ctguard CMD --help` is generated from the command's option table (cli/common/opts.c);
the man page lists each command's options as .TP items in its .SS section, and the input
options in .SH "INPUT OPTIONS". Every option (long name and short letter) must be in both,
and every option named in a section's synopsis must exist. Usage: options.py CTGUARD MANPAGE
"""
import re
import subprocess
import sys

OPT_LINE = re.compile(r"^  (?:-(\w), |    )--([a-z0-9][a-z0-9-]*)")
MAN_OPT = re.compile(r"\\-\\-([a-z0-9][a-z0-9\\-]*)")
MAN_SHORT = re.compile(r"^\.B[RI]? \\-(\w) ")


def help_options(exe, cmd):
    """{'own': {name: short}, 'inputs': {name: short}} from `ctguard CMD --help`."""
    out = subprocess.run([exe, cmd, "--help"], capture_output=True, text=True, check=True)
    sections = {"own": {}, "inputs": {}}
    cur = None
    for line in out.stdout.splitlines():
        if line == "Options:":
            cur = "own"
        elif line.startswith("Input options"):
            cur = "inputs"
        elif cur and (m := OPT_LINE.match(line)) and m.group(2) != "help":
            sections[cur][m.group(2)] = m.group(1)
    return sections


def commands(exe):
    out = subprocess.run([exe, "--help"], capture_output=True, text=True, check=True)
    names = re.findall(r"^  ([a-z]+) ", out.stdout, re.M)
    return [n for n in names if n not in ("help", "version")]


def man_sections(path):
    """{command or 'INPUT OPTIONS': (synopsis text, [body lines])}."""
    secs, cur = {}, None
    for line in open(path, encoding="utf-8").read().splitlines():
        if line.startswith(".SH") or line.startswith(".SS"):
            m = re.match(r'\.SS "ctguard (\w+)(.*)"', line)
            if m:
                cur = m.group(1)
                syn, body = secs.setdefault(cur, ("", []))
                secs[cur] = (syn + m.group(2), body)
            elif line.strip() == ".SH INPUT OPTIONS":
                cur = "INPUT OPTIONS"
                secs[cur] = ("", [])
            else:
                cur = None
            continue
        if cur:
            secs[cur][1].append(line)
    return secs


def man_options(body):
    """{name: short} of the .TP items of a section."""
    opts = {}
    for prev, line in zip(body, body[1:]):
        if prev.strip() != ".TP" or not line.startswith(".B"):
            continue
        m = MAN_OPT.search(line)
        if m:
            s = MAN_SHORT.match(line)
            opts[m.group(1).replace("\\-", "-")] = s.group(1) if s else None
    return opts


def compare(what, a, b, errors):
    for name in sorted(set(a) | set(b)):
        if name not in b:
            errors.append(f"{what}: --{name} is in --help but not in the man page")
        elif name not in a:
            errors.append(f"{what}: --{name} is in the man page but not in --help")
        elif a[name] != b[name]:
            errors.append(f"{what}: --{name}: short option -{a[name]} in --help, "
                          f"-{b[name]} in the man page")


def main():
    exe, man = sys.argv[1], sys.argv[2]
    secs = man_sections(man)
    errors = []
    cmds = commands(exe)
    inputs_man = man_options(secs.get("INPUT OPTIONS", ("", []))[1])
    for cmd in cmds:
        if cmd not in secs:
            errors.append(f"{cmd}: no section in the man page")
            continue
        h = help_options(exe, cmd)
        syn, body = secs[cmd]
        compare(cmd, h["own"], man_options(body), errors)
        says_inputs = any("INPUT OPTIONS" in l for l in body)
        if bool(h["inputs"]) != says_inputs:
            errors.append(f"{cmd}: --help {'has' if h['inputs'] else 'has no'} input options, "
                          f"the man page section {'does not say so' if h['inputs'] else 'says it has'}")
        if h["inputs"]:
            compare(f"{cmd} (input options)", h["inputs"], inputs_man, errors)
        known = set(h["own"]) | set(h["inputs"])
        for name in MAN_OPT.findall(syn):
            name = name.replace("\\-", "-")
            if name not in known:
                errors.append(f"{cmd}: synopsis names --{name}, which --help does not list")
        print(f"{cmd}: {len(h['own'])} options, {len(h['inputs'])} input options")
    for cmd in secs:
        if cmd != "INPUT OPTIONS" and cmd not in cmds:
            errors.append(f"{cmd}: in the man page but not a command in --help")
    for e in errors:
        print("FAIL:", e)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
