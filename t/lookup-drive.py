#!/usr/bin/env python3
"""lookup-drive.py SENDMAIL CF MODE - one session started as inetd starts
it (the connected socket as fds 0 and 1, as root), driven over loopback,
for t/29-lookup-helper.t.  It prints "key value" lines: the replies to
RCPT for root and for names that are nobody's, the session's children
(its lookup helper) seen in /proc, and what the helper holds.  As a
subreaper it collects what the session leaves behind ("orphans").
MODE "nproc" starts the session with RLIMIT_NPROC 1, so that the session,
once it is smmta, cannot fork; MODE "stop" stops the helper (SIGSTOP) to
see the session give up on it; MODE "tls" says STARTTLS first (CF must
have a certificate) and looks at the helper before any lookup; MODE
"tlskill" kills the helper after STARTTLS and asks for a lookup; MODE
"authkill" does AUTH PLAIN in the clear ($AUTH_PLAIN) and then the same."""
import ctypes, os, resource, socket, ssl, subprocess, sys, time

sm, cf, mode = sys.argv[1:4]
libc = ctypes.CDLL(None, use_errno=True)
libc.prctl(36, 1, 0, 0, 0)      # PR_SET_CHILD_SUBREAPER

lsock = socket.socket()
lsock.bind(("127.0.0.1", 0))
lsock.listen(1)
client = socket.create_connection(lsock.getsockname(), 10)
client.settimeout(20)
conn, _ = lsock.accept()


def limit():
    if mode == "nproc":
        resource.setrlimit(resource.RLIMIT_NPROC, (1, 1))


env = dict(os.environ)
if mode == "nproc":
    # LeakSanitizer (SANITIZE=1 builds) needs a thread at exit: no can do.
    env["ASAN_OPTIONS"] = ":".join(
        filter(None, [env.get("ASAN_OPTIONS", ""), "detect_leaks=0"]))
p = subprocess.Popen([sm, "-Am", "-bs", "-C", cf], stdin=conn, stdout=conn,
                     stderr=subprocess.DEVNULL, preexec_fn=limit, env=env)
conn.close()
f = client.makefile("rb")


def reply():
    while True:
        line = f.readline().decode(errors="replace")
        if not line:
            return "EOF"
        if line[3:4] != "-":
            return line.rstrip("\r\n")


def cmd(c):
    client.sendall(c.encode() + b"\r\n")
    return reply()


def helpers():
    try:
        with open("/proc/%d/task/%d/children" % (p.pid, p.pid)) as fh:
            return fh.read().split()
    except OSError:
        return []


def show(key, value):
    print(key, value, flush=True)


def maps(pid):
    with open("/proc/%d/maps" % pid) as fh:
        return fh.read()


show("banner", reply()[:3])
cmd("EHLO t.example")
if mode in ("tls", "tlskill"):
    show("starttls", cmd("STARTTLS")[:3])
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    client = ctx.wrap_socket(client, server_hostname="mx.test.example")
    f = client.makefile("rb")
    show("tls_helpers", len(helpers()))
    show("session_gnutls", int("libgnutls" in maps(p.pid)))
    hs = helpers()
    if hs:
        show("helper_gnutls", int("libgnutls" in maps(int(hs[0]))))
    cmd("EHLO t.example")
if mode == "authkill":
    # AUTH offered in the clear: the helper is started at EHLO, before
    # any line can hold a password; after AUTH none is forked again.
    show("ehlo_helpers", len(helpers()))
    show("auth", cmd("AUTH PLAIN " + os.environ["AUTH_PLAIN"])[:3])
    for hp in helpers():
        os.kill(int(hp), 9)
    time.sleep(0.3)
    cmd("MAIL FROM:<a@t.example>")
    show("killed_nosuch", cmd("RCPT TO:<nosuch-k@localhost>")[:9])
    show("killed_helpers", len(helpers()))
    show("quit", cmd("QUIT")[:3])
    show("status", p.wait(20))
    sys.exit(0)
if mode == "tlskill":
    # The helper goes after STARTTLS: a new one would be a copy of a
    # session that holds the TLS keys, so there must be none.
    for hp in helpers():
        os.kill(int(hp), 9)
    time.sleep(0.3)
    cmd("MAIL FROM:<a@t.example>")
    show("killed_nosuch", cmd("RCPT TO:<nosuch-k@localhost>")[:9])
    show("killed_helpers", len(helpers()))
    show("killed_root", cmd("RCPT TO:<root@localhost>")[:9])
    show("quit", cmd("QUIT")[:3])
    show("status", p.wait(20))
    sys.exit(0)
show("mail", cmd("MAIL FROM:<a@t.example>")[:3])
show("root", cmd("RCPT TO:<root@localhost>")[:9])
show("after_root", len(helpers()))
show("nosuch", cmd("RCPT TO:<nosuch-1@localhost>")[:9])
h = helpers()
show("helpers", len(h))
if h:
    hp = int(h[0])
    with open("/proc/%d/status" % hp) as fh:
        uid = [l.split()[1] for l in fh if l.startswith("Uid:")][0]
    show("helper_uid", uid)
    mine = os.readlink("/proc/%d/fd/0" % p.pid)
    held = [os.readlink("/proc/%d/fd/%s" % (hp, fd))
            for fd in os.listdir("/proc/%d/fd" % hp)]
    show("helper_holds_client", int(mine in held))
    show("helper_fds", " ".join(held))
    if mode == "stop":
        # A helper that hangs (an NSS source that does not answer).
        os.kill(hp, 19)     # SIGSTOP
        t0 = time.time()
        show("stopped", cmd("RCPT TO:<nosuch-s@localhost>")[:9])
        show("stopped_secs", int(time.time() - t0 + 0.5))
        show("after_stop", cmd("RCPT TO:<nosuch-t@localhost>")[:9])
        h = helpers()
        show("helpers_after_stop", len(h))
        hp = int(h[0]) if h else hp
    show("nosuch2", cmd("RCPT TO:<nosuch-2@localhost>")[:9])
    show("same_helper", int(helpers() == h))
    os.kill(hp, 9)
    time.sleep(0.3)
    show("nosuch3", cmd("RCPT TO:<nosuch-3@localhost>")[:9])
    h2 = helpers()
    show("new_helper", int(len(h2) == 1 and h2 != h))
if mode == "nproc":
    show("nosuch_again", cmd("RCPT TO:<nosuch-n@localhost>")[:9])
show("quit", cmd("QUIT")[:3])
show("eof", reply())
show("status", p.wait(20))

orphans = 0
deadline = time.time() + 10
while time.time() < deadline:
    try:
        pid, _ = os.waitpid(-1, os.WNOHANG)
    except ChildProcessError:
        break
    if pid == 0:
        time.sleep(0.05)
        continue
    orphans += 1
show("orphans", orphans)
