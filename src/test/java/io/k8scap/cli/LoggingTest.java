package io.k8scap.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LoggingTest {
    @AfterEach
    void reset() {
        Logging.configure(new String[0]);
    }

    private static int verbosity(String... args) {
        return Logging.configure(args).verbosity();
    }

    @Test
    void countsEveryVInEveryVerbosityFlagBeforeTheDoubleDash() {
        assertThat(verbosity("capture", "pod")).isZero();
        assertThat(verbosity("-v", "capture")).isEqualTo(1);
        assertThat(verbosity("capture", "-vv")).isEqualTo(2);
        assertThat(verbosity("-v", "--verbose", "-vv")).isEqualTo(4);
        assertThat(verbosity("capture", "--", "-vvv")).isZero();
        assertThat(System.getProperty("org.slf4j.simpleLogger.defaultLogLevel")).isEqualTo("off");
        assertThat(verbosity("-vv")).isEqualTo(2);
        assertThat(System.getProperty("org.slf4j.simpleLogger.defaultLogLevel")).isEqualTo("debug");
    }

    @Test
    void otherShortFlagsAreNotVerbosity() {
        assertThat(verbosity("-", "-vx", "-xv", "-V", "--v", "v")).isZero();
        assertThat(Logging.configure(new String[] {"-q"}).quiet()).isTrue();
        assertThat(Logging.configure(new String[] {"--", "-q"}).quiet()).isFalse();
    }
}
