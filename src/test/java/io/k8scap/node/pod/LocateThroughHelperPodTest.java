package io.k8scap.node.pod;

import io.k8scap.node.PodAccessSettings;
import static org.assertj.core.api.Assertions.assertThat;

import io.k8scap.lab.Lab;
import io.k8scap.node.ContainerRef;
import io.k8scap.node.LocalNodeSession;
import io.k8scap.node.NodeFacts;
import io.k8scap.node.NodeLocator;
import io.k8scap.node.NodeScript;
import io.k8scap.node.NodeTarget;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The script path end to end, as honestly as possible without a kubelet: the REAL locate.sh runs
 * on this machine ({@code sh -c COMMANDLINE}, exactly as the node's shell would run it after
 * {@code nsenter}), its stdout/stderr/exit status are recorded, and the mock API server — the
 * stand-in for the API server and the kubelet's exec stream — serves those bytes to
 * {@link PodNodeSession}. The exec must carry the very command line k8scap would send over SSH,
 * and NodeLocator must reach the same NodeFacts as a direct local run.
 */
@Timeout(120)
class LocateThroughHelperPodTest {
    static final String NS = "diag";
    static final NodeTarget NODE = new NodeTarget("lab-node-1", "127.0.0.1");

    HelperPodMock mock;

    @BeforeEach
    void start() {
        mock = new HelperPodMock().namespace(NS, "privileged").kubelet(HelperPodMock::running);
    }

    @AfterEach
    void stop() {
        mock.close();
    }

    record Recorded(byte[] stdout, byte[] stderr, int status) {}

    /** Runs {@code commandLine} with this machine's sh, as a node's shell runs it. */
    static Recorded runHere(String commandLine) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("sh", "-c", commandLine).start();
        p.getOutputStream().close();
        CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> {
            try {
                return p.getErrorStream().readAllBytes();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        byte[] out = p.getInputStream().readAllBytes();
        return new Recorded(out, err.join(), p.waitFor());
    }

    NodeFacts throughHelperPod(List<ContainerRef> refs) throws Exception {
        String commandLine = NodeScript.load(NodeLocator.SCRIPT).commandLine(refs.stream().map(ContainerRef::spec).distinct().toList(), false);
        Recorded rec = runHere(commandLine);
        assertThat(rec.status()).as("locate.sh on this machine; stderr: %s", new String(rec.stderr())).isZero();
        mock.exec = (argv, st) -> {
            if (!argv.equals(PodNodeSession.argv(PodAccessSettings.Tools.NODE, false)) || !commandLine.equals(st.commandLine)) {
                st.stderr("unexpected argv " + argv + " or command line");
                st.exit(99);
                return;
            }
            st.stdout(rec.stdout());
            if (rec.stderr().length > 0) {
                st.stderr(new String(rec.stderr()));
            }
            st.exit(rec.status());
        };
        var connector = new HelperPodConnector(mock.client, PodAccessSettings.defaults(),
                new HelperPods(mock.client, s -> { }, Duration.ofMillis(20)), "s1");
        try (PodNodeSession s = connector.open(NODE, NS)) {
            return new NodeLocator().locate(s, refs);
        } finally {
            assertThat(mock.helperPods()).isEmpty();
        }
    }

    @Test
    void aContainerUnknownHereGivesTheSameFactsThroughTheHelperPodAsLocally() throws Exception {
        List<ContainerRef> refs = List.of(ContainerRef.parse("containerd://" + "0f".repeat(32)));
        NodeFacts viaPod = throughHelperPod(refs);
        NodeFacts local = new NodeLocator().locate(new LocalNodeSession(NODE, false), refs);
        assertThat(viaPod).isEqualTo(local);
        assertThat(viaPod.containers().get(0).errorCode()).isNotNull(); // it really went through the parser's error path
        assertThat(viaPod.tools()).containsKey("ip");
    }

    @Test
    @Tag("lab")
    void theLabsRealContainersAreLocatedThroughTheHelperPodAsLocally() throws Exception {
        Lab lab = Lab.loadPods();
        List<ContainerRef> refs = lab.podKeys().stream().map(k -> ContainerRef.parse(lab.pod(k).containerId())).toList();
        NodeFacts viaPod = throughHelperPod(refs);
        NodeFacts local = new NodeLocator().locate(new LocalNodeSession(NODE, false), refs);
        assertThat(viaPod).isEqualTo(local);
        for (int i = 0; i < refs.size(); i++) {
            var loc = viaPod.containers().get(i);
            assertThat(loc.errorCode()).as("%s: %s", refs.get(i), loc.error()).isNull();
            assertThat(loc.pid()).isEqualTo(lab.truth(lab.podKeys().get(i)).pid());
        }
    }
}
