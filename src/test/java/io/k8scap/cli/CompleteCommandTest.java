package io.k8scap.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.k8scap.cluster.KubeSettings;
import io.k8scap.lab.MockCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code k8scap __complete -- WORDS…}, the shell's helper: what it offers after each kind of word,
 * from a stand-in for the cluster (unit) and from the mock API server (command), within its bound
 * and silent on errors.
 */
class CompleteCommandTest {
    private static MockCluster cluster;
    private static Path kubeconfig;

    @BeforeAll
    static void start(@TempDir Path dir) throws Exception {
        cluster = MockCluster.start();
        var c = cluster.client();
        for (String ns : List.of("shop", "flyte")) {
            c.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build()).create();
        }
        for (String pod : List.of("cart-5f6d7c8b9-q7w2e", "checkout-0", "web-1")) {
            c.pods().inNamespace("shop").resource(new PodBuilder().withNewMetadata().withName(pod).withNamespace("shop").endMetadata()
                    .withNewSpec().withNodeName("node-a").addNewContainer().withName("app").withImage("busybox").endContainer().endSpec()
                    .build()).create();
        }
        c.pods().inNamespace("flyte").resource(new PodBuilder().withNewMetadata().withName("flyteadmin-1").withNamespace("flyte").endMetadata()
                .withNewSpec().addNewContainer().withName("app").withImage("busybox").endContainer().endSpec().build()).create();
        for (String node : List.of("node-a", "node-b")) {
            c.nodes().resource(new NodeBuilder().withNewMetadata().withName(node).endMetadata().build()).create();
        }
        kubeconfig = cluster.writeKubeconfig(dir, "shop");
        // a second context, named as EKS names them (colons and slashes)
        Files.writeString(kubeconfig, Files.readString(kubeconfig).replace("contexts:\n", """
                contexts:
                - name: arn:aws:eks:eu-west-1:123456789012:cluster/prod
                  context:
                    cluster: lab
                    user: lab
                """));
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    /** Names the stand-in knows, recording the settings each lookup got. */
    static class Fake implements CompleteCommand.Lookups {
        final List<KubeSettings> asked = new ArrayList<>();

        @Override
        public List<String> contexts(KubeSettings s) {
            asked.add(s);
            return List.of("dev", "prod", "arn:aws:eks:eu-west-1:1:cluster/prod");
        }

        @Override
        public List<String> namespaces(KubeSettings s) {
            asked.add(s);
            return List.of("default", "flyte", "shop");
        }

        @Override
        public List<String> pods(KubeSettings s) {
            asked.add(s);
            return List.of("cart-1", "checkout-0", "web-1");
        }

        @Override
        public List<String> nodes(KubeSettings s) {
            asked.add(s);
            return List.of("node-a", "node-b");
        }
    }

    private static CompleteCommand.Answer answer(CompleteCommand.Lookups lookups, Duration bound, String... words) {
        CommandLine root = Cli.commandLine(System.out, System.err);
        return CompleteCommand.answer(root, Arrays.asList(words), lookups, bound);
    }

    private static CompleteCommand.Answer answer(Fake f, String... words) {
        return answer(f, Duration.ofSeconds(30), words);
    }

    @Test
    void targetsOfLocateCaptureAndDebugArePodsOfTheNamespaceTyped() {
        Fake f = new Fake();
        assertThat(answer(f, "capture", "-n", "shop", "c")).isEqualTo(new CompleteCommand.Answer(List.of("cart-1", "checkout-0"), 4));
        assertThat(f.asked).containsExactly(new KubeSettings(null, null, "shop"));
        assertThat(answer(f, "locate", "--context", "prod", "--kubeconfig", "/k", "").candidates()).containsExactly("cart-1", "checkout-0", "web-1");
        assertThat(f.asked.get(1)).isEqualTo(new KubeSettings(Path.of("/k"), "prod", null));
        assertThat(answer(f, "debug", "-n", "shop", "w").candidates()).containsExactly("web-1");
    }

    @Test
    void optionValuesAreNamespacesContextsNodesOrTheOptionsOwnValues() {
        Fake f = new Fake();
        assertThat(answer(f, "capture", "-n", "").candidates()).containsExactly("default", "flyte", "shop");
        assertThat(answer(f, "locate", "--namespace", "f").candidates()).containsExactly("flyte");
        assertThat(answer(f, "locate", "--context", "").candidates()).containsExactly("dev", "prod", "arn:aws:eks:eu-west-1:1:cluster/prod");
        assertThat(answer(f, "locate", "--context=p").candidates()).containsExactly("--context=prod");
        assertThat(answer(f, "proxy-inspect", "--node", "node-").candidates()).containsExactly("node-a", "node-b");
        assertThat(answer(f, "capture", "--via", "")).isEqualTo(new CompleteCommand.Answer(List.of("ssh", "pod", "auto"), 4));
        assertThat(answer(f, "locate", "-o", "j").candidates()).containsExactly("json");
        assertThat(answer(f, "completion", "").candidates()).containsExactly("bash", "zsh");
    }

