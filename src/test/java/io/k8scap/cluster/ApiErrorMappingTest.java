package io.k8scap.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.k8scap.ExitCode;
import io.k8scap.K8sCapException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@link KubeClients#fromApi}: one table from API failures to exit codes, messages one line, nothing secret. */
class ApiErrorMappingTest {
    @TempDir
    Path dir;

    static KubernetesClientException http(int code, String message) {
        return new KubernetesClientException("Failure executing: GET at: https://admin:hunter2@10.0.0.1:6443/api/v1/pods."
                + " Message: " + message, code, new StatusBuilder().withCode(code).withMessage(message).build());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "401 | DENIED      | the API server https://10.0.0.1:6443/ rejected the credentials (401 Unauthorized) for list pods -n a; log in again or refresh the kubeconfig's token, then check with kubectl auth can-i list pods -n a",
        "403 | DENIED      | not allowed to list pods -n a (403 Forbidden: boom); check your RBAC: kubectl auth can-i list pods -n a",
        "404 | NOT_FOUND   | not found: list pods -n a (404: boom)",
        "503 | UNAVAILABLE | the API server https://10.0.0.1:6443/ is overloaded or unavailable (503: boom) for list pods -n a; try again shortly",
        "500 | FAILURE     | API request failed: list pods -n a (500: boom)",
    })
    void httpStatusCodes(int code, ExitCode exit, String message) {
        K8sCapException e = KubeClients.fromApi(http(code, "boom"), "list pods -n a", "https://admin:hunter2@10.0.0.1:6443/");
        assertThat(e.exitCode()).isEqualTo(exit);
        assertThat(e.getMessage()).isEqualTo(message).doesNotContain("hunter2");
    }

    @Test
    void multiLineServerMessagesAreFlattened() {
        K8sCapException e = KubeClients.fromApi(http(403, "line one\nline two\u001b[31m"), "get pods/x -n a");
        assertThat(e.getMessage()).isEqualTo("not allowed to get pods/x -n a (403 Forbidden: line one line two\\u001b[31m);"
                + " check your RBAC: kubectl auth can-i get pods/x -n a");
    }

    @Test
    void refusedConnectionIsUnavailableAndNamesTheServer() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Path cfg = dir.resolve("config");
        Files.writeString(cfg, KubeClientsTest.KUBECONFIG.replace("https://127.0.0.1:6443", "https://127.0.0.1:" + port));
        try (KubeConnection c = KubeClients.connect(new KubeSettings(cfg, null, null), null, dir)) {
            Instant start = Instant.now();
            KubernetesClientException raw = catchThrowableOfType(KubernetesClientException.class,
                    () -> c.client().pods().inNamespace("flyte").list());
            assertThat(Duration.between(start, Instant.now())).as("no long retry loop").isLessThan(Duration.ofSeconds(5));
            K8sCapException e = KubeClients.fromApi(raw, "list pods -n flyte", c.apiServer());
            assertThat(e.exitCode()).isEqualTo(ExitCode.UNAVAILABLE);
            assertThat(e.getMessage()).isEqualTo("cannot reach the API server https://127.0.0.1:" + port
                    + "/ (connection refused) to list pods -n flyte; check that the cluster is up and that --context/--kubeconfig"
                    + " point at it").doesNotContain("s3cr3t");
        }
    }

    @Test
    void unknownFailureKeepsOneLine() {
        K8sCapException e = KubeClients.fromApi(new KubernetesClientException("weird\nthing"), "list pods -A");
        assertThat(e.exitCode()).isEqualTo(ExitCode.FAILURE);
        assertThat(e.getMessage()).isEqualTo("API request failed: list pods -A (weird)");
    }
}
