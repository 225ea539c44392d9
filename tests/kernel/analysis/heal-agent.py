#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
# Test endpoints for the heal/audit kernel tests (run inside a namespace):
#   heal-agent.py server ADDR PORT FIFO   accept one connection; send each line read from FIFO
#   heal-agent.py client ADDR PORT OUT    connect; append everything received to OUT
#   heal-agent.py listen ADDR PORT OUT    accept forever; append "accepted HOST:PORT" to OUT
#   heal-agent.py sink ADDR PORT OUT      accept one connection; append what it receives to OUT
#   heal-agent.py csend ADDR PORT FIFO    connect; send each line read from FIFO
#   heal-agent.py connect ADDR PORT SECS  try to connect; exit 0 if it succeeded, 1 if not
import socket, sys

mode, addr, port, arg = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
fam = socket.AF_INET6 if ':' in addr else socket.AF_INET
if mode == 'server':
    ls = socket.socket(fam); ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((addr, port)); ls.listen(4)
    c, _ = ls.accept()
    while True:
        with open(arg) as f:
            for line in f:
                c.sendall(line.encode())
elif mode == 'client':
    s = socket.create_connection((addr, port))
    with open(arg, 'ab', buffering=0) as out:
        while True:
            d = s.recv(4096)
            if not d:
                break
            out.write(d)
elif mode == 'listen':
    ls = socket.socket(fam); ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((addr, port)); ls.listen(4)
    while True:
        c, peer = ls.accept()
        with open(arg, 'a') as out:
            out.write('accepted %s:%d\n' % peer)
elif mode == 'sink':
    ls = socket.socket(fam); ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((addr, port)); ls.listen(4)
    c, _ = ls.accept()
    with open(arg, 'ab', buffering=0) as out:
        while True:
            d = c.recv(4096)
            if not d:
                break
            out.write(d)
elif mode == 'csend':
    s = socket.create_connection((addr, port))
    while True:
        with open(arg) as f:
            for line in f:
                s.sendall(line.encode())
elif mode == 'connect':
    try:
        socket.create_connection((addr, port), timeout=float(arg)).close()
        sys.exit(0)
    except OSError:
        sys.exit(1)
