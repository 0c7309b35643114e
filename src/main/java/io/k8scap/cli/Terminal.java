package io.k8scap.cli;

import io.k8scap.Escape;

/** Strings that come from the cluster or a node are escaped before they reach a terminal. */
public final class Terminal {
    private Terminal() {}

    /** One line for a terminal: every control character, newlines included, escaped ({@link Escape}). */
    public static String sanitize(String s) {
        return Escape.controls(s, false);
    }
}
