package io.k8scap.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.k8scap.ExitCode;
import io.k8scap.K8sCapException;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

public class KubeClientsTest {
    @TempDir
    Path dir;

    /** Two contexts (dev: c1 on 6443, namespace flyte; prod: c2 on 7443) with a token user. */
    public static final String KUBECONFIG = """
            apiVersion: v1
            kind: Config
            current-context: dev
            clusters:
            - name: c1
              cluster:
                server: https://127.0.0.1:6443
                insecure-skip-tls-verify: true
            - name: c2
              cluster:
                server: https://127.0.0.1:7443
                insecure-skip-tls-verify: true
            contexts:
            - name: dev
              context: {cluster: c1, user: u1, namespace: flyte}
            - name: prod
              context: {cluster: c2, user: u1}
            users:
            - name: u1
              user: {token: s3cr3t-token}
            """;

    private Path write(String name, String text) throws Exception {
        Path p = dir.resolve(name);
        Files.writeString(p, text);
        return p;
    }

    /** The K8sCapException {@code r} throws: one line, no credentials. */
    public static K8sCapException failure(Runnable r) {
        K8sCapException e = catchThrowableOfType(K8sCapException.class, r::run);
        assertThat(e).as("expected a K8sCapException").isNotNull();
        assertThat(e.getMessage()).doesNotContain("\n").doesNotContain("s3cr3t");
        return e;
    }

    @Test
    void currentContextNamespaceAndServerComeFromTheKubeconfig() throws Exception {
        Path f = write("config", KUBECONFIG);
        try (KubeConnection c = KubeClients.connect(new KubeSettings(f, null, null), null, dir)) {
            assertThat(c.context()).isEqualTo("dev");
            assertThat(c.namespace()).isEqualTo("flyte");
            assertThat(c.apiServer()).isEqualTo("https://127.0.0.1:6443/");
            assertThat(c.client().getNamespace()).isEqualTo("flyte");
            assertThat(c.kubeconfigs()).containsExactly(f);
        }
    }

    @org.junit.jupiter.params.ParameterizedTest(name = "https={0}")
    @org.junit.jupiter.params.provider.ValueSource(booleans = {false, true})
    void readsPodsOverHttp11WithoutAskingForHttp2(boolean https) throws Exception {
        try (io.k8scap.lab.MockCluster cluster = io.k8scap.lab.MockCluster.start(https)) {
            cluster.client().pods().inNamespace("flyte").resource(new io.fabric8.kubernetes.api.model.PodBuilder()
                    .withNewMetadata().withName("web").endMetadata().build()).create();
            Path f = cluster.writeKubeconfig(dir, "flyte");
            try (KubeConnection c = KubeClients.connect(new KubeSettings(f, null, null), null, dir)) {
                assertThat(c.apiServer()).startsWith(https ? "https://" : "http://");
                assertThat(c.client().pods().withName("web").get().getMetadata().getName()).isEqualTo("web");
            }
            var request = cluster.lastRequest();
            assertThat(request.getPath()).isEqualTo("/api/v1/namespaces/flyte/pods/web");
            assertThat(request.getHttpVersion()).isEqualTo("HTTP/1.1");
            assertThat(request.getHeader("Upgrade")).as("h2c upgrade asked for").isNull();
        }
    }

    @Test
    void anHttpsServerWhoseCertificateNobodyVouchedForIsRefused() throws Exception {
        // http:// servers skip the trust store (nothing to verify there); https ones must still verify.
        try (io.k8scap.lab.MockCluster cluster = io.k8scap.lab.MockCluster.start(true)) {
            Path f = write("config", """
                    apiVersion: v1
                    kind: Config
                    current-context: lab
                    clusters:
                    - name: lab
                      cluster: {server: "%s"}
                    contexts:
                    - name: lab
                      context: {cluster: lab, user: lab, namespace: flyte}
                    users:
                    - name: lab
                      user: {token: s3cr3t-token}
                    """.formatted(cluster.url()));
            try (KubeConnection c = KubeClients.connect(new KubeSettings(f, null, null), null, dir)) {
                Throwable e = org.assertj.core.api.Assertions.catchThrowable(() -> c.client().pods().withName("web").get());
                assertThat(e).as("GET from a self-signed server").isNotNull()
                        .hasRootCauseInstanceOf(java.security.cert.CertPathBuilderException.class);
            }
        }
    }

