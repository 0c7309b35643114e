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
import java.util.function.Supplier;

/**
 * A node reached over SSH: one JSch session (plus the bastion sessions it runs through), one exec
 * channel per command, stdout and stderr streamed straight into the caller's streams.
 *
 * <p>sshd refuses more than {@code MaxSessions} (OpenSSH's default: 10) session channels on one
 * connection, so at most {@code channelsPerConnection} commands run on one connection at a time; when
 * more run at once, the session opens another connection to the node by the same route (the same
 * bastion session, host key verification and keys) and runs them there ({@link ConnectionPool}).
 * A channel the server refuses (a lower MaxSessions) is retried once on another connection.
 */
final class SshNodeSession implements NodeSession {
    private static final Map<String, Integer> SIGNALS = Map.of(
            "HUP", 1, "INT", 2, "QUIT", 3, "ABRT", 6, "KILL", 9, "SEGV", 11, "PIPE", 13, "ALRM", 14, "TERM", 15);

    private final NodeTarget target;
    private final SshEndpoint endpoint;
    private final boolean sudo;
    private final List<Session> sessions; // bastions first, the node's first connection last
    private final ConnectionPool<Session> pool; // the node's connections: the first one, then extra ones
    private final int timeoutMillis;
    private final Set<ChannelExec> open = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean closed = new AtomicBoolean();

    /**
     * @param sessions              the connection already open: bastions first, the node last
     * @param channelsPerConnection at most this many channels on one connection
     * @param moreConnections       opens one more connection to the node (through the same bastion
     *                              session, if any); throws {@link K8sCapException} when it cannot
     */
    SshNodeSession(NodeTarget target, SshEndpoint endpoint, boolean sudo, List<Session> sessions, int timeoutMillis,
                   int channelsPerConnection, Supplier<Session> moreConnections) {
        this.target = target;
        this.endpoint = endpoint;
        this.sudo = sudo;
        this.sessions = new ArrayList<>(sessions);
        this.pool = new ConnectionPool<>(sessions.get(sessions.size() - 1), channelsPerConnection, moreConnections, Session::disconnect, Session::isConnected);
        this.timeoutMillis = timeoutMillis;
    }

    /** The node's connections now open (one, plus one for each extra set of channels needed at once). */
    int connections() {
        return (int) pool.connections().stream().filter(Session::isConnected).count();
    }

    /** One channel on one of the node's connections, and the slot it holds there. */
    private record Opened(ChannelExec channel, ConnectionPool<Session>.Lease lease) {
        Session session() {
            return lease.connection();
        }
    }

    /**
     * Opens and connects an exec channel on a connection with room ({@code setup} configures it
     * before connect). A channel the server refuses while the connection stays up (sshd's
     * MaxSessions) is retried once on another connection, a new one if needed.
     */
    private Opened openChannel(String what, ChannelSetup setup) {
        ConnectionPool<Session>.Lease refusedOn = null;
        while (true) {
            ConnectionPool<Session>.Lease lease = acquire(refusedOn);
            ChannelExec ch;
            try {
                ch = (ChannelExec) lease.connection().openChannel("exec");
            } catch (JSchException e) {
                pool.release(lease);
                throw lost(e);
            }
            open.add(ch);
            try {
                setup.configure(ch);
                ch.setLocalWindowSizeMax(SshConnector.CHANNEL_WINDOW);
                ch.setLocalPacketSize(SshConnector.CHANNEL_PACKET);
                ch.connect(timeoutMillis);
                pool.established(lease);
                return new Opened(ch, lease);
            } catch (JSchException e) {
                ch.disconnect();
                open.remove(ch);
                if (!lease.connection().isConnected()) {
                    pool.release(lease);
                    throw lost(e);
                }
                if (!String.valueOf(e.getMessage()).contains("channel is not opened")) {
                    pool.release(lease);
                    throw new K8sCapException(ExitCode.UNAVAILABLE, "cannot start " + what + " on " + where() + ": " + e.getMessage()
                            + (what.contains("terminal") ? " (sshd PermitTTY?)" : ""), e);
                }
                int openThere = pool.refused(lease);
                if (refusedOn != null) {
                    throw new K8sCapException(ExitCode.UNAVAILABLE, "node " + target.name() + " (" + endpoint.hostPort()
                            + ") refused to open an SSH session for " + what + " on a second connection too (" + openThere
                            + " already open on it): its sshd allows too few sessions per connection; raise MaxSessions in the node's sshd_config, or run fewer commands at once (fewer pods)", e);
                }
                refusedOn = lease;
                if (closed.get()) {
                    throw alreadyClosed();
                }
            } catch (IOException | RuntimeException e) {
                ch.disconnect();
                open.remove(ch);
                pool.release(lease);
                throw e instanceof IOException io ? lost(io) : (RuntimeException) e;
            }
        }
    }

