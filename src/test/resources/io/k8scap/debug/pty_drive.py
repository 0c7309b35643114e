"""Drives a program through a real pseudo-terminal, as a user at a terminal would.

usage: python3 pty_drive.py STEPS_JSON ROWS COLS -- ARGV...
STEPS_JSON: a list of steps, each one of
  ["expect", REGEX, TIMEOUT_S]   wait until REGEX matches the output not yet consumed
  ["send", TEXT]                 type TEXT
  ["winsize", ROWS, COLS]        resize the terminal (the kernel sends SIGWINCH to the program)
  ["sleep", SECONDS]
  ["signal", NAME]               send signal NAME (e.g. "TERM") to the program
  ["touch", PATH]                create the file PATH (tells a test's server what the terminal has shown so far)
Prints one JSON object: exit status, whether the terminal is back in cooked mode
(ECHO, ICANON, ISIG set) after the program ended, the failed step if any, and the transcript.
The slave end stays open here so the terminal's modes can be read after the program exits.
"""
import fcntl, json, os, re, select, signal, struct, subprocess, sys, termios, time

steps = json.loads(sys.argv[1])
rows, cols = int(sys.argv[2]), int(sys.argv[3])
argv = sys.argv[5:]

master, slave = os.openpty()
fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))


def controlling_tty():
    os.setsid()
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, preexec_fn=controlling_tty, close_fds=True)
buf = b""
pos = 0
failed = None


def pump(timeout):
    global buf
    r, _, _ = select.select([master], [], [], timeout)
    if r:
        try:
            data = os.read(master, 65536)
        except OSError:
            return False
        buf += data
        return bool(data)
    return False


for i, step in enumerate(steps):
    kind = step[0]
    if kind == "expect":
        rx = re.compile(step[1].encode())
        deadline = time.time() + float(step[2])
        while True:
            m = rx.search(buf, pos)
            if m:
                pos = m.end()
                break
            if time.time() > deadline or (proc.poll() is not None and not pump(0.2)):
                failed = {"step": i, "expected": step[1]}
                break
            pump(0.1)
        if failed:
            break
    elif kind == "send":
        os.write(master, step[1].encode())
    elif kind == "winsize":
        fcntl.ioctl(master, termios.TIOCSWINSZ, struct.pack("HHHH", int(step[1]), int(step[2]), 0, 0))
    elif kind == "touch":
        open(step[1], "w").close()
    elif kind == "signal":
        proc.send_signal(getattr(signal, "SIG" + step[1]))
    elif kind == "sleep":
        end = time.time() + float(step[1])
        while time.time() < end:
            pump(0.05)

deadline = time.time() + 30
while proc.poll() is None and time.time() < deadline:
    pump(0.1)
if proc.poll() is None:
    proc.kill()
    proc.wait()
while pump(0.2):
    pass
lflag = termios.tcgetattr(slave)[3]
print(json.dumps({
    "exit": proc.returncode,
    "failed": failed,
    "echo": bool(lflag & termios.ECHO),
    "icanon": bool(lflag & termios.ICANON),
    "isig": bool(lflag & termios.ISIG),
    "transcript": buf.decode("utf-8", "replace"),
}))
