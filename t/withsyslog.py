#!/usr/bin/env python3
"""withsyslog.py LOGFILE COMMAND [ARG...]

Run COMMAND with its own /dev/log, and write every syslog message it sends
there as one line of LOGFILE (the "<pri>" prefix removed).  Test machines
and containers often have no syslog daemon, and a session started with
-bs logs only to syslog.

COMMAND runs in a private mount namespace (unshare -m, needs root) where
/dev is replaced by a directory holding the usual device nodes (bind
mounts of the real ones) and a datagram socket "log" that this program
reads.  Nothing outside changes.  With WITHSYSLOG_RAW=1 in the
environment the "<pri>" prefix is kept.  SIGTERM/SIGINT are passed on to the
command; the exit status is the command's."""
import os, select, shutil, signal, socket, subprocess, sys, tempfile, threading

if len(sys.argv) < 3:
    sys.exit(__doc__)
logfile, cmd = sys.argv[1], sys.argv[2:]
top = tempfile.mkdtemp(prefix="withsyslog.")
os.chmod(top, 0o755)
dev = os.path.join(top, "dev")
os.mkdir(dev, 0o755)
sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
sock.bind(os.path.join(dev, "log"))
os.chmod(os.path.join(dev, "log"), 0o666)   # sessions drop to RunAsUser
out = open(logfile, "ab", buffering=0)
done = threading.Event()


def take(timeout):
    """Copy one waiting message to the log file; False if none came."""
    r, _, _ = select.select([sock], [], [], timeout)
    if not r:
        return False
    msg = sock.recv(65536)
    if msg.startswith(b"<") and not os.environ.get("WITHSYSLOG_RAW"):
        msg = msg.split(b">", 1)[-1]
    out.write(msg.rstrip(b"\n") + b"\n")
    return True


def reader():
    while not done.is_set():
        take(0.1)


def drain():
    while take(0.2):
        pass


setup = r'''
set -e
d=$1; shift
for n in null zero full random urandom tty; do
    [ -e /dev/$n ] || continue
    : >"$d/$n"; mount --bind /dev/$n "$d/$n"
done
ln -s /proc/self/fd "$d/fd"
ln -s /proc/self/fd/0 "$d/stdin"
ln -s /proc/self/fd/1 "$d/stdout"
ln -s /proc/self/fd/2 "$d/stderr"
[ -d /dev/pts ] && mkdir "$d/pts" && mount --bind /dev/pts "$d/pts"
mkdir "$d/shm" && mount -t tmpfs -o mode=1777 tmpfs "$d/shm"
mount --rbind "$d" /dev
exec "$@"
'''
t = threading.Thread(target=reader, daemon=True)
t.start()
p = subprocess.Popen(["unshare", "-m", "--propagation", "private",
                      "sh", "-c", setup, "sh", dev] + cmd)


def forward(sig, _frame):
    try:
        p.send_signal(sig)
    except ProcessLookupError:
        pass


signal.signal(signal.SIGTERM, forward)
signal.signal(signal.SIGINT, forward)
while True:
    try:
        rc = p.wait()
        break
    except InterruptedError:
        continue
done.set()
t.join()
drain()
out.close()
sock.close()
shutil.rmtree(top, ignore_errors=True)
sys.exit(rc if rc >= 0 else 128 - rc)
