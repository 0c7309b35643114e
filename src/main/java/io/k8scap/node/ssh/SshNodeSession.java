package io.k8scap.node.ssh;

import com.jcraft.jsch.ChannelExec;
import com.jcraft.jsch.JSchException;
import com.jcraft.jsch.Session;
import io.k8scap.ExitCode;
import io.k8scap.K8sCapException;
import io.k8scap.node.NodeSession;
import io.k8scap.node.NodeShell;
import io.k8scap.node.Pty;
import io.k8scap.node.NodeTarget;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A node reached over SSH: one JSch session (plus the bastion sessions it runs through), one exec
 * channel per command, stdout and stderr streamed straight into the caller's streams.
 */
final class SshNodeSession implements NodeSession {
    private static final Map<String, Integer> SIGNALS = Map.of(
            "HUP", 1, "INT", 2, "QUIT", 3, "ABRT", 6, "KILL", 9, "SEGV", 11, "PIPE", 13, "ALRM", 14, "TERM", 15);

    private final NodeTarget target;
    private final SshEndpoint endpoint;
    private final boolean sudo;
    private final List<Session> sessions; // bastions first, the node last
    private final Session session;
    private final int timeoutMillis;
    private final Set<ChannelExec> open = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean closed = new AtomicBoolean();

    SshNodeSession(NodeTarget target, SshEndpoint endpoint, boolean sudo, List<Session> sessions, int timeoutMillis) {
        this.target = target;
        this.endpoint = endpoint;
        this.sudo = sudo;
        this.sessions = new ArrayList<>(sessions);
        this.session = sessions.get(sessions.size() - 1);
        this.timeoutMillis = timeoutMillis;
    }

    @Override
    public NodeTarget target() {
        return target;
    }

    @Override
    public boolean sudo() {
        return sudo;
    }

    private String where() {
        return "node " + target.name() + " (" + endpoint.hostPort() + ")";
    }

    @Override
    public int exec(String commandLine, InputStream stdin, OutputStream stdout, OutputStream stderr) {
        if (closed.get()) {
            throw new K8sCapException(ExitCode.FAILURE, "the SSH session to " + where() + " is already closed");
        }
        ChannelExec ch;
        try {
            ch = (ChannelExec) session.openChannel("exec");
        } catch (JSchException e) {
            throw lost(e);
        }
        open.add(ch);
        boolean viaSudo = commandLine.startsWith("sudo ");
        SudoSniffer err = new SudoSniffer(stderr == null ? OutputStream.nullOutputStream() : stderr);
        try {
            ch.setCommand(commandLine.getBytes(StandardCharsets.UTF_8));
            // An empty stdin still sends EOF, so a command that reads stdin does not wait forever.
            ch.setInputStream(stdin == null ? InputStream.nullInputStream() : stdin, true);
            ch.setOutputStream(stdout == null ? OutputStream.nullOutputStream() : stdout, true);
            ch.setErrStream(err, true);
            try {
                ch.connect(timeoutMillis);
            } catch (JSchException e) {
                throw session.isConnected()
                        ? new K8sCapException(ExitCode.UNAVAILABLE, "cannot start a command on " + where() + ": " + e.getMessage() + " (sshd MaxSessions?)", e)
                        : lost(e);
            }
            awaitClosed(ch, "a command");
            flush(stdout);
            flush(stderr);
            int status = exitStatus(ch);
            if (viaSudo && status != 0 && err.passwordRequired()) {
                throw K8sCapException.denied("sudo on node " + target.name() + " needs a password for " + endpoint.user()
                        + ": allow NOPASSWD for k8scap's commands or connect as root");
            }
            if (viaSudo && status == 127 && err.sudoMissing()) {
                throw K8sCapException.unavailable("sudo is not installed on node " + target.name() + ": install it or connect as root (--ssh-user root)");
            }
            return status;
        } finally {
            ch.disconnect();
            open.remove(ch);
        }
    }