    @Test
    void aPlainHttpServerNeedsNoTrustStore() throws Exception {
        try (io.k8scap.lab.MockCluster cluster = io.k8scap.lab.MockCluster.start(false)) {
            Path f = cluster.writeKubeconfig(dir, "flyte");
            try (KubeConnection c = KubeClients.connect(new KubeSettings(f, null, null), null, dir)) {
                assertThat(c.client().getConfiguration().isTrustCerts()).as("trust store skipped").isTrue();
                assertThat(c.client().pods().withName("web").get()).isNull();
            }
        }
        assertThat(KubeClients.plainHttp("HTTP://127.0.0.1:8001")).isTrue();
        assertThat(KubeClients.plainHttp("https://127.0.0.1:6443")).isFalse();
        assertThat(KubeClients.plainHttp("httpx://h")).isFalse();
    }

    @Test
    void namespaceFlagWinsAndContextWithoutNamespaceMeansDefault() throws Exception {
        Path f = write("config", KUBECONFIG);
        try (KubeConnection c = KubeClients.connect(new KubeSettings(f, "dev", "kube-system"), null, dir)) {
            assertThat(c.namespace()).isEqualTo("kube-system");
        }
        try (KubeConnection c = KubeClients.connect(new KubeSettings(f, "prod", null), null, dir)) {
            assertThat(c.context()).isEqualTo("prod");
            assertThat(c.namespace()).isEqualTo("default");
            assertThat(c.apiServer()).isEqualTo("https://127.0.0.1:7443/");
        }
    }

    @Test
    void kubeconfigEnvIsAPathListAndMissingEntriesAreSkippedLikeKubectl() throws Exception {
        Path other = write("other", """
                apiVersion: v1
                kind: Config
                clusters:
                - name: c3
                  cluster: {server: "https://127.0.0.1:8443"}
                contexts:
                - name: lab
                  context: {cluster: c3, user: u3, namespace: lab-ns}
                users:
                - name: u3
                  user: {token: t}
                """);
        Path f = write("config", KUBECONFIG);
        String env = dir.resolve("missing") + File.pathSeparator + other + File.pathSeparator + f;
        try (KubeConnection c = KubeClients.connect(new KubeSettings(null, null, null), env, dir)) {
            // current-context comes from the first file that sets one (the third here); contexts merge.
            assertThat(c.context()).isEqualTo("dev");
            assertThat(c.kubeconfigs()).containsExactly(other, f);
        }
        try (KubeConnection c = KubeClients.connect(new KubeSettings(null, "lab", null), env, dir)) {
            assertThat(c.namespace()).isEqualTo("lab-ns");
            assertThat(c.apiServer()).isEqualTo("https://127.0.0.1:8443/");
        }
    }

    @Test
    void defaultsToHomeKubeConfig() throws Exception {
        Files.createDirectories(dir.resolve(".kube"));
        Files.writeString(dir.resolve(".kube/config"), KUBECONFIG);
        try (KubeConnection c = KubeClients.connect(KubeSettings.defaults(), null, dir)) {
            assertThat(c.namespace()).isEqualTo("flyte");
        }
    }

    @Test
    void missingKubeconfigFlagNamesTheFile() {
        Path f = dir.resolve("nope.yaml");
        K8sCapException e = failure(() -> KubeClients.connect(new KubeSettings(f, null, null), null, dir));
        assertThat(e.exitCode()).isEqualTo(ExitCode.CONFIG);
        assertThat(e.getMessage()).contains(f.toString()).contains("does not exist").contains("--kubeconfig");
    }

    @Test
    void noKubeconfigAnywhereSaysWhereItLooked() {
        K8sCapException e = failure(() -> KubeClients.connect(KubeSettings.defaults(), null, dir));
        assertThat(e.exitCode()).isEqualTo(ExitCode.CONFIG);
        assertThat(e.getMessage()).contains(dir.resolve(".kube/config").toString()).contains("KUBECONFIG")
                .contains("--kubeconfig");

        K8sCapException env = failure(() -> KubeClients.connect(KubeSettings.defaults(), dir.resolve("x").toString(), dir));
        assertThat(env.exitCode()).isEqualTo(ExitCode.CONFIG);
        assertThat(env.getMessage()).contains("KUBECONFIG").contains(dir.resolve("x").toString());
    }

