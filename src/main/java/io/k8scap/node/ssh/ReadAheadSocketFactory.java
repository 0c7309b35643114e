package io.k8scap.node.ssh;

import com.jcraft.jsch.SocketFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import jdk.net.ExtendedSocketOptions;

/**
 * The TCP connection to a node, read ahead: JSch reads every SSH packet in two or more exact-length
 * reads (its first cipher block, then the rest), one system call each, plus a poll whenever the
 * socket has nothing yet: under a bulk capture ≈ 8 % of the client's CPU, and a less steady rate
 * (docs/performance.md, benchmark 2). Here one read takes whatever the kernel holds, up to
 * {@link #READ_AHEAD}, and JSch's reads
 * are served from it. Connects with the session's timeout, as JSch's own socket does.
 *
 * <p>And it acknowledges small messages at once (Linux's {@code TCP_QUICKACK}, before each read
 * that follows a small one). A node's sshd sends with Nagle's algorithm on (it turns it off only
 * for a terminal), so of two small messages in a row the second waits until the first is
 * acknowledged, and the client's kernel delays that acknowledgement by 40 ms when it expects to
 * answer soon: after login, sshd's host-key notice and then its answer to the first channel were
 * each held that way, ≈ 45 ms of every capture's start (docs/performance.md). Bulk data (reads of
 * {@link #INTERACTIVE} bytes or more) is left to the kernel's own acknowledgements.
 */
final class ReadAheadSocketFactory implements SocketFactory {
    static final int READ_AHEAD = 256 * 1024;
    /** A read shorter than this looks like a conversation (handshake, channel requests), not a stream. */
    static final int INTERACTIVE = 16 * 1024;

    private final int connectTimeoutMillis;

    ReadAheadSocketFactory(int connectTimeoutMillis) {
        this.connectTimeoutMillis = connectTimeoutMillis;
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
        Socket s = new Socket();
        try {
            s.connect(new InetSocketAddress(host, port), connectTimeoutMillis);
            return s;
        } catch (IOException e) {
            s.close();
            throw e;
        }
    }

    @Override
    public InputStream getInputStream(Socket socket) throws IOException {
        Runnable quickAck = () -> {};
        if (socket.supportedOptions().contains(ExtendedSocketOptions.TCP_QUICKACK)) {
            quickAck = () -> {
                try {
                    socket.setOption(ExtendedSocketOptions.TCP_QUICKACK, true);
                } catch (IOException ignored) {
                    // closed meanwhile: the read reports it
                }
            };
        }
        return new ReadAhead(socket.getInputStream(), READ_AHEAD, quickAck);
    }

    @Override
    public OutputStream getOutputStream(Socket socket) throws IOException {
        return socket.getOutputStream();
    }

    /**
     * A buffer in front of a stream that never asks {@code available()} (a system call on a socket)
     * and never reads more than one chunk per call: a read returns what is buffered, or blocks for
     * one read of the underlying stream. Reads at least as large as the buffer go straight through.
     * {@code quickAck} runs before a read of the stream when the previous one was shorter than
     * {@link #INTERACTIVE} (and before the first). Used by one thread (JSch's session thread);
     * {@code close} may come from another.
     */
    static final class ReadAhead extends InputStream {
        private final InputStream in;
        private final byte[] buf;
        private final Runnable quickAck;
        private int pos;
        private int end;
        private boolean interactive = true;

        ReadAhead(InputStream in, int size, Runnable quickAck) {
            this.in = in;
            this.buf = new byte[size];
            this.quickAck = quickAck;
        }

        @Override
        public int read() throws IOException {
            if (pos == end && fill() <= 0) {
                return -1;
            }
            return buf[pos++] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            if (pos == end) {
                if (len >= buf.length) {
                    return readFromStream(b, off, len);
                }
                int n = fill();
                if (n <= 0) {
                    return n;
                }
            }
            int n = Math.min(len, end - pos);
            System.arraycopy(buf, pos, b, off, n);
            pos += n;
            return n;
        }

        private int fill() throws IOException {
            pos = 0;
            end = 0;
            int n = readFromStream(buf, 0, buf.length);
            if (n > 0) {
                end = n;
            }
            return n;
        }

        private int readFromStream(byte[] b, int off, int len) throws IOException {
            if (interactive) {
                quickAck.run();
            }
            int n = in.read(b, off, len);
            interactive = n < INTERACTIVE;
            return n;
        }

        @Override
        public int available() {
            return end - pos;
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }
}
