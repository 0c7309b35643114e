package io.k8scap.debug;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.k8scap.node.pod.HelperPodConnector;
import io.k8scap.node.PodAccessSettings;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The command line the agent's helper container runs: debug.sh with the PID, no mount namespace,
 * and the user's argv as quoted positional parameters. Checked by running it with a real {@code sh}
 * and a stand-in {@code nsenter} first on PATH that prints what it got — so what the helper's shell
 * would pass to nsenter is seen, not guessed (the real nsenter runs in DebugAgentLabTest).
 */
@EnableKubernetesMockClient(crud = true)
class AgentDebuggerTest {
    KubernetesClient client;

    private AgentDebugger agent() {
        return new AgentDebugger(new HelperPodConnector(client, PodAccessSettings.defaults(), n -> { }), n -> { });
    }

    @TempDir
    Path bin;

    @Test
    void theArgvReachesNsenterIntactWithTheTargetsNetPidUtsIpcNamespacesAndNoMountNamespace() throws Exception {
        // Stand-in nsenter and id first on PATH (debug.sh only appends to PATH): they print what they got.
        Files.writeString(bin.resolve("nsenter"), "#!/bin/sh\nprintf '<%s>' \"$@\"\n");
        Files.writeString(bin.resolve("id"), "#!/bin/sh\necho 0\n");
        Files.writeString(bin.resolve("unshare"), "#!/bin/sh\nexit 99\n");
        for (String f : List.of("nsenter", "id", "unshare")) {
            bin.resolve(f).toFile().setExecutable(true);
        }
        Path canary = bin.resolve("canary");
        List<String> cmd = List.of("printf", "[%s]\\n", "two words", "it's", "\"double\"", "$(touch " + canary + ")", "; echo x", "*", "");
        long me = ProcessHandle.current().pid(); // debug.sh checks /proc/PID exists
        ProcessBuilder pb = new ProcessBuilder("sh", "-c", agent().commandLine(me, cmd));
        pb.environment().put("PATH", bin + ":" + System.getenv("PATH"));
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(err).isZero();
        // nsenter into the target's net, pid, uts and ipc namespaces — not its mount namespace — then a
        // private mount namespace (fresh /proc, /sys) and the user's argv, every element intact.
        assertThat(out).startsWith("<-t><" + me + "><-n><-p><-u><-i><--><unshare><-m>")
                .endsWith("<k8scap-debug><printf><[%s]\\n><two words><it's><\"double\"><$(touch " + canary + ")><; echo x><*><>");
        assertThat(out).doesNotContain("<-m><--><printf>");
        assertThat(canary).doesNotExist();
    }

    @Test
    void anEmptyCommandIsRefused() {
        assertThatThrownBy(() -> agent().run(new io.k8scap.node.NodeTarget("n", null), "default", "default/p",
                io.k8scap.node.ContainerRef.parse("docker://" + "a".repeat(64)), List.of(), new ByteArrayOutputStream(), new ByteArrayOutputStream()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(client.pods().inAnyNamespace().list().getItems()).isEmpty();
    }

    @Test
    void locatingNeedsTheNodesTools() {
        var settings = PodAccessSettings.defaults().withTools(PodAccessSettings.Tools.HELPER_IMAGE);
        assertThatThrownBy(() -> new AgentDebugger(new HelperPodConnector(client, settings, n -> { }), n -> { }))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
