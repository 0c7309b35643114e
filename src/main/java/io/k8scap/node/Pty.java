package io.k8scap.node;

/**
 * The pseudo-terminal asked for on the node for an interactive command: its {@code TERM} and
 * size in character cells.
 */
public record Pty(String term, int columns, int rows) {
    public Pty {
        term = term == null || term.isBlank() ? "xterm" : term;
        columns = columns > 0 ? columns : 80;
        rows = rows > 0 ? rows : 24;
    }
}
