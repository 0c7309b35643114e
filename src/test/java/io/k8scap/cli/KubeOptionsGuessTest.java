package io.k8scap.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.k8scap.cluster.KubeSettings;
import io.k8scap.startup.ArgumentGuess;
import java.io.PrintStream;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

/**
 * The kube settings guessed from the raw arguments (to read the kubeconfig while picocli starts)
 * must be what picocli then parses, for the ways people write them; where the guess is wrong the
 * prepared connection is thrown away (KubeClientsTest), so a miss costs time, never correctness.
 */
class KubeOptionsGuessTest {
    static KubeSettings parsed(String[] args) {
        CommandLine cl = Cli.commandLine(new PrintStream(PrintStream.nullOutputStream()), new PrintStream(PrintStream.nullOutputStream()));
        CommandLine.ParseResult r = cl.parseArgs(args);
        CommandLine.ParseResult sub = r.subcommand();
        KubeOptions k = (KubeOptions) sub.commandSpec().mixins().get("kube").userObject();
        return new KubeSettings(k.kubeconfig, k.context, k.namespace);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "capture -n flyte flyteadmin",
        "capture flyteadmin -n flyte --duration 30s",
        "capture --namespace=flyte -l app=web -w all.pcapng",
        "-v capture -nflyte flyteadmin tcp port 80",
        "locate --kubeconfig /tmp/kc --context prod web",
        "locate --kubeconfig=/tmp/kc --context=prod -n=lab web",
        "debug -n lab web --via node -- ip addr",
        "proxy-inspect --mode ipvs --context dev",
        "gc --kubeconfig kc -n a -n b",
        "capture -q --context dev web",
    })
    void guessIsWhatPicocliParses(String line) {
        String[] args = line.split(" ");
        assertThat(ArgumentGuess.kubeSettings(args)).as(line).isEqualTo(parsed(args));
    }

    @ParameterizedTest
    @ValueSource(strings = {"--help", "capture --help", "locate -h web", "version", "completion bash", "--version", "help capture", "nosuch -n x"})
    void commandsThatDoNotTalkToTheClusterPrepareNothing(String line) {
        assertThat(ArgumentGuess.clusterCommand(line.split(" "))).as(line).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"capture -n x web", "-v locate web", "debug web -- ip -h", "proxy-inspect", "gc --dry-run"})
    void clusterCommandsAreNamed(String line) {
        assertThat(ArgumentGuess.clusterCommand(line.split(" "))).as(line).isEqualTo(line.replace("-v ", "").split(" ")[0]);
    }

    /** A run builds only the command it runs (Cli.commandLine with one name): it must be the same command. */
    @ParameterizedTest
    @ValueSource(strings = {"locate", "capture", "debug", "proxy-inspect", "gc"})
    void theCommandBuiltAloneIsTheCommandOfTheWholeTree(String name) {
        PrintStream nul = new PrintStream(PrintStream.nullOutputStream());
        CommandLine whole = Cli.commandLine(nul, nul).getSubcommands().get(name);
        CommandLine alone = Cli.commandLine(nul, nul, name).getSubcommands().get(name);
        assertThat(Cli.commandLine(nul, nul, name).getSubcommands()).containsOnlyKeys(name);
        // usage (options inherited from the root: -v, -q, -h, -V; the exit-code table) and the parser settings
        assertThat(alone.getUsageMessage()).isEqualTo(whole.getUsageMessage()).contains("Exit codes:").contains("--verbose");
        assertThat(alone.isOverwrittenOptionsAllowed()).isEqualTo(whole.isOverwrittenOptionsAllowed()).isTrue();
        assertThat(alone.isCaseInsensitiveEnumValuesAllowed()).isTrue();
        assertThat(alone.getExecutionExceptionHandler()).isInstanceOf(ErrorHandler.class);
        assertThat(alone.getParameterExceptionHandler()).isInstanceOf(UsageErrorHandler.class);
    }

    @org.junit.jupiter.api.Test
    void argumentsAfterDoubleDashAreNotOptions() {
        // debug's remote command may well say -n: it is not the namespace
        assertThat(ArgumentGuess.kubeSettings(new String[] {"debug", "web", "--", "ip", "-n", "x", "addr"}))
                .isEqualTo(new KubeSettings(null, null, null));
        assertThat(ArgumentGuess.kubeSettings(new String[] {"locate", "--kubeconfig", "a/b", "web"}).kubeconfig()).isEqualTo(Path.of("a/b"));
    }
}
