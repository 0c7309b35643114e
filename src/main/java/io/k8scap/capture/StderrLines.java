package io.k8scap.capture;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/** Splits stderr into lines for {@link TcpdumpOutput}; tcpdump's lines also go to the caller. */
final class StderrLines extends OutputStream {
    private static final int MAX_LINE = 8192;
    private final TcpdumpOutput output;
    private Consumer<String> consumer;
    private final List<String> held = new ArrayList<>();
    private final byte[] buf = new byte[MAX_LINE];
    private int len;
    private String lastLine = "";

    /** @param consumer null: lines are held until {@link RemoteTcpdump#attach} */
    StderrLines(TcpdumpOutput output, Consumer<String> consumer) {
        this.output = output;
        this.consumer = consumer;
    }

    synchronized void attach(Consumer<String> to) {
        consumer = to;
        for (String l : held) {
            deliver(l);
        }
        held.clear();
    }

    synchronized String lastLine() {
        return lastLine;
    }

    @Override
    public synchronized void write(int b) {
        if (b == '\n') {
            line();
        } else if (len < MAX_LINE) {
            buf[len++] = (byte) b;
        }
    }

    @Override
    public synchronized void write(byte[] b, int off, int n) {
        for (int i = off; i < off + n; i++) {
            write(b[i]);
        }
    }

    synchronized void finish() {
        if (len > 0) {
            line();
        }
    }

    private void line() {
        int n = len;
        if (n > 0 && buf[n - 1] == '\r') {
            n--;
        }
        String l = new String(buf, 0, n, StandardCharsets.UTF_8);
        len = 0;
        boolean theirs;
        synchronized (output) {
            theirs = output.accept(l);
            output.notifyAll();
        }
        if (!l.isBlank()) {
            lastLine = l;
        }
        if (theirs) {
            if (consumer == null) {
                held.add(l);
            } else {
                deliver(l);
            }
        }
    }

    private void deliver(String l) {
        try {
            consumer.accept(l);
        } catch (RuntimeException e) {
            // the caller's printer failed; the capture goes on
        }
    }
}
