package io.k8scap.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.k8scap.lab.MockCluster;
import io.k8scap.node.ShellQuote;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The script {@code k8scap completion bash} prints, sourced in a real bash and driven as bash's
 * programmable completion drives it (COMP_LINE, COMP_POINT, COMP_WORDS split at = and :,
 * COMP_CWORD), with {@code k8scap} on the PATH (its own JVM) and KUBECONFIG naming the mock API server.
 */
class CompletionBashTest {
    private static MockCluster cluster;
    @TempDir
    static Path dir;
    private static Path kubeconfig;

    @BeforeAll
    static void start() throws Exception {
        cluster = MockCluster.start();
        var c = cluster.client();
        c.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("shop").endMetadata().build()).create();
        for (String pod : List.of("cart-5f6d7c8b9-q7w2e", "checkout-0", "web-1")) {
            c.pods().inNamespace("shop").resource(new PodBuilder().withNewMetadata().withName(pod).withNamespace("shop").endMetadata()
                    .withNewSpec().addNewContainer().withName("app").withImage("busybox").endContainer().endSpec().build()).create();
        }
        kubeconfig = cluster.writeKubeconfig(dir, "default");
        Files.writeString(kubeconfig, Files.readString(kubeconfig).replace("contexts:\n", """
                contexts:
                - name: arn:aws:eks:eu-west-1:123456789012:cluster/prod
                  context:
                    cluster: lab
                    user: lab
                """));
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Path k8scap = bin.resolve("k8scap");
        Files.writeString(k8scap, "#!/bin/sh\nexec " + ShellQuote.join(K8sCapProcess.command(List.of())) + " \"$@\"\n");
        Files.setPosixFilePermissions(k8scap, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    record Completion(List<String> reply, String err) {}

    /** Sources the script, then completes {@code line} (cursor at its end) split into {@code words} as bash splits it. */
    static Completion complete(Path kubeconfigFile, String line, String... words) throws Exception {
        String script = "source <(k8scap completion bash) || exit 9\n"
                + "COMP_LINE=" + ShellQuote.quote(line) + "; COMP_POINT=${#COMP_LINE}\n"
                + "COMP_WORDS=(" + String.join(" ", java.util.Arrays.stream(words).map(ShellQuote::quote).toList()) + ")\n"
                + "COMP_CWORD=" + (words.length - 1) + "\n"
                + "_k8scap_complete k8scap \"${COMP_WORDS[COMP_CWORD]}\" \"${COMP_WORDS[COMP_CWORD-1]}\"\n"
                + "printf '%s\\n' \"${COMPREPLY[@]}\"\n";
        ProcessBuilder pb = new ProcessBuilder("bash", "--norc", "--noprofile", "-c", script).directory(dir.toFile());
        pb.environment().put("PATH", dir.resolve("bin") + ":" + System.getenv("PATH"));
        pb.environment().put("KUBECONFIG", kubeconfigFile.toString());
        // This busy test machine starts a JVM without class-data sharing: the 1 s bound is checked in
        // CompleteCommandTest, this test checks what the script does with the answer.
        pb.environment().put("K8SCAP_COMPLETION_TIMEOUT", "30s");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(err).isZero();
        return new Completion(out.lines().filter(l -> !l.isEmpty()).toList(), err);
    }

    @Test
    void podNamesOfTheNamespaceTyped() throws Exception {
        Completion c = complete(kubeconfig, "k8scap capture -n shop c", "k8scap", "capture", "-n", "shop", "c");
        assertThat(c.reply()).containsExactly("cart-5f6d7c8b9-q7w2e", "checkout-0");
        assertThat(c.err()).isEmpty();
    }

    @Test
    void namespacesAfterDashN() throws Exception {
        assertThat(complete(kubeconfig, "k8scap locate -n s", "k8scap", "locate", "-n", "s").reply()).containsExactly("shop");
    }

    @Test
    void aContextNameWithColonsReplacesOnlyThePieceBashSplitOff() throws Exception {
        // bash splits at ':' (COMP_WORDBREAKS): the word under completion is "cluster/", what COMPREPLY replaces
        Completion c = complete(kubeconfig, "k8scap locate --context arn:aws:eks:eu-west-1:123456789012:cluster/",
                "k8scap", "locate", "--context", "arn", ":", "aws", ":", "eks", ":", "eu-west-1", ":", "123456789012", ":", "cluster/");
        assertThat(c.reply()).containsExactly("cluster/prod");
    }

    @Test
    void optionsStillCompleteFromTheStaticScript() throws Exception {
        assertThat(complete(kubeconfig, "k8scap capture --names", "k8scap", "capture", "--names").reply()).containsExactly("--namespace");
    }

    @Test
    void kubectlCompletesThePluginThroughItsCompletionHelper() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/kubectl")), "kubectl is not installed");
        Path bin = dir.resolve("bin");
        Files.copy(Path.of("bin/kubectl_complete-k8scap"), bin.resolve("kubectl_complete-k8scap"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.deleteIfExists(bin.resolve("kubectl-k8scap"));
        Files.createSymbolicLink(bin.resolve("kubectl-k8scap"), bin.resolve("k8scap"));
        ProcessBuilder pb = new ProcessBuilder("/usr/bin/kubectl", "__complete", "k8scap", "capture", "-n", "shop", "c").directory(dir.toFile());
        pb.environment().put("PATH", bin + ":" + System.getenv("PATH"));
        pb.environment().put("KUBECONFIG", kubeconfig.toString());
        pb.environment().put("K8SCAP_COMPLETION_TIMEOUT", "30s");
        Process p = pb.redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(out.lines().toList()).as(out).containsExactly("cart-5f6d7c8b9-q7w2e", "checkout-0", ":4");
    }

    @Test
    void anUnreachableClusterOffersNothingAndSaysNothing() throws Exception {
        Path nowhere = Files.writeString(dir.resolve("nowhere"), Files.readString(kubeconfig).replaceAll("server: .*", "server: http://127.0.0.1:1"));
        Completion c = complete(nowhere, "k8scap capture ", "k8scap", "capture", "");
        assertThat(c.reply()).isEmpty();
        assertThat(c.err()).isEmpty();
    }
}
