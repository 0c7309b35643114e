package io.k8scap.node.ssh;

import static org.assertj.core.api.Assertions.assertThat;

import io.k8scap.lab.Lab;
import io.k8scap.lab.PrivateSshd;
import io.k8scap.node.NodeAccessSettings;
import io.k8scap.node.NodeSession;
import io.k8scap.node.NodeTarget;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The flow control k8scap offers a node, as a real sshd sees it ({@link PrivateSshd} logs every
 * channel's window and packet size): 4 MiB ahead in 32 KiB packets, on the node connection and on
 * a jump host's forwarding channel. JSch's defaults (1 MiB, 16 KiB; 128 KiB through a jump host)
 * held the node's tcpdump back under bulk traffic. And a stream many windows long arrives byte for
 * byte through the read-ahead socket ({@link ReadAheadSocketFactory}) and through a jump host.
 */
@Tag("lab")
class SshChannelSizeLabTest {
    static Lab lab;
    static PrivateSshd node;
    static PrivateSshd jump;

    @TempDir
    Path tmp;

    @BeforeAll
    static void start() throws Exception {
        lab = Lab.load();
        node = PrivateSshd.start(lab, -1);
        jump = PrivateSshd.start(lab, -1);
    }

    @AfterAll
    static void stop() {
        for (PrivateSshd s : new PrivateSshd[] {node, jump}) {
            if (s != null) {
                s.close();
            }
        }
    }

    SshConnector connector(String jumpSpec) throws IOException {
        Path emptyConfig = Files.writeString(tmp.resolve("ssh_config"), "");
        Path knownHosts = Files.writeString(tmp.resolve("known_hosts"),
                Files.readString(node.knownHosts()) + Files.readString(jump.knownHosts()));
        return new SshConnector(new NodeAccessSettings("root", node.port(), List.of(lab.identity()), emptyConfig, knownHosts, jumpSpec,
                false, Duration.ofSeconds(5), false), m -> {});
    }

    static NodeTarget target() {
        return new NodeTarget(Lab.NODE_NAME, "127.0.0.1");
    }

    /** The "win W max M" sshd logged for the last channel of type {@code ctype} it was asked to open. */
    static String lastChannelOffer(PrivateSshd sshd, String ctype) throws IOException {
        Matcher m = Pattern.compile("ctype " + ctype + " rchan \\d+ (win \\d+ max \\d+)").matcher(sshd.log());
        String last = null;
        while (m.find()) {
            last = m.group(1);
        }
        assertThat(last).as("sshd's log names a %s channel's window", ctype).isNotNull();
        return last;
    }

    @Test
    void aCommandChannelLetsTheNodeSendFourMegabytesAheadInPacketsOfThirtyTwoKilobytes() throws Exception {
        try (NodeSession s = connector(null).open(target())) {
            assertThat(SshLabTest.run(s, "true", null).status()).isZero();
        }
        assertThat(lastChannelOffer(node, "session")).isEqualTo("win 4194304 max 32768");
    }

    @Test
    void throughAJumpHostTheForwardingChannelHasTheSameWindow() throws Exception {
        try (NodeSession s = connector("root@127.0.0.1:" + jump.port()).open(target())) {
            assertThat(SshLabTest.run(s, "true", null).status()).isZero();
        }
        assertThat(lastChannelOffer(jump, "direct-tcpip")).isEqualTo("win 4194304 max 32768");
        assertThat(lastChannelOffer(node, "session")).isEqualTo("win 4194304 max 32768");
    }

    @Test
    void aStreamOfManyWindowsArrivesByteForByteDirectlyAndThroughAJumpHost() throws Exception {
        Path file = tmp.resolve("random.bin"); // the "node" is this machine: its file is readable here
        try (OutputStream o = Files.newOutputStream(file)) {
            byte[] chunk = new byte[1 << 20];
            Random r = new Random(42);
            for (int i = 0; i < 24; i++) { // 24 MiB: six windows, hundreds of read-ahead buffers
                r.nextBytes(chunk);
                o.write(chunk);
            }
        }
        String expected = sha256(Files.readAllBytes(file));
        for (String jumpSpec : new String[] {null, "root@127.0.0.1:" + jump.port()}) {
            try (NodeSession s = connector(jumpSpec).open(target())) {
                HashingStream out = new HashingStream();
                int status = s.exec("cat " + file, null, out, OutputStream.nullOutputStream());
                assertThat(status).isZero();
                assertThat(out.count).as("bytes received (jump host: %s)", jumpSpec).isEqualTo(Files.size(file));
                assertThat(HexFormat.of().formatHex(out.digest.digest())).as("content (jump host: %s)", jumpSpec).isEqualTo(expected);
            }
        }
    }

    static String sha256(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    static final class HashingStream extends OutputStream {
        final MessageDigest digest;
        long count;

        HashingStream() throws Exception {
            digest = MessageDigest.getInstance("SHA-256");
        }

        @Override
        public void write(int b) {
            digest.update((byte) b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            digest.update(b, off, len);
            count += len;
        }
    }
}
