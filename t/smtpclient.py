"""smtpclient.py - a raw SMTP client for the tests that can switch to TLS,
bind a source address and find the session process serving it.

Used by t/18-starttls.t, t/22-auth.t and t/23-tls-verify.t through
PYTHONPATH (t/lib.sh's `py`).  Every socket operation has a timeout;
every wait is bounded."""
import base64, os, socket, ssl, time


def b64(b):
    return base64.b64encode(b).decode()


class Conn:
    def __init__(self, port, host="127.0.0.1", src=None, timeout=10):
        """Connect, retrying for up to 10 s while the server starts."""
        self.port = port
        end = time.time() + 10
        while True:
            try:
                self.s = socket.create_connection((host, port), timeout,
                    (src, 0) if src else None)
                break
            except OSError:
                if time.time() > end:
                    raise
                time.sleep(0.1)
        self.s.settimeout(timeout)
        self.buf = b""

    def reply(self):
        """One whole reply, as a list of lines."""
        lines = []
        while True:
            while b"\r\n" not in self.buf:
                c = self.s.recv(4096)
                if not c:
                    raise EOFError("connection closed after %r" % lines)
                self.buf += c
            line, self.buf = self.buf.split(b"\r\n", 1)
            lines.append(line.decode("latin-1"))
            if len(lines[-1]) < 4 or lines[-1][3] != "-":
                return lines

    def send(self, b):
        self.s.sendall(b)

    def cmd(self, text):
        self.send(text.encode() + b"\r\n")
        return self.reply()

    def last(self, text):
        """The last line of the reply to text."""
        return self.cmd(text)[-1]

    def starttls(self, cert=None, key=None):
        """The client side of the handshake, without verifying the server;
        with cert and key (PEM files), a client certificate for a server
        that asks for one."""
        assert self.buf == b"", self.buf
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        if cert:
            ctx.load_cert_chain(cert, key)
        self.s = ctx.wrap_socket(self.s)

    def tls(self, ehlo="c.example"):
        """Banner, EHLO, STARTTLS, the handshake, EHLO again: the last
        EHLO's reply."""
        self.reply()
        self.cmd("EHLO " + ehlo)
        r = self.cmd("STARTTLS")[-1]
        assert r.startswith("220 "), r
        self.starttls()
        return self.cmd("EHLO " + ehlo)

    def closed(self):
        """Has the server closed the connection (the next read says so)?"""
        try:
            return self.s.recv(4096) == b""
        except (OSError, ssl.SSLError):
            return True

    def closed_within(self, secs):
        """Seconds until the server closed the connection; None if it
        did not within secs."""
        t0 = time.time()
        self.s.settimeout(0.2)
        while time.time() - t0 < secs:
            try:
                if not self.s.recv(4096):
                    return time.time() - t0
            except socket.timeout:
                continue
            except (OSError, ssl.SSLError):
                return time.time() - t0
        return None

    def session_pid(self):
        """The session process serving this connection: the sendmail
        process holding the server end of the socket (127.0.0.1 only)."""
        me = self.s.getsockname()[1]
        want = ("0100007F:%04X" % self.port, "0100007F:%04X" % me)
        inode = None
        with open("/proc/net/tcp") as f:
            for line in f.readlines()[1:]:
                w = line.split()
                if (w[1], w[2]) == want:
                    inode = w[9]
        if inode is None:
            return None
        for pid in filter(str.isdigit, os.listdir("/proc")):
            try:
                with open("/proc/%s/comm" % pid) as f:
                    if f.read().strip() != "sendmail":
                        continue
                for fd in os.listdir("/proc/%s/fd" % pid):
                    if os.readlink("/proc/%s/fd/%s" % (pid, fd)) == \
                            "socket:[%s]" % inode:
                        return int(pid)
            except OSError:
                continue
        return None


def maps(pid):
    with open("/proc/%d/maps" % pid) as f:
        return f.read()


def gone_within(pid, secs):
    """Has process pid exited within secs?"""
    end = time.time() + secs
    while time.time() < end:
        if not os.path.exists("/proc/%d" % pid):
            return True
        time.sleep(0.05)
    return False