    @Test
    void filesFiltersAndCommandsAreLeftToTheShell() {
        Fake f = new Fake();
        assertThat(answer(f, "capture", "web-1", "-w", "")).isEqualTo(new CompleteCommand.Answer(List.of(), 0));
        assertThat(answer(f, "capture", "web-1", "--", "tcp", "")).isEqualTo(new CompleteCommand.Answer(List.of(), 0));
        assertThat(answer(f, "debug", "web-1", "--", "")).isEqualTo(new CompleteCommand.Answer(List.of(), 0));
        assertThat(f.asked).isEmpty();
    }

    @Test
    void commandsAndOptionsComeFromTheCommandTreeWithoutTheHiddenOne() {
        Fake f = new Fake();
        assertThat(answer(f, "").candidates()).contains("locate", "capture", "debug", "proxy-inspect", "completion").doesNotContain("__complete");
        assertThat(answer(f, "capture", "--na").candidates()).containsExactly("--namespace");
        assertThat(answer(f, "capture", "--w").candidates()).contains("--write", "--wireshark");
        assertThat(f.asked).isEmpty();
    }

    @Test
    void aLookupPastTheBoundOrFailingOffersNothing() throws Exception {
        CountDownLatch never = new CountDownLatch(1);
        CompleteCommand.Lookups hanging = new Fake() {
            @Override
            public List<String> pods(KubeSettings s) {
                try {
                    never.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return List.of("too-late");
            }

            @Override
            public List<String> namespaces(KubeSettings s) {
                throw new IllegalStateException("403 Forbidden");
            }
        };
        assertThat(answer(hanging, Duration.ofMillis(50), "capture", "")).isEqualTo(new CompleteCommand.Answer(List.of(), 4));
        assertThat(answer(hanging, Duration.ofMillis(50), "capture", "-n", "")).isEqualTo(new CompleteCommand.Answer(List.of(), 4));
        never.countDown();
    }

    @Test
    void theBoundIsOneSecondUnlessTheEnvironmentSaysOtherwise() {
        assertThat(CompleteCommand.bound(null)).isEqualTo(Duration.ofSeconds(1));
        assertThat(CompleteCommand.bound("3s")).isEqualTo(Duration.ofSeconds(3));
        assertThat(CompleteCommand.bound("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(CompleteCommand.bound("soon")).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void againstTheApiServerPodsNamespacesNodesAndContexts() {
        CliRunner.Result pods = CliRunner.run("__complete", "--", "capture", "--kubeconfig", kubeconfig.toString(), "c").assertExit(0);
        assertThat(pods.out()).isEqualTo("cart-5f6d7c8b9-q7w2e\ncheckout-0\n:4\n");
        assertThat(pods.err()).isEmpty();
        assertThat(CliRunner.run("__complete", "--", "locate", "--kubeconfig", kubeconfig.toString(), "-n", "flyte", "").assertExit(0).out())
                .isEqualTo("flyteadmin-1\n:4\n");
        assertThat(CliRunner.run("__complete", "--", "locate", "--kubeconfig", kubeconfig.toString(), "-n", "").out())
                .isEqualTo("flyte\nshop\n:4\n");
        assertThat(CliRunner.run("__complete", "--", "proxy-inspect", "--kubeconfig", kubeconfig.toString(), "--node", "").out())
                .isEqualTo("node-a\nnode-b\n:4\n");
        assertThat(CliRunner.run("__complete", "--", "locate", "--kubeconfig", kubeconfig.toString(), "--context", "").out())
                .isEqualTo("arn:aws:eks:eu-west-1:123456789012:cluster/prod\nlab\n:4\n");
    }

    @Test
    void aBrokenKubeconfigOrAnUnreachableServerIsSilent(@TempDir Path dir) throws Exception {
        Path broken = Files.writeString(dir.resolve("broken"), "clusters: [oops\n");
        CliRunner.Result r = CliRunner.run("__complete", "--", "capture", "--kubeconfig", broken.toString(), "");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).isEqualTo(":4\n");
        assertThat(r.err()).isEmpty();
        Path nowhere = Files.writeString(dir.resolve("nowhere"), Files.readString(kubeconfig).replaceAll("server: .*", "server: http://127.0.0.1:1"));
        CliRunner.Result refused = CliRunner.run("__complete", "--", "capture", "--kubeconfig", nowhere.toString(), "");
        assertThat(refused.out()).isEqualTo(":4\n");
        assertThat(refused.err()).isEmpty();
    }
}
