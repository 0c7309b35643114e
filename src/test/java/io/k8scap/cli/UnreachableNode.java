package io.k8scap.cli;

import com.jcraft.jsch.JSch;
import com.jcraft.jsch.KeyPair;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * SSH access for command tests that never reach a real sshd: a fresh key, an empty known_hosts and
 * a loopback port that was bound and closed (connecting to it is refused at once).
 */
record UnreachableNode(Path key, Path knownHosts, int closedPort) {

    static UnreachableNode create(Path dir) throws Exception {
        Path key = dir.resolve("id_ecdsa");
        KeyPair kp = KeyPair.genKeyPair(new JSch(), KeyPair.ECDSA, 256);
        kp.writePrivateKey(key.toString());
        kp.dispose();
        return new UnreachableNode(key, Files.createFile(dir.resolve("known_hosts")), closedLoopbackPort());
    }

    static int closedLoopbackPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
