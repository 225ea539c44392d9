#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""A TCP endpoint controlled through files in DIR, for the apply kernel tests.

  endpoint.py listen ADDR PORT DIR [--echo]   accept one connection
  endpoint.py connect ADDR PORT DIR           connect

Writes DIR/ready once connected. Every 20 ms: a file DIR/send is read, renamed away and
its content sent; received bytes are appended to DIR/recv (with --echo also sent back).
Exits when the peer closes or DIR/stop exists.
"""
import os
import select
import socket
import sys
import time


def main():
    mode, addr, port, d = sys.argv[1:5]
    echo = "--echo" in sys.argv[5:]
    fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
    if mode == "listen":
        ls = socket.socket(fam, socket.SOCK_STREAM)
        ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        ls.bind((addr, int(port)))
        ls.listen(1)
        open(os.path.join(d, "listening"), "w").close()
        s, _ = ls.accept()
    else:
        s = socket.create_connection((addr, int(port)), timeout=5)
        s.settimeout(None)
    open(os.path.join(d, "ready"), "w").close()
    send = os.path.join(d, "send")
    while os.path.isdir(d) and not os.path.exists(os.path.join(d, "stop")):
        r, _, _ = select.select([s], [], [], 0.02)
        if r:
            data = s.recv(4096)
            if not data:
                break
            with open(os.path.join(d, "recv"), "ab") as f:
                f.write(data)
            if echo:
                s.sendall(data)
        if os.path.exists(send):
            os.rename(send, send + ".taken")
            with open(send + ".taken", "rb") as f:
                s.sendall(f.read())
    s.close()


if __name__ == "__main__":
    main()