    /** Configures a channel before it connects. */
    @FunctionalInterface
    private interface ChannelSetup {
        void configure(ChannelExec ch) throws IOException;
    }

    private ConnectionPool<Session>.Lease acquire(ConnectionPool<Session>.Lease avoid) {
        try {
            return pool.acquire(avoid);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new K8sCapException(ExitCode.INTERRUPTED, "interrupted while opening another SSH connection to " + where(), e);
        } catch (K8sCapException e) {
            throw closed.get() ? alreadyClosed() : e;
        }
    }

    private K8sCapException alreadyClosed() {
        return new K8sCapException(ExitCode.FAILURE, "the SSH session to " + where() + " is already closed");
    }

    private void release(Opened o) {
        o.channel().disconnect();
        open.remove(o.channel());
        pool.release(o.lease());
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
            throw alreadyClosed();
        }
        boolean viaSudo = commandLine.startsWith("sudo ");
        SudoSniffer err = new SudoSniffer(stderr == null ? OutputStream.nullOutputStream() : stderr);
        Opened o = openChannel("a command", ch -> {
            ch.setCommand(commandLine.getBytes(StandardCharsets.UTF_8));
            // An empty stdin still sends EOF, so a command that reads stdin does not wait forever.
            ch.setInputStream(stdin == null ? InputStream.nullInputStream() : stdin, true);
            ch.setOutputStream(stdout == null ? OutputStream.nullOutputStream() : stdout, true);
            ch.setErrStream(err, true);
        });
        try {
            awaitClosed(o, "a command");
            flush(stdout);
            flush(stderr);
            int status = exitStatus(o);
            if (viaSudo && status != 0 && err.passwordRequired()) {
                throw K8sCapException.denied("sudo on node " + target.name() + " needs a password for " + endpoint.user()
                        + ": allow NOPASSWD for k8scap's commands or connect as root");
            }
            if (viaSudo && status == 127 && err.sudoMissing()) {
                throw K8sCapException.unavailable("sudo is not installed on node " + target.name() + ": install it or connect as root (--ssh-user root)");
            }
            return status;
        } finally {
            release(o);
        }
    }

    /**
     * A channel that closed without an exit status usually means the connection is going away (the
     * sshd serving it died), but JSch may close the channel a moment before it marks the session
     * disconnected: give it up to a second to tell, rather than report a made-up status 255.
     */
    private static boolean connectionDropping(Session session) {
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

    /** The exit status of a closed channel, as OpenSSH's client reports it. */
    private int exitStatus(Opened o) {
        ChannelExec ch = o.channel();
        int status = ch.getExitStatus();
        if (status < 0) {
            String signal = ch.getExitSignal();
            if (signal != null) {
                status = 128 + SIGNALS.getOrDefault(signal, 127);
            } else if (connectionDropping(o.session())) {
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
            throw alreadyClosed();
        }
        OutputStream[] input = new OutputStream[1];
        Opened o = openChannel("a terminal", ch -> {
            ch.setCommand(commandLine.getBytes(StandardCharsets.UTF_8));
            ch.setPty(true);
            ch.setPtyType(pty.term(), pty.columns(), pty.rows(), 0, 0);
            OutputStream out = output == null ? OutputStream.nullOutputStream() : output;
            ch.setOutputStream(out, true);
            ch.setErrStream(out, true); // a remote terminal merges stderr anyway
            input[0] = ch.getOutputStream();
        });
        return new SshShell(o, input[0]);
    }

    /** One PTY exec channel. */
    private final class SshShell implements NodeShell {
        private final Opened opened;
        private final ChannelExec ch;
        private final OutputStream input;

        SshShell(Opened opened, OutputStream input) {
            this.opened = opened;
            this.ch = opened.channel();
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
            return !ch.isClosed() && opened.session().isConnected();
        }

        @Override
        public int waitFor() {
            try {
                awaitClosed(opened, "a terminal");
                return exitStatus(opened);
            } finally {
                close();
            }
        }

        @Override
        public void close() {
            release(opened);
        }
    }

    /**
     * Waits until the channel has closed (the remote command ended and its output was delivered),
     * polling with a short back-off (1 to 20 ms); fails when the connection drops or on interrupt.
     */
    private void awaitClosed(Opened o, String what) {
        ChannelExec ch = o.channel();
        Session session = o.session();
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
        List<Session> nodeConnections = pool.close();
        for (int i = nodeConnections.size() - 1; i >= 1; i--) {
            nodeConnections.get(i).disconnect(); // the extra connections (their tunnels run through the bastions)
        }
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
