package io.k8scap.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.k8scap.capture.BpfFilter;
import org.junit.jupiter.api.Test;

/** When the node's tcpdump reports kernel drops, the user is told that the capture misses packets and what to change. */
class CaptureDropWarningTest {
    @Test
    void noDropsNoWarning() {
        assertThat(CaptureCommand.dropWarning(0, null, 262144)).isNull();
    }

    @Test
    void dropsAtFullSnaplenWithoutAFilterSuggestBoth() {
        assertThat(CaptureCommand.dropWarning(1234, null, 262144))
                .startsWith("warning: the kernel dropped 1,234 packets before tcpdump could read them: the capture is missing them")
                .contains("a filter ('tcp port 8080', 'host 10.0.0.7')").endsWith(", or --snaplen 96 (headers only)");
    }

    @Test
    void withAFilterAndASmallSnaplenOnlyANarrowerFilterIsLeft() {
        assertThat(CaptureCommand.dropWarning(1, BpfFilter.of("tcp"), 96))
                .startsWith("warning: the kernel dropped 1 packet before").endsWith("a filter (narrower than 'tcp')").doesNotContain("--snaplen");
    }
}
