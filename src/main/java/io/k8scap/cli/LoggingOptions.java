package io.k8scap.cli;

import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * -v and -q, accepted by every command. The values are read early by {@link Logging#configure}
 * (before any library logs); the fields only make picocli accept and document them.
 */
public final class LoggingOptions {
    @Option(names = {"-v", "--verbose"}, scope = ScopeType.INHERIT,
            description = "More detail on stderr: -v shows stack traces and library info, -vv debug logs.")
    boolean[] verbose;

    @Option(names = {"-q", "--quiet"}, scope = ScopeType.INHERIT,
            description = "Only errors on stderr (no notices, no progress).")
    boolean quiet;
}