    /** The exit status of a closed channel, as OpenSSH's client reports it. */
    /**
     * A channel that closed without an exit status usually means the connection is going away (the
     * sshd serving it died), but JSch may close the channel a moment before it marks the session
     * disconnected: give it up to a second to tell, rather than report a made-up status 255.
     */
    private boolean connectionDropping() {
        long deadline = System.nanoTime() + 1_000_000_000L;
        while (session.isConnected() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return !session.isConnected();
    }

    private int exitStatus(ChannelExec ch) {
        int status = ch.getExitStatus();
        if (status < 0) {
            String signal = ch.getExitSignal();
            if (signal != null) {
                status = 128 + SIGNALS.getOrDefault(signal, 127);
            } else if (connectionDropping()) {
                throw lost(null);
            } else {
                status = 255; // as OpenSSH's client: the server sent no exit status
            }
        }
        return status;
    }

    @Override
    public NodeShell shell(String commandLine, Pty pty, OutputStream output) {
        if (closed.get()) {
            throw new K8sCapException(ExitCode.FAILURE, "the SSH session to " + where() + " is already closed");
        }
        ChannelExec ch;
        try {
            ch = (ChannelExec) session.openChannel("exec");
        } catch (JSchException e) {
            throw lost(e);
        }
        open.add(ch);
        try {
            ch.setCommand(commandLine.getBytes(StandardCharsets.UTF_8));
            ch.setPty(true);
            ch.setPtyType(pty.term(), pty.columns(), pty.rows(), 0, 0);
            OutputStream out = output == null ? OutputStream.nullOutputStream() : output;
            ch.setOutputStream(out, true);
            ch.setErrStream(out, true); // a remote terminal merges stderr anyway
            OutputStream input = ch.getOutputStream();
            try {
                ch.connect(timeoutMillis);
            } catch (JSchException e) {
                throw session.isConnected()
                        ? new K8sCapException(ExitCode.UNAVAILABLE, "cannot start a terminal on " + where() + ": " + e.getMessage() + " (sshd MaxSessions, PermitTTY?)", e)
                        : lost(e);
            }
            return new SshShell(ch, input);
        } catch (IOException e) {
            ch.disconnect();
            open.remove(ch);
            throw lost(e);
        } catch (RuntimeException e) {
            ch.disconnect();
            open.remove(ch);
            throw e;
        }
    }

    /** One PTY exec channel. */
    private final class SshShell implements NodeShell {
        private final ChannelExec ch;
        private final OutputStream input;

        SshShell(ChannelExec ch, OutputStream input) {
            this.ch = ch;
            this.input = input;
        }

        @Override
        public OutputStream input() {
            return input;
        }

        @Override
        public void resize(int columns, int rows) {
            if (!ch.isClosed() && columns > 0 && rows > 0) {
                ch.setPtySize(columns, rows, 0, 0);
            }
        }

        @Override
        public boolean isOpen() {
            return !ch.isClosed() && session.isConnected();
        }

        @Override
        public int waitFor() {
            try {
                awaitClosed(ch, "a terminal");
                return exitStatus(ch);
            } finally {
                close();
            }
        }

        @Override
        public void close() {
            ch.disconnect();
            open.remove(ch);
        }
    }

    /**
     * Waits until the channel has closed (the remote command ended and its output was delivered),
     * polling with a short back-off (1 to 20 ms); fails when the connection drops or on interrupt.
     */
    private void awaitClosed(ChannelExec ch, String what) {
        long sleep = 1;
        while (!ch.isClosed()) {
            if (!session.isConnected()) {
                throw lost(null);
            }
            try {
                Thread.sleep(sleep);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new K8sCapException(ExitCode.INTERRUPTED, "interrupted while running " + what + " on " + where(), e);
            }
            sleep = Math.min(sleep * 2, 20);
        }
    }

    private K8sCapException lost(Exception cause) {
        return new K8sCapException(ExitCode.UNAVAILABLE, "the SSH connection to " + where() + " was lost while running a command: check the node and retry", cause);
    }

    private static void flush(OutputStream out) {
        if (out != null) {
            try {
                out.flush();
            } catch (IOException e) {
                // the caller's stream is gone; nothing more to deliver
            }
        }
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        for (ChannelExec ch : open) {
            ch.disconnect();
        }
        open.clear();
        for (int i = sessions.size() - 1; i >= 0; i--) {
            sessions.get(i).disconnect();
        }
    }

    /** Passes stderr through while looking at its first bytes for sudo's refusal. */
    static final class SudoSniffer extends OutputStream {
        private static final int KEEP = 4096;
        private final OutputStream out;
        private final StringBuilder head = new StringBuilder();

        SudoSniffer(OutputStream out) {
            this.out = out;
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            if (head.length() < KEEP) {
                head.append((char) (b & 0xff));
            }
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            int n = Math.min(len, KEEP - head.length());
            if (n > 0) {
                head.append(new String(b, off, n, StandardCharsets.ISO_8859_1));
            }
        }

        @Override
        public void flush() throws IOException {
            out.flush();
        }

        boolean passwordRequired() {
            String h = head.toString();
            return h.contains("sudo: a password is required") || h.contains("sudo: a terminal is required");
        }

        boolean sudoMissing() {
            String h = head.toString();
            return h.contains("sudo: not found") || h.contains("sudo: command not found");
        }
    }
}
