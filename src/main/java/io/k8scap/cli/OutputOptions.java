package io.k8scap.cli;

import picocli.CommandLine.Option;

/** -o table|wide|json|yaml and --no-headers. */
public final class OutputOptions {
    public enum Format { table, wide, json, yaml }

    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "table",
            description = "Output format: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    Format format = Format.table;

    @Option(names = "--no-headers", description = "Table output without the header line.")
    boolean noHeaders;

    /** JSON or YAML: for scripts (every row, failed ones with their error), not a table for people. */
    boolean structured() {
        return format == Format.json || format == Format.yaml;
    }
}
