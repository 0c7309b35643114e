package io.k8scap.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.k8scap.lab.MockCluster;
import io.k8scap.startup.ArgumentGuess;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The command's options typed before the command, as kubectl users do: same meaning, same errors. */
class LeadingOptionsTest {
    @TempDir
    Path dir;
    MockCluster mock;
    String kubeconfig;

    @BeforeEach
    void startCluster() throws IOException {
        mock = MockCluster.start();
        kubeconfig = mock.writeKubeconfig(dir, "shop").toString();
        mock.client().pods().inNamespace("other").resource(LocateCommandTest.runningPod("web-0", "node-1")).create();
    }

    @AfterEach
    void stopCluster() {
        mock.close();
    }

    @Test
    void namespaceAndKubeconfigBeforeTheCommandAreTheCommands() {
        // the pod is in "other" (its node is not in the cluster): found only when -n before locate is taken as locate's
        String before = LocateCommandTest.failsWith(CliRunner.run("-n", "other", "--kubeconfig", kubeconfig, "locate", "web-0"), 4);
        String after = LocateCommandTest.failsWith(CliRunner.run("locate", "-n", "other", "--kubeconfig", kubeconfig, "web-0"), 4);
        assertThat(before).contains("node node-1 not found").isEqualTo(after);
        assertThat(LocateCommandTest.failsWith(CliRunner.run("--namespace=other", "--kubeconfig=" + kubeconfig, "locate", "web-0"), 4))
                .isEqualTo(after);
    }

    @Test
    void theOneTypedAfterTheCommandWins() {
        String error = LocateCommandTest.failsWith(CliRunner.run("-n", "other", "--kubeconfig", kubeconfig, "locate", "-n", "shop", "web-0"), 4);
        assertThat(error).contains("'web-0'").contains("namespace shop");
        assertThat(LocateCommandTest.failsWith(CliRunner.run("-n", "shop", "--kubeconfig", kubeconfig, "locate", "-n", "other", "web-0"), 4))
                .contains("node node-1 not found");
    }

    @Test
    void allNamespacesWithNamespaceIsRefusedWhereverTyped() {
        for (String[] args : new String[][] {{"-A", "locate", "-n", "x", "web"}, {"-n", "x", "locate", "-A", "web"}, {"-n", "x", "-A", "locate", "web"}}) {
            var r = CliRunner.run(args).assertExit(2);
            assertThat(r.err()).as(String.join(" ", args)).contains("-A and -n cannot be used together");
        }
    }

    @Test
    void outputIsRefusedBeforeACommandWithoutOne() {
        var r = CliRunner.run("-o", "json", "debug", "web").assertExit(2);
        assertThat(r.err()).startsWith("error: Unknown option: '-o'").contains("k8scap debug");
        assertThat(CliRunner.run("debug", "-o", "json", "web").assertExit(2).err()).startsWith("error: Unknown option: '-o'");
    }

    @Test
    void badOutputFormatBeforeTheCommandNamesTheChoices() {
        var r = CliRunner.run("-o", "xml", "locate", "web").assertExit(2);
        assertThat(r.err()).contains("xml").contains("table, wide, json, yaml");
    }

    @Test
    void helpBeforeTheCommandIsTheRootsAndShowsEachOptionOnce() {
        String help = CliRunner.run("capture", "--help").assertExit(0).out();
        assertThat(help.split("--namespace", -1)).hasSize(2);
        assertThat(CliRunner.run("-n", "x", "--help").assertExit(0).out()).contains("Usage: k8scap");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "-n flyte capture flyteadmin",
        "--kubeconfig /tmp/kc --context prod locate web",
        "-v -n lab -o json locate web -n lab2",
        "-nflyte -q capture flyteadmin tcp port 80",
        "--context=dev proxy-inspect --mode ipvs",
    })
    void theStartUpGuessesLeadingOptionsAsPicocliParsesThem(String line) {
        String[] args = ArgumentGuess.commandFirst(line.split(" "));
        assertThat(ArgumentGuess.clusterCommand(args)).isNotNull().isEqualTo(line.replaceAll(".* (capture|locate|proxy-inspect) .*", "$1"));
        assertThat(ArgumentGuess.kubeSettings(args)).as(line).isEqualTo(KubeOptionsGuessTest.parsed(args));
    }
}
