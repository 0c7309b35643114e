package io.k8scap.capture;

/**
 * The user's BPF filter, checked once ({@link #of}) and then carried as it is to the node, where
 * tcpdump gets it as ONE argument (see {@link RemoteTcpdump#parameters}). tcpdump itself judges
 * the syntax: its message is the user's answer.
 *
 * @param text never blank, never with a NUL (the one character no argument can hold)
 */
public record BpfFilter(String text) {
    public BpfFilter {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("a capture filter cannot be blank");
        }
        if (text.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("the filter cannot contain a NUL character");
        }
    }

    /**
     * @return null when {@code text} is null or blank (no filter)
     * @throws IllegalArgumentException when it cannot reach tcpdump (a NUL)
     */
    public static BpfFilter of(String text) {
        return text == null || text.isBlank() ? null : new BpfFilter(text);
    }

    @Override
    public String toString() {
        return text;
    }
}
