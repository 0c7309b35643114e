package io.k8scap.node.ssh;

import com.jcraft.jsch.AgentIdentityRepository;
import com.jcraft.jsch.AgentProxyException;
import com.jcraft.jsch.HostKeyRepository;
import com.jcraft.jsch.Identity;
import com.jcraft.jsch.IdentityRepository;
import com.jcraft.jsch.JSch;
import com.jcraft.jsch.JSchException;
import com.jcraft.jsch.Logger;
import com.jcraft.jsch.SSHAgentConnector;
import com.jcraft.jsch.Session;
import io.k8scap.ExitCode;
import io.k8scap.K8sCapException;
import io.k8scap.node.NodeAccessSettings;
import io.k8scap.node.NodeSession;
import io.k8scap.node.NodeTarget;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Vector;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * Opens one SSH session per node (JSch), through bastions when asked, with host keys verified
 * against known_hosts by default. Every failure is a {@link K8sCapException} with one line naming
 * the node and its address, and the exit code the user should see.
 */
public final class SshConnector {
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
    /**
     * Commands (exec channels) at once on one SSH connection: below OpenSSH's default MaxSessions
     * (10), with room for a channel sshd has not finished closing. More at once open another
     * connection to the node.
     */
    static final int CHANNELS_PER_CONNECTION = 8;
    /**
     * The window every channel offers the node (bytes it may send before k8scap acknowledges):
     * JSch's default, 1 MiB, stalled sshd — and behind it the node's tcpdump, whose kernel buffer
     * then dropped packets — under a bulk transfer (0.8–0.9× OpenSSH's packets/s, which offers 2 MiB);
     * 4 MiB delivers as much as OpenSSH with no more drops (docs/performance.md, benchmark 2) and
     * keeps a link with 50 ms round trips at up to 80 MB/s. Costs no memory here: JSch hands data on
     * as it arrives. Also the window of a jump host's forwarding channel (JSch's default: 128 KiB).
     */
    static final int CHANNEL_WINDOW = 4 * 1024 * 1024;
    /** The largest SSH packet a channel accepts: OpenSSH's own (JSch's default is 16 KiB). */
    static final int CHANNEL_PACKET = 32 * 1024;

    private final NodeAccessSettings settings;
    private final Consumer<String> notices;
    private final SshResolver resolver;
    private final Map<String, String> env;
    private final Logger logger;
    private final AtomicBoolean insecureWarned = new AtomicBoolean();

    /** @param notices receives human warnings (stderr lines), e.g. that host keys are not checked */
    public SshConnector(NodeAccessSettings settings, Consumer<String> notices) {
        this(settings, notices, false);
    }

    /** @param verbose let JSch's own log through to stderr (for {@code -v}) */
    public SshConnector(NodeAccessSettings settings, Consumer<String> notices, boolean verbose) {
        this(settings, notices, verbose, new SshResolver(settings), System.getenv());
    }

    SshConnector(NodeAccessSettings settings, Consumer<String> notices, boolean verbose, SshResolver resolver, Map<String, String> env) {
        this.settings = settings;
        this.notices = notices;
        this.resolver = resolver;
        this.env = env;
        this.logger = verbose ? new StderrLogger(System.err) : new QuietLogger();
        JSch.setLogger(logger);
    }

    /** How the node would be reached (no network), e.g. for {@code -v} output. */
    public SshRoute route(NodeTarget target) {
        return resolver.resolve(target);
    }

    /**
     * Connects and authenticates (jump hosts first), within the timeout; the caller closes the
     * session. When more than {@value #CHANNELS_PER_CONNECTION} commands run on the node at once,
     * the session opens further connections to it the same way (through the same bastion session).
     */
    public NodeSession open(NodeTarget target) {
        return open(target, CHANNELS_PER_CONNECTION);
    }

    /** {@link #open(NodeTarget)} with at most {@code channelsPerConnection} commands at once on one connection. */
    NodeSession open(NodeTarget target, int channelsPerConnection) {
        SshRoute route = resolver.resolve(target);
        if (settings.insecureSkipHostKeyCheck() && insecureWarned.compareAndSet(false, true)) {
            notices.accept("warning: --insecure-skip-host-key-check: SSH host keys are NOT verified; anyone on the path can impersonate the nodes");
        }
        List<Session> sessions = new ArrayList<>();
        try {
            Session previous = null;
            for (SshEndpoint hop : route.jumps()) {
                previous = connect(route, hop, previous);
                sessions.add(previous);
            }
            Session node = connect(route, route.node(), previous);
            sessions.add(node);
            Session bastion = previous;
            return new SshNodeSession(target, route.node(), settings.sudo(), sessions, timeoutMillis(), channelsPerConnection,
                    () -> {
                        try {
                            return connect(route, route.node(), bastion);
                        } catch (K8sCapException e) {
                            throw new K8sCapException(e.exitCode(), e.getMessage()
                                    + " (another connection, for more commands at once than one connection carries)", e);
                        }
                    });
        } catch (RuntimeException e) {
            for (int i = sessions.size() - 1; i >= 0; i--) {
                sessions.get(i).disconnect();
            }
            throw e;
        }
    }

