#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Conformance runner for iptables' extensions/*.t cases (iptables-test.py format).

Each case "rule;expected;OK|FAIL[;VARIANT[;...]]" under the current ":CHAIN,..." and
"*table" lines is wrapped into a minimal iptables-restore file

    *table
    :CHAIN ACCEPT [0:0]        (or "- [0:0]" when CHAIN is not built into the table)
    -A CHAIN rule
    COMMIT

and run through `ctguard fmt` (-6 for IPv6). An OK case must exit 0 and print
"-A CHAIN expected" ("=" means the rule itself); a FAIL case must exit 2.
Files libipt_* and iptables.t are IPv4, libip6t_* IPv6, libxt_* both (IPv6 runs skip
rules holding an IPv4 address literal). Cases tagged LEGACY (xtables-legacy only) are
skipped: ctguard models what iptables-nft prints.

Cases listed in the allowlist (FILE<TAB>RULE<TAB>REASON, RULE may be "*") are reported
but do not fail the run. Exit status: 0 all pass, 1 failures, 77 no ctguard binary.
"""
import argparse
import collections
import os
import re
import subprocess
import sys
import tempfile

BUILTIN = {
    'filter': {'INPUT', 'FORWARD', 'OUTPUT'},
    'security': {'INPUT', 'FORWARD', 'OUTPUT'},
    'raw': {'PREROUTING', 'OUTPUT'},
    'nat': {'PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING'},
    'mangle': {'PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING'},
}
V4_LITERAL = re.compile(r'\b\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}\b')

Case = collections.namedtuple('Case', 'file lineno table chains rule expected result')


def families(name):
    if name.startswith('libipt_'):
        return [4]
    if name.startswith('libip6t_'):
        return [6]
    if name == 'iptables.t':
        return [4]
    return [4, 6]


def read_cases(path):
    """Yields Case tuples; LEGACY-only cases are returned with result 'SKIP'."""
    name = os.path.basename(path)
    chains, table = [], 'filter'
    with open(path, encoding='utf-8') as f:
        for lineno, line in enumerate(f, 1):
            line = line.rstrip('\n')
            if not line.strip() or line.startswith('#'):
                continue
            if line.startswith(':'):
                chains = line[1:].strip().split(',')
                continue
            if line.startswith('*'):
                table = line[1:].strip()
                continue
            item = line.split(';')
            if len(item) < 3:
                continue
            rule, expected, result = item[0], item[1], item[2].strip()
            if len(item) > 3 and item[3].strip() == 'LEGACY':
                result = 'SKIP'
            if expected == '=' or (result == 'OK' and not expected):
                expected = rule
            yield Case(name, lineno, table, list(chains), rule, expected, result)


def restore_text(table, chain, rule):
    policy = 'ACCEPT' if chain in BUILTIN.get(table, ()) else '-'
    return '*%s\n:%s %s [0:0]\n-A %s %s\nCOMMIT\n' % (table, chain, policy, chain, rule)


def run_fmt(ctguard, family, text, tmpdir):
    path = os.path.join(tmpdir, 'case.rules')
    with open(path, 'w', encoding='utf-8') as f:
        f.write(text)
    # --strict: the .t cases are current iptables's command-line rules.
    cmd = ctguard + ['fmt', '--strict'] + (['-6'] if family == 6 else []) + [path]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=30)
    return p.returncode, p.stdout, p.stderr


def check(case, family, chain, ctguard, tmpdir):
    """Returns None when the case passes, else a short reason."""
    rc, out, err = run_fmt(ctguard, family, restore_text(case.table, chain, case.rule), tmpdir)
    first_err = next((l for l in err.splitlines() if l.strip()), '')
    if case.result == 'FAIL':
        return None if rc == 2 else 'accepted (exit %d), iptables rejects it' % rc
    if rc != 0:
        return 'rejected (exit %d): %s' % (rc, first_err)
    if case.result == 'NOMATCH':
        return None
    want = ('-A %s %s' % (chain, case.expected)).strip()
    lines = [l.rstrip() for l in out.splitlines()]
    if want in lines:
        return None
    got = [l for l in lines if l.startswith('-A %s' % chain)]
    return 'printed %r, want %r' % (got[0] if got else '(no rule)', want)


def load_allowlist(path):
    allow = {}
    if not path or not os.path.exists(path):
        return allow
    with open(path, encoding='utf-8') as f:
        for line in f:
            line = line.rstrip('\n')
            if not line.strip() or line.startswith('#'):
                continue
            parts = line.split('\t')
            if len(parts) < 3:
                continue
            allow[(parts[0], parts[1])] = parts[2]
    return allow


def allowed(allow, case):
    return allow.get((case.file, case.rule)) or allow.get((case.file, '*'))


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--ctguard', default=os.environ.get('CTGUARD', 'ctguard'),
                    help='ctguard binary (a command line; default $CTGUARD)')
    ap.add_argument('--dir', default=os.path.join(here, 't'), help='directory of .t files')
    ap.add_argument('--allowlist', default=os.path.join(here, 'allowlist.txt'))
    ap.add_argument('-v', '--verbose', action='store_true', help='list every case')
    ap.add_argument('files', nargs='*', help='only these .t files (base names)')
    args = ap.parse_args()
    ctguard = args.ctguard.split()
    if not os.path.exists(ctguard[0]) and not any(
            os.access(os.path.join(d, ctguard[0]), os.X_OK)
            for d in os.environ.get('PATH', '').split(':')):
        print('ext_t: no ctguard binary at %s' % ctguard[0])
        return 77
    allow = load_allowlist(args.allowlist)
    names = sorted(f for f in os.listdir(args.dir) if f.endswith('.t'))
    if args.files:
        names = [n for n in names if n in args.files or n[:-2] in args.files]

    stats = collections.OrderedDict()
    failures, allowed_hits, allowed_pass, skipped = [], [], [], 0
    with tempfile.TemporaryDirectory(prefix='ctg-ext-t-') as tmpdir:
        for name in names:
            for case in read_cases(os.path.join(args.dir, name)):
                if case.result == 'SKIP':
                    skipped += 1
                    continue
                for fam in families(name):
                    if fam == 6 and name.startswith('libxt_') and \
                            V4_LITERAL.search(case.rule):
                        continue
                    key = (name, fam)
                    st = stats.setdefault(key, {'OK': [0, 0], 'FAIL': [0, 0]})
                    kind = 'FAIL' if case.result == 'FAIL' else 'OK'
                    for chain in case.chains:
                        st[kind][1] += 1
                        why = check(case, fam, chain, ctguard, tmpdir)
                        reason = allowed(allow, case)
                        if why is None:
                            st[kind][0] += 1
                            if reason:
                                allowed_pass.append((case, fam, chain))
                        elif reason:
                            allowed_hits.append((case, fam, chain, why, reason))
                        else:
                            failures.append((case, fam, chain, why))
                        if args.verbose:
                            print('%s:%d -%d %s %s: %s' % (name, case.lineno, fam, chain,
                                                          case.rule, why or 'pass'))

    print('%-24s %3s  %9s  %9s' % ('file', 'fam', 'OK', 'FAIL'))
    tot = {'OK': [0, 0], 'FAIL': [0, 0]}
    for (name, fam), st in stats.items():
        print('%-24s %3s  %4d/%-4d  %4d/%-4d' % (name, 'v%d' % fam, st['OK'][0], st['OK'][1],
                                                 st['FAIL'][0], st['FAIL'][1]))
        for k in tot:
            tot[k][0] += st[k][0]
            tot[k][1] += st[k][1]
    print('%-24s %3s  %4d/%-4d  %4d/%-4d' % ('TOTAL', '', tot['OK'][0], tot['OK'][1],
                                             tot['FAIL'][0], tot['FAIL'][1]))
    print('(%d LEGACY-only cases skipped)' % skipped)
    if allow:
        print('\nAllowlist (%s): out of scope, not counted as failures:' % args.allowlist)
        for (f, r), reason in sorted(allow.items()):
            print('  %s: %s -- %s' % (f, r, reason))
    for case, fam, chain, why, reason in allowed_hits:
        print('  allowed: %s:%d -%d %s: %s' % (case.file, case.lineno, fam, chain, why))
    for case, fam, chain in allowed_pass:
        print('  note: allowlisted case now passes: %s:%d -%d %s %s' % (
            case.file, case.lineno, fam, chain, case.rule))
    if failures:
        print('\nFailures (%d):' % len(failures))
        for case, fam, chain, why in failures:
            print('  %s:%d [-%d %s -A %s] %s\n      %s' % (case.file, case.lineno, fam,
                                                       case.table, chain, case.rule, why))
        return 1
    print('\nall cases pass')
    return 0


if __name__ == '__main__':
    sys.exit(main())
