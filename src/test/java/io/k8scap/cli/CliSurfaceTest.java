package io.k8scap.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.k8scap.ExitCode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** The CLI surface users and scripts rely on: help, exit codes, usage errors, version, completion. */
class CliSurfaceTest {

    @Test
    void rootHelpListsCommandsAndTheExitCodeTable() {
        var r = CliRunner.run("--help").assertExit(0);
        assertThat(r.out()).contains("locate", "capture", "debug", "proxy-inspect", "version", "completion");
        for (ExitCode c : ExitCode.values()) {
            assertThat(r.out()).containsPattern("(?m)^\\s*" + c.code() + "\\s+" + java.util.regex.Pattern.quote(c.meaning()));
        }
        assertThat(r.err()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"locate", "capture", "debug", "proxy-inspect", "version", "completion"})
    void everyCommandsHelpEndsWithTheSameExitCodes(String command) {
        var r = CliRunner.run(command, "--help").assertExit(0);
        assertThat(r.out()).contains("Exit codes:");
        for (ExitCode c : ExitCode.values()) {
            assertThat(r.out()).contains(c.meaning());
        }
    }

    @Test
    void noCommandIsAUsageError() {
        var r = CliRunner.run().assertExit(2);
        assertThat(r.err()).contains("error: a command is required").contains("Usage: k8scap");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void unknownFlagIsOneLineAndUsageWithExit2() {
        var r = CliRunner.run("locate", "--bogus", "web").assertExit(2);
        assertThat(r.err()).startsWith("error: Unknown option: '--bogus'").contains("Usage: k8scap locate").contains("See 'k8scap locate --help'.");
        assertThat(r.err()).doesNotContain("Exception").doesNotContain("\tat ");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void unknownCommandSuggestsTheClosestOne() {
        var r = CliRunner.run("locat", "web").assertExit(2);
        assertThat(r.err()).contains("locate");
    }

    @Test
    void locateWithoutTargetOrSelectorIsAUsageError() {
        var r = CliRunner.run("locate").assertExit(2);
        assertThat(r.err()).contains("locate needs a TARGET").contains("-l SELECTOR");
    }

    @Test
    void locateRejectsTargetsTogetherWithSelector() {
        CliRunner.run("locate", "web", "-l", "app=web").assertExit(2);
    }

    @Test
    void allNamespacesAndNamespaceTogetherAreRefused() {
        var r = CliRunner.run("locate", "-A", "-n", "x", "-l", "app=web").assertExit(2);
        assertThat(r.err()).contains("-A and -n cannot be used together");
    }

    @Test
    void badOutputFormatNamesTheChoices() {
        var r = CliRunner.run("locate", "web", "-o", "xml").assertExit(2);
        assertThat(r.err()).contains("xml").contains("table, wide, json, yaml");
    }

    @Test
    void badDurationIsAUsageError() {
        var r = CliRunner.run("locate", "web", "--ssh-timeout", "soon").assertExit(2);
        assertThat(r.err()).contains("'soon' is not a duration");
    }

    @Test
    void badNodeAddressTypeNamesTheChoices() {
        var r = CliRunner.run("locate", "web", "--node-address", "public").assertExit(2);
        assertThat(r.err()).contains("internal, external, hostname, name");
    }

    @Test
    void versionAsTextAndJson() {
        assertThat(CliRunner.run("version").assertExit(0).out()).startsWith("k8scap ");
        var json = CliRunner.run("version", "-o", "json").assertExit(0).out();
        assertThat(json).contains("\"version\"").contains("\"java\" : \"" + System.getProperty("java.version") + "\"");
        assertThat(CliRunner.run("--version").assertExit(0).out()).startsWith("k8scap ");
    }

    @Test
    void completionScriptCompletesCommandsInBash() throws IOException, InterruptedException {
        var r = CliRunner.run("completion", "bash").assertExit(0);
        Path script = Files.createTempFile("k8scap-completion", ".bash");
        try {
            Files.writeString(script, r.out());
            // Complete "k8scap lo<TAB>" the way bash would.
            Process p = new ProcessBuilder("bash", "-c",
                    "source \"$1\"; COMP_WORDS=(k8scap lo); COMP_CWORD=1; COMP_LINE='k8scap lo'; COMP_POINT=9;"
                            + " _complete_k8scap; printf '%s\\n' \"${COMPREPLY[@]}\"", "bash", script.toString())
                    .redirectErrorStream(true).start();
            String completions = new String(p.getInputStream().readAllBytes());
            assertThat(p.waitFor()).as(completions).isZero();
            assertThat(completions.lines()).contains("locate");
        } finally {
            Files.deleteIfExists(script);
        }
    }

    @Test
    void completionNeedsAKnownShell() {
        var r = CliRunner.run("completion", "fish").assertExit(2);
        assertThat(r.err()).contains("bash, zsh");
    }
}
