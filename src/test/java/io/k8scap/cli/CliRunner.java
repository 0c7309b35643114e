package io.k8scap.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** Runs k8scap in-process, capturing stdout and stderr; failed exit-code assertions show both. */
public final class CliRunner {
    private CliRunner() {}

    public record Result(int exitCode, String out, String err) {
        public Result assertExit(int expected) {
            assertThat(exitCode)
                    .as("exit code of k8scap%n--- stdout ---%n%s%n--- stderr ---%n%s", out, err)
                    .isEqualTo(expected);
            return this;
        }
    }

    /** A run whose stdout is kept as bytes (pcap on {@code -w -}). */
    public record Binary(int exitCode, byte[] out, String err) {
        public Binary assertExit(int expected) {
            assertThat(exitCode).as("exit code of k8scap%n--- stderr ---%n%s", err).isEqualTo(expected);
            return this;
        }
    }

    public static Binary runBinary(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
             PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            code = Cli.run(args, o, e);
        }
        return new Binary(code, out.toByteArray(), err.toString(StandardCharsets.UTF_8));
    }

    public static Result run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
             PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            code = Cli.run(args, o, e);
        }
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
