#!/usr/bin/env python3
"""txprobe.py DST PORT < lines

Every line of stdin is "SRC FROM TO": a source address to bind, a sender
and a recipient, written without angle brackets ("<>" is the null
sender).  For each line, open a connection to DST:PORT from SRC (bound
before the connect, so that the server sees SRC as its peer), then

    EHLO probe.example
    MAIL FROM:<FROM>
    RCPT TO:<TO>             only if MAIL got a 2xx reply
    DATA + a short message   only if RCPT got a 2xx reply (and DATA 354)
    QUIT

and print one line

    SRC FROM TO <TAB> MAIL reply <TAB> RCPT reply <TAB> end-of-data reply

(the last line of each reply; "-" for a command not sent; for DATA, the
354 is not printed, only the reply after the final dot, or DATA's reply
if it was not 354).  The first connect is retried for up to 10 s while
the server starts; every socket operation has a timeout.  Lines starting
with "#" and blank lines are skipped.

TO may be a comma-separated list: one RCPT each, in one transaction;
their replies are then joined with " / ", and DATA is sent if any of
them got a 2xx reply."""
import socket, sys, time

TIMEOUT = 15

dst, port = sys.argv[1], int(sys.argv[2])
first = True


def connect(src):
    global first
    end = time.time() + (10 if first else 0)
    while True:
        fam = socket.AF_INET6 if ":" in dst else socket.AF_INET
        s = socket.socket(fam, socket.SOCK_STREAM)
        s.settimeout(TIMEOUT)
        try:
            s.bind((src, 0))
            s.connect((dst, port))
            first = False
            return s
        except OSError:
            s.close()
            if time.time() > end:
                raise
            time.sleep(0.05)


class Peer:
    def __init__(self, src):
        self.s = connect(src)
        self.buf = b""

    def reply(self):
        """Read one complete reply; return its last line."""
        while True:
            while b"\r\n" in self.buf:
                line, self.buf = self.buf.split(b"\r\n", 1)
                if len(line) < 4 or line[3:4] != b"-":
                    return line.decode("latin-1")
            try:
                c = self.s.recv(4096)
            except socket.timeout:
                return "(timeout)"
            except OSError as e:
                return "(%s)" % e.strerror
            if not c:
                return "(connection closed)"
            self.buf += c

    def cmd(self, text):
        try:
            self.s.sendall(text.encode("latin-1") + b"\r\n")
        except OSError as e:
            return "(%s)" % e.strerror
        return self.reply()


def ok(r):
    return r[:1] == "2"


for line in sys.stdin:
    line = line.strip()
    if not line or line.startswith("#"):
        continue
    src, given, to = line.split()
    frm = "" if given == "<>" else given
    mail = rcpt = end = "-"
    p = Peer(src)
    p.reply()
    p.cmd("EHLO probe.example")
    mail = p.cmd("MAIL FROM:<%s>" % frm)
    if ok(mail):
        replies = [p.cmd("RCPT TO:<%s>" % t) for t in to.split(",")]
        rcpt = " / ".join(replies)
        if any(ok(r) for r in replies):
            end = p.cmd("DATA")
            if end.startswith("354"):
                end = p.cmd("Subject: access test\r\n\r\nhello\r\n.")
    p.cmd("QUIT")
    p.s.close()
    print("%s %s %s\t%s\t%s\t%s" % (src, given, to, mail, rcpt, end))
    sys.stdout.flush()
