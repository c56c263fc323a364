#!/usr/bin/env python3
"""smtpraw.py [-n] [-w SECONDS] PORT < bytes

A raw SMTP peer for tests: connect to 127.0.0.1:PORT, wait for the banner
(unless -n: send at once, an early talker), send stdin's bytes exactly as
they are (no line-end rewriting), half-close, and print everything the
server says until it closes (at most -w seconds, default 10).

A line "<<WAIT>>" in the input is not sent: there the client stops and
waits for the server's next reply (e.g. the 354 after DATA) before it
sends the rest, as a well-behaved pipelining client does."""
import socket, sys, time

args = sys.argv[1:]
early = False
wait = 10.0
while args and args[0].startswith('-'):
    a = args.pop(0)
    if a == '-n':
        early = True
    elif a == '-w':
        wait = float(args.pop(0))
port = int(args[0])
data = sys.stdin.buffer.read()
s = socket.create_connection(("127.0.0.1", port), 5)
s.settimeout(wait)
out = b""
if not early:
    while b"\r\n" not in out:
        chunk = s.recv(4096)
        if not chunk:
            break
        out += chunk
def read_reply():
    global out
    got = b""
    while True:
        try:
            chunk = s.recv(65536)
        except (socket.timeout, ConnectionResetError):
            out += got
            return
        if not chunk:
            out += got
            return
        got += chunk
        # a complete reply: its last line has a space after the code
        lines = got.split(b"\r\n")
        if got.endswith(b"\r\n") and len(lines) >= 2 and \
                len(lines[-2]) >= 4 and lines[-2][3:4] == b" ":
            out += got
            return

parts = data.split(b"<<WAIT>>\n")
try:
    for i, part in enumerate(parts):
        s.sendall(part)
        if i < len(parts) - 1:
            read_reply()
    s.shutdown(socket.SHUT_WR)
except OSError:
    pass
end = time.time() + wait
while time.time() < end:
    try:
        chunk = s.recv(65536)
    except (socket.timeout, ConnectionResetError):
        break
    if not chunk:
        break
    out += chunk
sys.stdout.write(out.decode("latin-1").replace("\r\n", "\n"))
