package io.k8scap.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An output file that cannot be written is refused before k8scap contacts the cluster or any node. */
class CaptureOutputCheckTest {
    @TempDir
    Path dir;

    private Path unreachableApi() throws Exception {
        Path kubeconfig = dir.resolve("kubeconfig");
        Files.writeString(kubeconfig, """
                apiVersion: v1
                kind: Config
                clusters: [{name: c, cluster: {server: "http://127.0.0.1:%d"}}]
                contexts: [{name: c, context: {cluster: c, user: u}}]
                current-context: c
                users: [{name: u, user: {token: t}}]
                """.formatted(UnreachableNode.closedLoopbackPort()));
        return kubeconfig;
    }

    @Test
    void anExistingFileWithoutForceIsAUsageErrorBeforeTheApiIsAsked() throws Exception {
        Path existing = Files.writeString(dir.resolve("old.pcap"), "keep me");
        var r = CliRunner.run("capture", "--kubeconfig", unreachableApi().toString(), "web", "-w", existing.toString()).assertExit(2);

        assertThat(r.err()).isEqualTo("error: refusing to overwrite existing file " + existing
                + ": choose another output name, remove it, or allow overwriting\n");
        assertThat(Files.readString(existing)).isEqualTo("keep me");
    }

    @Test
    void aDirectoryIsAUsageError() throws Exception {
        var r = CliRunner.run("capture", "--kubeconfig", unreachableApi().toString(), "web", "-w", dir.toString()).assertExit(2);
        assertThat(r.err()).startsWith("error: cannot write capture to " + dir + ": it is a directory");
    }

    @Test
    void withForceTheCheckPassesAndTheApiIsAsked() throws Exception {
        Path existing = Files.writeString(dir.resolve("old.pcap"), "keep me");
        var r = CliRunner.run("capture", "--kubeconfig", unreachableApi().toString(), "web", "-w", existing.toString(), "--force");
        assertThat(r.exitCode()).isEqualTo(6); // the API server is unreachable: UNAVAILABLE
        assertThat(Files.readString(existing)).isEqualTo("keep me");
    }
}
