package io.k8scap.lab;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A test's own OpenSSH sshd for the lab node: the lab's host key and authorized keys (so the lab
 * user key logs in as root and the host key is the lab node's), on a free loopback port, with
 * its own {@code MaxSessions}. The lab's sshd allows 50 sessions per connection, which hides the
 * limit real nodes have (OpenSSH's default is 10); tests of that limit start one of these. Runs
 * in the foreground ({@code -D}) as a child of the test JVM; {@link #close()} ends it and every
 * per-connection sshd it forked, and removes its directory.
 */
public final class PrivateSshd implements AutoCloseable {
    private static final Path SSHD = Path.of("/usr/sbin/sshd");

    private final Path dir;
    private final int port;
    private final Process process;
    private final Path knownHosts;

    private PrivateSshd(Path dir, int port, Process process, Path knownHosts) {
        this.dir = dir;
        this.port = port;
        this.process = process;
        this.knownHosts = knownHosts;
    }

    /**
     * Starts sshd on 127.0.0.1 with {@code MaxSessions maxSessions}, or OpenSSH's default (10) when
     * {@code maxSessions} is negative.
     */
    public static PrivateSshd start(Lab lab, int maxSessions) throws IOException, InterruptedException {
        Path labSsh = lab.identity().getParent();
        Path hostKey = labSsh.resolve("ssh_host_ed25519_key");
        Path dir = Files.createTempDirectory("k8scap-wtsessions-sshd-");
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Path config = dir.resolve("sshd_config");
        Files.writeString(config, """
                # a test's private sshd (io.k8scap.lab.PrivateSshd); removed when the test ends
                ListenAddress 127.0.0.1
                Port %d
                HostKey %s
                PidFile %s
                AuthorizedKeysFile %s
                PermitRootLogin prohibit-password
                PubkeyAuthentication yes
                PasswordAuthentication no
                KbdInteractiveAuthentication no
                UsePAM no
                StrictModes yes
                AllowTcpForwarding yes
                X11Forwarding no
                PrintMotd no
                UseDNS no
                MaxStartups 50:30:100
                %s
                LogLevel DEBUG1
                """.formatted(port, hostKey, dir.resolve("sshd.pid"), labSsh.resolve("authorized_keys"),
                maxSessions < 0 ? "# MaxSessions: OpenSSH's default" : "MaxSessions " + maxSessions));
        Path knownHosts = Files.writeString(dir.resolve("known_hosts"),
                "[127.0.0.1]:" + port + " " + Files.readString(labSsh.resolve("ssh_host_ed25519_key.pub")).trim() + "\n");
        Process p = new ProcessBuilder(SSHD.toString(), "-D", "-f", config.toString(), "-E", dir.resolve("sshd.log").toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("sshd.out").toFile()).start();
        PrivateSshd sshd = new PrivateSshd(dir, port, p, knownHosts);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                return sshd;
            } catch (IOException notYet) {
                if (!p.isAlive() || System.nanoTime() > deadline) {
                    String out = Files.exists(dir.resolve("sshd.out")) ? Files.readString(dir.resolve("sshd.out")) : "";
                    sshd.close();
                    throw new IllegalStateException("private sshd did not start on port " + port + ": " + out.strip());
                }
                Thread.sleep(50);
            }
        }
    }

    public String address() {
        return "127.0.0.1";
    }

    public int port() {
        return port;
    }

    /** A strict known_hosts with the lab host key for this port only. */
    public Path knownHosts() {
        return knownHosts;
    }

    /** The sshd processes serving connections now (the listener's children): one per open SSH connection. */
    public List<ProcessHandle> connectionProcesses() {
        return process.toHandle().children().toList();
    }

    /** The sshd's own log (LogLevel DEBUG1: it names each channel's window and packet size). */
    public String log() throws IOException {
        Path log = dir.resolve("sshd.log");
        return Files.exists(log) ? Files.readString(log) : "";
    }

    @Override
    public void close() {
        List<ProcessHandle> children = process.isAlive() ? process.toHandle().descendants().toList() : List.of();
        process.destroy();
        children.forEach(ProcessHandle::destroy);
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
            for (ProcessHandle c : children) {
                c.onExit().get(5, TimeUnit.SECONDS);
            }
        } catch (Exception e) {
            children.forEach(ProcessHandle::destroyForcibly);
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(f);
            }
        } catch (IOException e) {
            // a leftover temp directory is harmless
        }
    }
}
