#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""A TFTP-shaped exchange for the namespace lab: what the tftp conntrack
helper must relate, and nothing more (RFC 1350's packets, one file).

  tftp-peer.py server PORT      answer read requests on PORT (dual-stack)
  tftp-peer.py client ADDR PORT read one file from ADDR PORT

The server answers each read request from a NEW socket on an ephemeral
port, as a TFTP server does: DATA block 1, then, once the client's ACK
reached that new port, DATA block 2 (empty: the end). The client prints
"ok SERVER-PORT" and exits 0 only when block 2 came, so success proves the
reply left the server from a new port and the client's ACK came back in.
Exit 1 when any step times out.
"""
import socket
import struct
import sys

RRQ, DATA, ACK = 1, 3, 4
TIMEOUT = 1.5


def server(port):
    s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    s.bind(("::", port))
    print("ready", flush=True)
    while True:
        pkt, peer = s.recvfrom(1500)
        if len(pkt) < 4 or struct.unpack("!H", pkt[:2])[0] != RRQ:
            continue
        t = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
        t.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        t.bind(("::", 0))
        t.settimeout(TIMEOUT)
        try:
            t.sendto(struct.pack("!HH", DATA, 1) + b"fwgen tftp lab\n", peer)
            ack, _ = t.recvfrom(1500)
            if struct.unpack("!HH", ack[:4]) == (ACK, 1):
                t.sendto(struct.pack("!HH", DATA, 2), peer)
        except OSError as e:
            print("server: %s" % e, flush=True)
        t.close()


def client(addr, port):
    fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_DGRAM)
    s.settimeout(TIMEOUT)
    try:
        s.sendto(struct.pack("!H", RRQ) + b"pxelinux.0\0octet\0", (addr, port))
        pkt, srv = s.recvfrom(1500)
        if struct.unpack("!HH", pkt[:4]) != (DATA, 1):
            print("client: not DATA 1")
            return 1
        if srv[1] == port:
            print("client: the reply came from the request's port")
            return 1
        s.sendto(struct.pack("!HH", ACK, 1), srv[:2])
        while True:
            pkt, frm = s.recvfrom(1500)
            if frm[1] == srv[1] and struct.unpack("!HH", pkt[:4]) == (DATA, 2):
                s.sendto(struct.pack("!HH", ACK, 2), srv[:2])
                print("ok %d" % srv[1])
                return 0
    except OSError as e:
        print("client: %s" % e)
        return 1


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "server":
        server(int(sys.argv[2]))
    elif len(sys.argv) == 4 and sys.argv[1] == "client":
        sys.exit(client(sys.argv[2], int(sys.argv[3])))
    else:
        sys.exit(__doc__)
