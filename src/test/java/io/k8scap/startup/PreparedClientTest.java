package io.k8scap.startup;

import static org.assertj.core.api.Assertions.assertThat;

import io.k8scap.ExitCode;
import io.k8scap.K8sCapException;
import io.k8scap.cluster.KubeClients;
import io.k8scap.cluster.KubeClientsTest;
import io.k8scap.cluster.KubeConnection;
import io.k8scap.cluster.KubeSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The connection built while picocli parses: used only when it was built for the settings parsed, errors included. */
class PreparedClientTest {
    @TempDir
    Path dir;

    private Path write(String name, String text) throws Exception {
        return Files.writeString(dir.resolve(name), text);
    }

    @Test
    void aPreparedConnectionForOtherSettingsIsNeverUsed() throws Exception {
        Path f = write("config", KubeClientsTest.KUBECONFIG);
        // guessed --context dev (before picocli parsed); the command line said prod
        PreparedClient guessed = PreparedClient.start(new KubeSettings(f, "dev", null), null, dir);
        try (KubeConnection c = guessed.connect(new KubeSettings(f, "prod", null), null, dir)) {
            assertThat(c.context()).isEqualTo("prod");
            assertThat(c.apiServer()).isEqualTo("https://127.0.0.1:7443/");
            assertThat(c.namespace()).isEqualTo("default");
        }
        // a guess that fails (no such file) does not fail a command whose real settings are fine
        PreparedClient failed = PreparedClient.start(new KubeSettings(dir.resolve("nope"), null, null), null, dir);
        try (KubeConnection c = failed.connect(new KubeSettings(f, null, "lab"), null, dir)) {
            assertThat(c.namespace()).isEqualTo("lab");
        }
    }

    @Test
    void theConnectionPreparedForTheSameSettingsIsTheOneUsedErrorsIncluded() throws Exception {
        Path f = write("config", KubeClientsTest.KUBECONFIG);
        PreparedClient run = PreparedClient.start(new KubeSettings(f, null, "lab"), null, dir);
        run.preparing().join();
        // the kubeconfig was read ahead: the connection is the prepared one, made from what the file said then
        Files.writeString(f, KubeClientsTest.KUBECONFIG.replace("6443", "9443"));
        try (KubeConnection c = run.connect(new KubeSettings(f, null, "lab"), null, dir)) {
            assertThat(c.apiServer()).isEqualTo("https://127.0.0.1:6443/");
            assertThat(c.context()).isEqualTo("dev");
            assertThat(c.namespace()).isEqualTo("lab");
            assertThat(c.client().getNamespace()).isEqualTo("lab");
        }
        // it is used once: the next connect reads the file again
        try (KubeConnection c = run.connect(new KubeSettings(f, null, "lab"), null, dir)) {
            assertThat(c.apiServer()).isEqualTo("https://127.0.0.1:9443/");
        }
        Path missing = dir.resolve("missing");
        String direct = KubeClientsTest.failure(() -> KubeClients.connect(new KubeSettings(missing, null, null), null, dir)).getMessage();
        PreparedClient broken = PreparedClient.start(new KubeSettings(missing, null, null), null, dir);
        K8sCapException prepared = KubeClientsTest.failure(() -> broken.connect(new KubeSettings(missing, null, null), null, dir));
        assertThat(prepared.exitCode()).isEqualTo(ExitCode.CONFIG);
        assertThat(prepared.getMessage()).isEqualTo(direct);
    }

}
