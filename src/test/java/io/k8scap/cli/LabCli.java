package io.k8scap.cli;

import io.k8scap.lab.Lab;
import io.k8scap.lab.MockCluster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What a lab CLI test runs k8scap against: lab node 1 and its pods behind the mock API server, a
 * kubeconfig for it and an empty ssh config (so the user's ~/.ssh plays no part). One per test class.
 */
record LabCli(Lab lab, MockCluster cluster, Path kubeconfig, Path emptySshConfig) implements AutoCloseable {

    static LabCli start(Path dir) throws IOException {
        Lab lab = Lab.load();
        MockCluster cluster = MockCluster.start().loadLab(lab);
        return new LabCli(lab, cluster, cluster.writeKubeconfig(dir, "default"), Files.writeString(dir.resolve("ssh_config"), ""));
    }

    /**
     * An ssh config reaching both lab nodes by name, as a fleet's ~/.ssh/config would have them
     * (different ports and host keys), and a known_hosts holding both keys; use with --node-address name.
     */
    static Path twoNodeSshConfig(Path dir, Lab lab, Lab.Node2 node2) throws IOException {
        Path knownHosts = dir.resolve("known_hosts_both");
        Files.writeString(knownHosts, Files.readString(lab.knownHosts()) + "\n" + Files.readString(node2.knownHosts()));
        return Files.writeString(dir.resolve("ssh_config_both"), """
                Host %s
                  HostName %s
                  Port %d
                Host %s
                  HostName %s
                  Port %d
                Host *
                  User root
                  IdentityFile %s
                  UserKnownHostsFile %s
                """.formatted(Lab.NODE_NAME, lab.sshAddress(), lab.sshPort(), node2.name(), node2.address(), node2.sshPort(),
                lab.identity(), knownHosts));
    }

    /** The common flags: the lab's API server and lab node 1's SSH access as flags. */
    List<String> accessArgs() {
        return List.of("--kubeconfig", kubeconfig.toString(), "--ssh-config", emptySshConfig.toString(),
                "--ssh-port", String.valueOf(lab.sshPort()), "--ssh-user", lab.sshUser(),
                "-i", lab.identity().toString(), "--known-hosts", lab.knownHosts().toString());
    }

    /** {@code command} followed by {@link #accessArgs()} and {@code extra}. */
    List<String> args(String command, List<String> extra) {
        List<String> all = new ArrayList<>(List.of(command));
        all.addAll(accessArgs());
        all.addAll(extra);
        return all;
    }

    @Override
    public void close() {
        cluster.close();
    }
}
