package io.k8scap.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.k8scap.ExitCode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** docs/exit-codes.md and README.md document exactly the codes the CLI uses. */
class ExitCodesDocTest {
    @Test
    void docsListEveryExitCodeWithItsMeaning() throws IOException {
        String doc = Files.readString(Path.of("docs/exit-codes.md"));
        String readme = Files.readString(Path.of("README.md"));
        for (ExitCode c : ExitCode.values()) {
            assertThat(doc).contains("| " + c.code() + " | " + c.name() + " | " + c.meaning() + " |");
            assertThat(readme).contains("| " + c.code() + " | " + c.meaning() + " |");
        }
    }
}
