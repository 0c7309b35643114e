package io.k8scap.node.pod;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Ctrl+C and SIGTERM for real: a second JVM creates a helper pod on the mock API server and is sent
 * the signal while the pod exists; its shutdown hook must delete the pod before the JVM exits.
 */
@Timeout(120)
class HelperPodSignalTest {
    @ParameterizedTest
    @ValueSource(strings = {"INT", "TERM"})
    void aSignalDeletesTheHelperPod(String signal) throws Exception {
        try (HelperPodMock mock = new HelperPodMock().namespace("diag", "privileged").kubelet(HelperPodMock::running)) {
            String url = "http://" + mock.server.getHostName() + ":" + mock.server.getPort();
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                    "-Dorg.slf4j.simpleLogger.defaultLogLevel=off", HelperPodProcess.class.getName(), url)
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            try {
                BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
                String ready = out.readLine();
                assertThat(ready).as("the child JVM started a helper pod").startsWith("READY k8scap-helper-node-a-");
                assertThat(mock.helperPods()).hasSize(1);

                Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(p.pid())).start();
                assertThat(kill.waitFor()).isZero();
                assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("the child JVM exited").isTrue();

                assertThat(mock.helperPods()).as("helper pods left after SIG%s", signal).isEmpty();
            } finally {
                p.destroyForcibly();
            }
        }
    }

}
