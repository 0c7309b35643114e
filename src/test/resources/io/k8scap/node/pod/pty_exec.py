"""Runs a command under a fresh pseudo-terminal, as the kubelet runs a TTY exec (tty=true).

usage: python3 pty_exec.py RESIZE_FIFO -- ARGV...
stdin is copied to the terminal (the exec's channel 0), the terminal's output to stdout (channel 1,
stdout and stderr merged as a real TTY exec merges them). Lines "COLS ROWS" read from RESIZE_FIFO set
the terminal's size (the kernel sends SIGWINCH to the command), as the runtime applies the resize
channel (4). EOF on stdin (the client went away) hangs the terminal up. The exit status is the
command's (128 + N when killed by signal N).
"""
import errno, fcntl, os, select, struct, sys, termios

fifo_path = sys.argv[1]
argv = sys.argv[3:]

master, slave = os.openpty()
pid = os.fork()
if pid == 0:
    os.setsid()
    fcntl.ioctl(slave, termios.TIOCSCTTY, 0)
    for fd in (0, 1, 2):
        os.dup2(slave, fd)
    os.close(master)
    os.close(slave)
    try:
        os.execvp(argv[0], argv)
    except OSError as e:
        os.write(2, ("exec %s: %s\n" % (argv[0], e.strerror)).encode())
        os._exit(127)
os.close(slave)

fifo = os.open(fifo_path, os.O_RDWR | os.O_NONBLOCK)
stdin_open = True
pending = b""


def out(data):
    while data:
        n = os.write(1, data)
        data = data[n:]


while True:
    fds = [master, fifo] + ([0] if stdin_open else [])
    r, _, _ = select.select(fds, [], [], 0.5)
    if master in r:
        try:
            data = os.read(master, 65536)
        except OSError as e:
            if e.errno != errno.EIO:
                raise
            data = b""
        if not data:
            break  # every holder of the slave side is gone: the command ended
        out(data)
    if fifo in r:
        pending += os.read(fifo, 4096)
        while b"\n" in pending:
            line, pending = pending.split(b"\n", 1)
            cols, rows = (int(x) for x in line.split())
            fcntl.ioctl(master, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
    if stdin_open and 0 in r:
        data = os.read(0, 65536)
        if not data:
            stdin_open = False
            os.close(master)  # hang-up: the command gets SIGHUP
            break
        os.write(master, data)

_, status = os.waitpid(pid, 0)
if os.WIFSIGNALED(status):
    sys.exit(128 + os.WTERMSIG(status))
sys.exit(os.WEXITSTATUS(status))