    private int timeoutMillis() {
        Duration t = settings.timeout() == null ? DEFAULT_TIMEOUT : settings.timeout();
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, t.toMillis()));
    }

    private Session connect(SshRoute route, SshEndpoint ep, Session via) {
        String where = where(route, ep);
        JSch jsch = new JSch();
        jsch.setInstanceLogger(logger);
        Keys keys = loadKeys(jsch, ep, where);
        HostKeyVerifier verifier = new HostKeyVerifier(loadKnownHosts(jsch, ep, where), settings.insecureSkipHostKeyCheck(),
                ep.knownHosts().stream().map(Path::toString).collect(Collectors.joining(", ")));
        Session session;
        try {
            session = jsch.getSession(ep.user(), ep.host(), ep.port());
        } catch (JSchException e) {
            throw new K8sCapException(ExitCode.CONFIG, where + ": " + e.getMessage(), e);
        }
        session.setIdentityRepository(keys.repository());
        session.setHostKeyRepository(verifier);
        if (ep.hostKeyAlias() != null) {
            session.setHostKeyAlias(ep.hostKeyAlias());
        }
        session.setConfig("StrictHostKeyChecking", settings.insecureSkipHostKeyCheck() ? "no" : "yes");
        session.setConfig("HashKnownHosts", "no");
        session.setConfig("prefer_known_host_key_types", "yes");
        session.setConfig("PreferredAuthentications", "publickey");
        session.setDaemonThread(true);
        try {
            session.setServerAliveInterval(15_000);
        } catch (JSchException e) {
            throw new IllegalStateException(e);
        }
        session.setServerAliveCountMax(3);
        int timeout = timeoutMillis();
        if (via != null) {
            session.setProxy(new JumpProxy(via));
        } else {
            session.setSocketFactory(new ReadAheadSocketFactory(timeout));
        }
        // JSch's own timeout does not cover a tunnel through a bastion: a watchdog does.
        AtomicBoolean timedOut = new AtomicBoolean();
        Thread watchdog = new Thread(() -> {
            try {
                Thread.sleep(timeout);
                timedOut.set(true);
                session.disconnect();
            } catch (InterruptedException e) {
                // connected in time
            }
        }, "k8scap-ssh-connect-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
        try {
            session.connect(timeout);
            if (timedOut.get() || !session.isConnected()) {
                throw new JSchException("timeout: connect and authentication took too long");
            }
            return session;
        } catch (JSchException e) {
            session.disconnect();
            throw translate(e, ep, where, verifier, keys, timedOut.get(), timeout);
        } finally {
            watchdog.interrupt();
        }
    }

    private static String where(SshRoute route, SshEndpoint ep) {
        String node = "ssh to node " + route.target().name() + " (" + route.node().hostPort() + ")";
        return ep == route.node() ? node : node + " via " + ep.label() + " (" + ep.hostPort() + ")";
    }

    K8sCapException translate(JSchException e, SshEndpoint ep, String where, HostKeyVerifier verifier, Keys keys, boolean timedOut, int timeout) {
        int hk = verifier.result();
        if (!settings.insecureSkipHostKeyCheck() && verifier.presented() != null
                && (hk == HostKeyRepository.NOT_INCLUDED || hk == HostKeyRepository.CHANGED)) {
            byte[] key = verifier.presented();
            String type = HostKeyVerifier.keyType(key);
            String fp = HostKeyVerifier.fingerprint(key);
            String files = existing(ep.knownHosts());
            if (hk == HostKeyRepository.CHANGED) {
                return new K8sCapException(ExitCode.CONFIG, where + ": host key has CHANGED, now " + type + " " + fp
                        + ", which does not match " + files + ": possible man-in-the-middle; if the node was reinstalled, check the new key and remove the old entry with `ssh-keygen -R " + knownHostsName(ep) + "`", e);
            }
            String keyscan = "ssh-keyscan -p " + ep.port() + " " + ep.host();
            return new K8sCapException(ExitCode.CONFIG, where + ": host key " + type + " " + fp + " is not in " + files
                    + ": after checking that fingerprint, run `" + keyscan + " >> ~/.ssh/known_hosts`, or pass --known-hosts FILE, or --insecure-skip-host-key-check", e);
        }
        String msg = e.getMessage() == null ? "" : e.getMessage();
        Throwable cause = rootCause(e);
        if (timedOut || cause instanceof SocketTimeoutException || msg.startsWith("timeout")) {
            return new K8sCapException(ExitCode.UNAVAILABLE, where + ": no answer within " + timeout / 1000.0 + "s (connect and authentication): check that the node is reachable and sshd runs on port " + ep.port() + ", or raise --ssh-timeout", e);
        }
        if (cause instanceof ConnectException) {
            return new K8sCapException(ExitCode.UNAVAILABLE, where + ": connection refused by " + ep.hostPort() + ": is sshd running on that port? (--ssh-port, or Port in the ssh config)", e);
        }
        if (cause instanceof NoRouteToHostException) {
            return new K8sCapException(ExitCode.UNAVAILABLE, where + ": no route to " + ep.host() + ": the node is not reachable from here; a bastion (--jump) may be needed", e);
        }
        if (cause instanceof UnknownHostException) {
            return new K8sCapException(ExitCode.UNAVAILABLE, where + ": unknown host " + ep.host() + ": check the name (HostName in the ssh config) or use the node's address", e);
        }
        if (msg.startsWith("Auth fail") || msg.startsWith("Auth cancel")) {
            return new K8sCapException(ExitCode.DENIED, where + ": authentication as " + ep.user() + " failed (tried " + keys.describe()
                    + "): check the user (--ssh-user, User in the ssh config) and the key (-i), and that it is in " + ep.user() + "'s authorized_keys on the node", e);
        }
        if (msg.contains("channel is not opened")) {
            return new K8sCapException(ExitCode.UNAVAILABLE, where + ": the bastion could not open a tunnel to " + ep.hostPort() + ": check the address and port, and that the bastion allows TCP forwarding", e);
        }
        if (msg.contains("closed by foreign host") || cause instanceof IOException) {
            return new K8sCapException(ExitCode.UNAVAILABLE, where + ": connection closed during the SSH handshake (" + oneLine(cause.getMessage() == null ? msg : cause.getMessage()) + ")", e);
        }
        return new K8sCapException(ExitCode.UNAVAILABLE, where + ": " + oneLine(msg), e);
    }

    private static String knownHostsName(SshEndpoint ep) {
        String h = ep.hostKeyAlias() != null ? ep.hostKeyAlias() : ep.host();
        return ep.port() == 22 || ep.hostKeyAlias() != null ? h : "'[" + h + "]:" + ep.port() + "'";
    }

    private static String existing(List<Path> files) {
        List<String> present = files.stream().filter(Files::exists).map(Path::toString).collect(Collectors.toList());
        return present.isEmpty() ? files.get(0) + " (missing)" : String.join(", ", present);
    }

    private static Throwable rootCause(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null && c.getCause() != c) {
            c = c.getCause();
        }
        return c;
    }

    private static String oneLine(String s) {
        return s == null ? "" : s.replaceAll("\\s+", " ").strip();
    }

    private HostKeyRepository loadKnownHosts(JSch jsch, SshEndpoint ep, String where) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (Path f : ep.knownHosts()) {
            if (!Files.exists(f)) {
                continue;
            }
            try {
                all.write(Files.readAllBytes(f));
                all.write('\n');
            } catch (IOException e) {
                throw K8sCapException.config(where + ": cannot read known_hosts file " + f + ": " + e.getMessage());
            }
        }
        try {
            jsch.setKnownHosts(new ByteArrayInputStream(all.toByteArray()));
        } catch (JSchException e) {
            throw K8sCapException.config(where + ": cannot parse known_hosts (" + existing(ep.knownHosts()) + "): " + oneLine(e.getMessage()));
        }
        return jsch.getHostKeyRepository();
    }

    /** The keys offered for one endpoint: the agent's (when SSH_AUTH_SOCK is set), then the key files. */
    record Keys(IdentityRepository repository, List<String> tried) {
        String describe() {
            return tried.isEmpty() ? "no keys" : String.join(", ", tried);
        }
    }

    private Keys loadKeys(JSch jsch, SshEndpoint ep, String where) {
        List<String> tried = new ArrayList<>();
        AgentIdentityRepository agent = agent();
        int agentKeys = 0;
        if (agent != null) {
            try {
                agentKeys = agent.getIdentities().size();
            } catch (RuntimeException e) {
                agent = null;
            }
            if (agent != null) {
                tried.add("ssh-agent (" + agentKeys + " key" + (agentKeys == 1 ? "" : "s") + ")");
            }
        }
        List<Identity> files = new ArrayList<>();
        List<Path> encryptedSkipped = new ArrayList<>();
        for (SshEndpoint.Identity id : ep.identities()) {
            Path p = id.path();
            if (!Files.exists(p)) {
                if (id.explicit()) {
                    throw K8sCapException.config(where + ": SSH key " + p + " does not exist: fix -i or IdentityFile in the ssh config");
                }
                continue;
            }
            if (!Files.isReadable(p) || Files.isDirectory(p)) {
                throw K8sCapException.config(where + ": SSH key " + p + " is not readable by " + System.getProperty("user.name") + ": check its permissions");
            }
            Identity identity;
            try {
                int before = jsch.getIdentityRepository().getIdentities().size();
                jsch.addIdentity(p.toString());
                Vector<Identity> now = jsch.getIdentityRepository().getIdentities();
                if (now.size() == before) {
                    continue; // the same key twice
                }
                identity = now.get(now.size() - 1);
            } catch (JSchException e) {
                throw K8sCapException.config(where + ": cannot use SSH key " + p + ": not a private key k8scap can read (OpenSSH, PEM or PuTTY format)");
            }
            if (identity.isEncrypted()) {
                if (agent != null) {
                    tried.add(p + " (passphrase-protected: left to the agent)");
                    continue;
                }
                if (id.explicit()) {
                    throw K8sCapException.config(where + ": SSH key " + p + " is protected by a passphrase and no ssh-agent is running (SSH_AUTH_SOCK): `ssh-add " + p + "` in an agent, or use a key without passphrase");
                }
                encryptedSkipped.add(p);
                continue;
            }
            files.add(identity);
            tried.add(p.toString());
        }
        if (agent == null && files.isEmpty()) {
            if (!encryptedSkipped.isEmpty()) {
                throw K8sCapException.config(where + ": SSH key " + encryptedSkipped.get(0) + " is protected by a passphrase and no ssh-agent is running (SSH_AUTH_SOCK): `ssh-add` it in an agent, or pass an unencrypted key with -i");
            }
            throw K8sCapException.config(where + ": no SSH key to log in with: none of ~/.ssh/" + String.join(", ", SshResolver.DEFAULT_KEYS)
                    + " exists and no ssh-agent is running (SSH_AUTH_SOCK): pass -i KEY");
        }
        return new Keys(new CombinedIdentities(agent, files), tried);
    }

    private AgentIdentityRepository agent() {
        String sock = env.get("SSH_AUTH_SOCK");
        if (sock == null || sock.isBlank()) {
            return null;
        }
        try {
            AgentIdentityRepository repo = new AgentIdentityRepository(new SSHAgentConnector(Path.of(sock)));
            return repo.getStatus() == IdentityRepository.RUNNING ? repo : null;
        } catch (AgentProxyException | RuntimeException e) {
            notices.accept("warning: ssh-agent at SSH_AUTH_SOCK=" + sock + " is not usable (" + oneLine(e.getMessage()) + "); using key files only");
            return null;
        }
    }

    /** Agent keys first, then key files; never adds or removes keys anywhere. */
    private static final class CombinedIdentities implements IdentityRepository {
        private final IdentityRepository agent;
        private final List<Identity> files;

        CombinedIdentities(IdentityRepository agent, List<Identity> files) {
            this.agent = agent;
            this.files = List.copyOf(files);
        }

        @Override
        public String getName() {
            return "k8scap";
        }

        @Override
        public int getStatus() {
            return RUNNING;
        }

        @Override
        public Vector<Identity> getIdentities() {
            Vector<Identity> v = new Vector<>();
            if (agent != null) {
                try {
                    v.addAll(agent.getIdentities());
                } catch (RuntimeException e) {
                    // agent went away: the files remain
                }
            }
            v.addAll(files);
            return v;
        }

        @Override
        public boolean add(byte[] identity) {
            return false;
        }

        @Override
        public boolean remove(byte[] blob) {
            return false;
        }

        @Override
        public void removeAll() {}
    }

    private static final class QuietLogger implements Logger {
        @Override
        public boolean isEnabled(int level) {
            return false;
        }

        @Override
        public void log(int level, String message) {}
    }

    /**
     * JSch's log for {@code -vv}, one {@code jsch:} line a message; an exception's stack trace follows its
     * line, except for the "Socket closed" that JSch's reader thread catches when k8scap itself closed the
     * connection (every normal disconnect): that is not an error, so it stays one line.
     */
    static final class StderrLogger implements Logger {
        private final PrintStream err;

        StderrLogger(PrintStream err) {
            this.err = err;
        }

        @Override
        public boolean isEnabled(int level) {
            return true;
        }

        @Override
        public void log(int level, String message) {
            err.println("jsch: " + message);
        }

        @Override
        public void log(int level, String message, Throwable cause) {
            if (cause == null || closedByUs(cause)) {
                log(level, message);
            } else {
                Logger.super.log(level, message, cause);
            }
        }

        /** The JDK's message when a read fails because this process closed the socket (Socket.close, from Session.disconnect). */
        private static boolean closedByUs(Throwable t) {
            return t instanceof SocketException && "Socket closed".equals(t.getMessage());
        }
    }

}