    @Test
    void kubeconfigThatIsADirectoryIsNotReadable() throws Exception {
        Path d = Files.createDirectory(dir.resolve("adir"));
        K8sCapException e = failure(() -> KubeClients.connect(new KubeSettings(d, null, null), null, dir));
        assertThat(e.exitCode()).isEqualTo(ExitCode.CONFIG);
        assertThat(e.getMessage()).contains(d.toString()).contains("not a readable file");
    }

    @Test
    void garbageYamlNamesTheFile() throws Exception {
        Path f = write("garbage", "clusters: [ {{ this is: not yaml\n\t- ]:\n");
        K8sCapException e = failure(() -> KubeClients.connect(new KubeSettings(f, null, null), null, dir));
        assertThat(e.exitCode()).isEqualTo(ExitCode.CONFIG);
        assertThat(e.getMessage()).isEqualTo("kubeconfig " + f + " is not valid kubeconfig YAML (while parsing a flow mapping"
                + " at line 1, column 14); fix it or pass --kubeconfig PATH");
    }

    @Test
    void yamlThatIsNoKubeconfigSaysSoWithoutJavaClassNames() throws Exception {
        Path f = write("hello", "hello world\n");
        K8sCapException e = failure(() -> KubeClients.connect(new KubeSettings(f, null, null), null, dir));
        assertThat(e.exitCode()).isEqualTo(ExitCode.CONFIG);
        assertThat(e.getMessage()).isEqualTo("kubeconfig " + f + " is not valid kubeconfig YAML (not a mapping with clusters,"
                + " contexts and users); fix it or pass --kubeconfig PATH");
    }

    @Test
    void emptyKubeconfigIsAnEmptyConfigLikeKubectl() throws Exception {
        Path f = write("empty", "");
        K8sCapException e = failure(() -> KubeClients.connect(new KubeSettings(f, null, null), null, dir));
        assertThat(e.exitCode()).isEqualTo(ExitCode.CONFIG);
        assertThat(e.getMessage()).isEqualTo("kubeconfig " + f + " has no current-context; pass --context NAME"
                + " (it defines no contexts either), see kubectl config get-contexts");
    }

    @Test
    void unknownContextListsTheKnownOnes() throws Exception {
        Path f = write("config", KUBECONFIG);
        K8sCapException e = failure(() -> KubeClients.connect(new KubeSettings(f, "staging", null), null, dir));
        assertThat(e.exitCode()).isEqualTo(ExitCode.CONFIG);
        assertThat(e.getMessage()).contains("'staging'").contains(f.toString()).contains("dev, prod")
                .contains("kubectl config get-contexts");
    }

    @Test
    void noCurrentContextAsksForContextFlag() throws Exception {
        Path f = write("config", KUBECONFIG.replace("current-context: dev\n", ""));
        K8sCapException e = failure(() -> KubeClients.connect(new KubeSettings(f, null, null), null, dir));
        assertThat(e.exitCode()).isEqualTo(ExitCode.CONFIG);
        assertThat(e.getMessage()).contains("no current-context").contains("--context").contains("dev, prod");
    }

    @Test
    void contextWhoseClusterIsMissing() throws Exception {
        Path f = write("config", KUBECONFIG.replace("{cluster: c2,", "{cluster: gone,"));
        K8sCapException e = failure(() -> KubeClients.connect(new KubeSettings(f, "prod", null), null, dir));
        assertThat(e.exitCode()).isEqualTo(ExitCode.CONFIG);
        assertThat(e.getMessage()).contains("'prod'").contains("'gone'").contains("no server URL");
    }

    @Test
    void userInfoIsDroppedFromServerUrls() {
        assertThat(KubeClients.withoutUserInfo("https://admin:hunter2@10.0.0.1:6443/"))
                .isEqualTo("https://10.0.0.1:6443/");
        assertThat(KubeClients.withoutUserInfo("https://10.0.0.1:6443/")).isEqualTo("https://10.0.0.1:6443/");
    }
}
