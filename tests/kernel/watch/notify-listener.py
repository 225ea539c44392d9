#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""A NOTIFY_SOCKET listener, as systemd's PID 1 is for a Type=notify service: binds an
AF_UNIX datagram socket at PATH and writes every datagram it receives to OUT, one line per
assignment, prefixed with the CLOCK_MONOTONIC time it arrived. Runs until killed.
Usage: notify-listener.py PATH OUT"""
import os
import socket
import sys
import time

path, out = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(path)
os.chmod(path, 0o600)
with open(out, "a", buffering=1) as f:
    f.write("listening\n")
    while True:
        data = s.recv(4096).decode(errors="replace")
        t = time.clock_gettime(time.CLOCK_MONOTONIC)
        for line in data.split("\n"):
            if line:
                f.write(f"{t:.3f} {line}\n")
