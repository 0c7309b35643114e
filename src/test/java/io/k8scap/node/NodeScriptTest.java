package io.k8scap.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class NodeScriptTest {
    @ParameterizedTest
    @ValueSource(strings = {"locate", "capture", "locate-capture", "debug", "proxy"})
    void whatTravelsIsValidShWithoutCommentsAndMuchShorter(String name) throws Exception {
        NodeScript s = NodeScript.load(name);
        String compact = s.compactText();

        assertThat(compact.lines()).noneMatch(l -> l.strip().startsWith("#") || l.isBlank());
        assertThat(compact.length()).isLessThan(s.text().length() * 3 / 4);
        // dash (Debian's /bin/sh) parses it: nothing the stripping removed was code
        Process p = new ProcessBuilder("sh", "-n", "-c", compact).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(out).isZero();
    }

    @ParameterizedTest
    @ValueSource(strings = {"locate", "capture", "locate-capture", "debug", "proxy"})
    void everyScriptStartsWithTheOneSharedPreamble(String name) {
        String compact = NodeScript.load(name).compactText();
        assertThat(compact).startsWith("PATH=\"$PATH:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:/opt/bin:/home/kubernetes/bin\"\n"
                + "LC_ALL=C\nexport PATH LC_ALL\n");
        assertThat(compact.split("export PATH LC_ALL", -1)).as("once, even with includes").hasSize(2);
    }

    @Test
    void hereDocumentBodiesAreKeptEvenWhenALineLooksLikeAComment() throws IOException, InterruptedException {
        String script = """
                # a comment
                cat <<EOF

                # not a comment: data
                EOF
                   # an indented comment
                echo done
                """;
        String compact = NodeScript.compact(script);

        assertThat(compact).isEqualTo("cat <<EOF\n\n# not a comment: data\nEOF\necho done\n");
        Process p = new ProcessBuilder("sh", "-c", compact).start();
        assertThat(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("\n# not a comment: data\ndone\n");
        assertThat(p.waitFor()).isZero();
    }

    @Test
    void theCommandLineCarriesTheCompactScriptAndQuotedArguments() {
        NodeScript s = NodeScript.load("debug");
        String line = s.commandLine(List.of("12", "x'y"), true);
        assertThat(line).isEqualTo("sudo -n sh -c " + ShellQuote.quote(s.compactText()) + " k8scap-debug 12 'x'\\''y'");
    }
}
