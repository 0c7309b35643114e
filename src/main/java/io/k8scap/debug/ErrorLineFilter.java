package io.k8scap.debug;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Passes a remote stream through, except a first line starting with {@code k8scap-debug-error<TAB>}
 * (the node script's own failure report, see {@code debug.sh}), which it keeps for k8scap to
 * translate. Only bytes that still match that prefix are held back, so output is not delayed.
 */
final class ErrorLineFilter extends OutputStream {
    static final byte[] PREFIX = "k8scap-debug-error\t".getBytes(StandardCharsets.US_ASCII);

    private enum State { START, PASS, MARKER }

    private final OutputStream out;
    private final ByteArrayOutputStream held = new ByteArrayOutputStream();
    private State state = State.START;
    private String marker;

    ErrorLineFilter(OutputStream out) {
        this.out = out;
    }

    @Override
    public synchronized void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) throws IOException {
        int i = off;
        int end = off + len;
        while (i < end && state != State.PASS) {
            byte c = b[i++];
            if (state == State.START) {
                int pos = held.size();
                if (pos < PREFIX.length && c != PREFIX[pos]) {
                    state = State.PASS;
                    held.write(c);
                    out.write(held.toByteArray());
                    held.reset();
                } else {
                    held.write(c);
                    if (held.size() == PREFIX.length) {
                        state = State.MARKER;
                    }
                }
            } else if (c == '\n') {
                marker = held.toString(StandardCharsets.UTF_8).substring(PREFIX.length);
                held.reset();
                state = State.PASS;
            } else if (held.size() < 4096) {
                held.write(c);
            }
        }
        if (i < end) {
            out.write(b, i, end - i);
        }
    }

    @Override
    public synchronized void flush() throws IOException {
        out.flush();
    }

    /** Writes out what was held back because it looked like the start of a marker. */
    synchronized void finish() throws IOException {
        if (state == State.START && held.size() > 0) {
            out.write(held.toByteArray());
            held.reset();
        } else if (state == State.MARKER && marker == null) {
            marker = held.toString(StandardCharsets.UTF_8).substring(PREFIX.length);
        }
        out.flush();
    }

    /** {@code CODE<TAB>DETAIL} of the node script's failure line, or null. */
    synchronized String marker() {
        return marker;
    }
}
