#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Writes the bash completion of ctguard from the program's own help.

`ctguard --help` lists the commands, `ctguard CMD --help` each command's options (generated
from the command's option table). An option's value completes by its placeholder: FILE as
file names, DIR as directories, IF as network interfaces, `a|b|c` as those words; other
values (numbers, addresses) are not completed. Positional arguments: `fmt` takes a file,
`help` a command, `trace` a protocol first. Usage: gen-bash-completion.py CTGUARD [OUT]
"""
import re
import subprocess
import sys

OPT = re.compile(r"^  (?:-(\w), |    )--([a-z0-9][a-z0-9-]*)(?: (\S+(?: \S+)*?))?(?:  |$)")


def run(exe, *args):
    return subprocess.run([exe, *args], capture_output=True, text=True, check=True).stdout


def commands(exe):
    return re.findall(r"^  ([a-z]+) ", run(exe, "--help"), re.M)


def options(exe, cmd):
    """[(long, short or None, value placeholder or None)] in --help order."""
    out = []
    for line in run(exe, cmd, "--help").splitlines():
        m = OPT.match(line)
        if m:
            out.append((m.group(2), m.group(1), m.group(3)))
    return out


def value_kind(ph):
    if ph is None:
        return None
    if ph in ("FILE", "FILE|-"):
        return "file"
    if ph == "DIR":
        return "dir"
    if ph == "IF":
        return "iface"
    if re.fullmatch(r"[a-z0-9]+(\|[a-z0-9]+)+", ph):
        return "words:" + " ".join(ph.split("|"))
    return "none"


def shell_case_value(kind):
    if kind == "file":
        return "compopt -o filenames; COMPREPLY=($(compgen -f -- \"$cur\"))"
    if kind == "dir":
        return "compopt -o filenames; COMPREPLY=($(compgen -d -- \"$cur\"))"
    if kind == "iface":
        return "COMPREPLY=($(compgen -W \"$(ls /sys/class/net 2>/dev/null)\" -- \"$cur\"))"
    if kind.startswith("words:"):
        return "COMPREPLY=($(compgen -W \"%s\" -- \"$cur\"))" % kind[6:]
    return "COMPREPLY=()"


POSITIONAL = {
    "fmt": "compopt -o filenames; COMPREPLY=($(compgen -f -- \"$cur\"))",
    "help": "COMPREPLY=($(compgen -W \"$cmds\" -- \"$cur\"))",
    "trace": "[ \"$npos\" -eq 0 ] && COMPREPLY=($(compgen -W \"tcp udp icmp icmpv6\" -- \"$cur\"))",
}


def generate(exe):
    cmds = commands(exe)
    lines = [
        "# bash completion for ctguard(8). Generated from `ctguard CMD --help` by",
        "# tools/gen-bash-completion.py at build time: do not edit.",
        "_ctguard()",
        "{",
        "\tlocal cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}",
        "\tlocal cmds=\"%s\"" % " ".join(cmds),
        "\tlocal cmd= ci=0 i npos=0 w skip=0",
        "\tCOMPREPLY=()",
        "\tfor ((i = 1; i < COMP_CWORD; i++)); do",
        "\t\tcase ${COMP_WORDS[i]} in -*) ;; *) cmd=${COMP_WORDS[i]} ci=$i; break ;; esac",
        "\tdone",
        "\tif [ -z \"$cmd\" ]; then",
        "\t\tCOMPREPLY=($(compgen -W \"$cmds --help --version\" -- \"$cur\"))",
        "\t\treturn 0",
        "\tfi",
        "\tlocal opts= valopts=",
        "\tcase $cmd in",
    ]
    for c in cmds:
        if c in ("help", "version"):
            continue
        opts = options(exe, c)
        words = []
        for long, short, _ in opts:
            words.append("--" + long)
            if short:
                words.append("-" + short)
        takes = [o for o in opts if o[2] is not None]
        lines.append("\t%s)" % c)
        lines.append("\t\topts=\"%s\"" % " ".join(words))
        if takes:
            lines.append("\t\tcase $prev in")
            for long, short, ph in takes:
                pats = "--" + long + ("|-" + short if short else "")
                lines.append("\t\t%s) %s; return 0 ;;" % (pats, shell_case_value(value_kind(ph))))
            lines.append("\t\tesac")
            lines.append("\t\tvalopts=\"%s\"" % " ".join(
                ["--" + o[0] for o in takes] + ["-" + o[1] for o in takes if o[1]]))
        lines.append("\t\t;;")
    lines += [
        "\tesac",
        "\tif [[ $cur == -* ]]; then",
        "\t\tCOMPREPLY=($(compgen -W \"$opts\" -- \"$cur\"))",
        "\t\treturn 0",
        "\tfi",
        "\t# positional arguments: words after the command that are not options or their values",
        "\tfor ((i = ci + 1; i < COMP_CWORD; i++)); do",
        "\t\tw=${COMP_WORDS[i]}",
        "\t\tif [ \"$skip\" = 1 ]; then skip=0; continue; fi",
        "\t\tcase \" $valopts \" in *\" $w \"*) skip=1; continue ;; esac",
        "\t\tcase $w in -*) continue ;; esac",
        "\t\tnpos=$((npos + 1))",
        "\tdone",
        "\tcase $cmd in",
    ]
    for c, action in POSITIONAL.items():
        if c in cmds:
            lines.append("\t%s) %s ;;" % (c, action))
    lines += [
        "\tesac",
        "\treturn 0",
        "}",
        "complete -F _ctguard ctguard",
        "",
    ]
    return "\n".join(lines)


def main():
    text = generate(sys.argv[1])
    if len(sys.argv) > 2:
        with open(sys.argv[2], "w") as f:
            f.write(text)
    else:
        sys.stdout.write(text)


if __name__ == "__main__":
    main()
