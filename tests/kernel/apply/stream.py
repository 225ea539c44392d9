#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Counted UDP stream for the apply atomicity test.

  stream.py recv ADDR PORT DIR   binds, counts distinct sequence numbers until DIR/stop,
                                 then writes DIR/received
  stream.py send ADDR PORT DIR   sends one numbered datagram every 0.5 ms until DIR/stop,
                                 then writes DIR/sent
"""
import os
import socket
import sys
import time


def recv(addr, port, d):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    s.bind((addr, port))
    s.settimeout(0.1)
    open(os.path.join(d, "recv-ready"), "w").close()
    seen = set()
    idle_after_stop = 0
    while True:
        try:
            data, _ = s.recvfrom(64)
            seen.add(int(data.split()[0]))
            idle_after_stop = 0
        except socket.timeout:
            if os.path.exists(os.path.join(d, "sent")):
                idle_after_stop += 1
                if idle_after_stop >= 5:
                    break
    with open(os.path.join(d, "received"), "w") as f:
        f.write("%d\n" % len(seen))


def send(addr, port, d):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    n = 0
    nxt = time.monotonic()
    while not os.path.exists(os.path.join(d, "stop")):
        s.sendto(b"%d seq" % n, (addr, port))
        n += 1
        nxt += 0.0005
        delay = nxt - time.monotonic()
        if delay > 0:
            time.sleep(delay)
    with open(os.path.join(d, "sent.tmp"), "w") as f:
        f.write("%d\n" % n)
    os.rename(os.path.join(d, "sent.tmp"), os.path.join(d, "sent"))


if __name__ == "__main__":
    mode, addr, port, d = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    (recv if mode == "recv" else send)(addr, port, d)
