package io.k8scap.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.k8scap.lab.Lab;
import io.k8scap.lab.MockCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * k8scap as its own process with a {@code HOME} that is not the passwd entry's (/root for the lab's
 * root): no flag names a file, and the lab node is reached with ~/.kube/config, ~/.ssh/config, the
 * default key ~/.ssh/id_ed25519 and the strict ~/.ssh/known_hosts — all under {@code $HOME}.
 */
@Tag("lab")
class HomeLabTest {
    @TempDir
    Path home;

    @Test
    void locateReachesTheLabNodeWithEverythingUnderHome() throws Exception {
        Lab lab = Lab.load();
        try (MockCluster cluster = MockCluster.start().loadLab(lab)) {
            Files.createDirectories(home.resolve(".kube"));
            Files.move(cluster.writeKubeconfig(Files.createTempDirectory(home, "kc"), "default"), home.resolve(".kube/config"));
            Path ssh = Files.createDirectories(home.resolve(".ssh"));
            Files.copy(lab.identity(), ssh.resolve("id_ed25519"));
            Files.setPosixFilePermissions(ssh.resolve("id_ed25519"), PosixFilePermissions.fromString("rw-------"));
            Files.copy(lab.knownHosts(), ssh.resolve("known_hosts"));
            Files.writeString(ssh.resolve("config"), "Host " + Lab.NODE_NAME + "\n  Port " + lab.sshPort() + "\n  User " + lab.sshUser() + "\n");

            Lab.LabPod pod = lab.pod("containerd");
            Map<String, String> env = Map.of("HOME", home.toString(), "KUBECONFIG", "", "SSH_AUTH_SOCK", "");
            K8sCapProcess.Finished ok = K8sCapProcess.run(home, env, List.of("locate", "-n", pod.namespace(), pod.name(), "--via", "ssh"));
            assertThat(ok.exitCode()).as(ok.err()).isZero();

            // The same without HOME's known_hosts: the host key is unknown, so nothing else vouched for it.
            Files.delete(ssh.resolve("known_hosts"));
            K8sCapProcess.Finished refused = K8sCapProcess.run(home, env, List.of("locate", "-n", pod.namespace(), pod.name(), "--via", "ssh"));
            assertThat(refused.exitCode()).as(refused.err()).isEqualTo(3);
            assertThat(refused.err()).contains(ssh.resolve("known_hosts").toString());
        }
    }
}
