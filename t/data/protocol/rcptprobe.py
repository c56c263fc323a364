#!/usr/bin/env python3
"""rcptprobe.py [-1] SRC DST PORT < paths

For every line of stdin (an SMTP path such as "<user@example.org>"), open
a connection to DST:PORT from the source address SRC (bound before the
connect, so the server sees SRC as the peer), say EHLO,
MAIL FROM:<probe@example.net>, RCPT TO:<the line>, QUIT, and print

    <the line> TAB <the RCPT reply, its last line>

One connection per path keeps every probe independent of the others (the
recipient limit, the bad-command counter).  With -1, all paths go to one
transaction on one connection, followed by DATA and a short message; the
output then also has a line "DATA" TAB <reply> (and "END" TAB <reply> if
the server said 354).  The first connect is retried for up to 10 s while
the server starts."""
import socket, sys, time

args = sys.argv[1:]
one = False
if args and args[0] == "-1":
    one = True
    args.pop(0)
src, dst, port = args[0], args[1], int(args[2])
paths = [l.rstrip("\r\n") for l in sys.stdin if l.strip()]


def connect():
    end = time.time() + 10
    while True:
        s = socket.socket(socket.AF_INET6 if ":" in dst else socket.AF_INET)
        s.bind((src, 0))
        s.settimeout(10)
        try:
            s.connect((dst, port))
            return s
        except OSError:
            s.close()
            if time.time() > end:
                raise
            time.sleep(0.05)


class Peer:
    def __init__(self):
        self.s = connect()
        self.buf = b""

    def reply(self):
        """Read one complete reply; return its last line."""
        while True:
            while b"\r\n" in self.buf:
                line, self.buf = self.buf.split(b"\r\n", 1)
                if len(line) < 4 or line[3:4] != b"-":
                    return line.decode("latin-1")
            c = self.s.recv(4096)
            if not c:
                return "(connection closed)"
            self.buf += c

    def cmd(self, text):
        self.s.sendall(text.encode("latin-1") + b"\r\n")
        return self.reply()


if one:
    p = Peer()
    p.reply()
    p.cmd("EHLO probe.example")
    p.cmd("MAIL FROM:<probe@example.net>")
    for a in paths:
        print("%s\t%s" % (a, p.cmd("RCPT TO:" + a)))
    r = p.cmd("DATA")
    print("DATA\t%s" % r)
    if r.startswith("354"):
        print("END\t%s" % p.cmd("Subject: relay test\r\n\r\nrelayed?\r\n."))
    p.cmd("QUIT")
else:
    for a in paths:
        p = Peer()
        p.reply()
        p.cmd("EHLO probe.example")
        p.cmd("MAIL FROM:<probe@example.net>")
        print("%s\t%s" % (a, p.cmd("RCPT TO:" + a)))
        p.cmd("QUIT")
        p.s.close()
sys.stdout.flush()
