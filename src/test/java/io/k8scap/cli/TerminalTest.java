package io.k8scap.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TerminalTest {
    @Test
    void escapesControlCharactersFromTheCluster() {
        // A pod name or annotation could carry an ANSI sequence that rewrites the user's terminal.
        assertThat(Terminal.sanitize("web\u001b[2J\u0007x\r\n")).isEqualTo("web\\u001b[2J\\u0007x\\u000d\\u000a");
        assertThat(Terminal.sanitize("a\u009bb")).isEqualTo("a\\u009bb");
    }

    @Test
    void leavesOrdinaryTextAlone() {
        assertThat(Terminal.sanitize("flyte/flyteadmin-675b978d44-98zg5 → lab-node-1\tok")).isEqualTo("flyte/flyteadmin-675b978d44-98zg5 → lab-node-1\tok");
        assertThat(Terminal.sanitize(null)).isEmpty();
    }
}
