package io.k8scap.node.ssh;

import com.jcraft.jsch.SocketFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;

/**
 * The TCP connection to a node, read ahead: JSch reads every SSH packet in two or more exact-length
 * reads (its first cipher block, then the rest), one system call each, plus a poll whenever the
 * socket has nothing yet. Under a capture's stream of packets that was most of the client's system
 * time. Here one read takes whatever the kernel holds, up to {@link #READ_AHEAD}, and JSch's reads
 * are served from it. Connects with the session's timeout, as JSch's own socket does.
 */
final class ReadAheadSocketFactory implements SocketFactory {
    static final int READ_AHEAD = 256 * 1024;

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
        return new ReadAhead(socket.getInputStream(), READ_AHEAD);
    }

    @Override
    public OutputStream getOutputStream(Socket socket) throws IOException {
        return socket.getOutputStream();
    }

    /**
     * A buffer in front of a stream that never asks {@code available()} (a system call on a socket)
     * and never reads more than one chunk per call: a read returns what is buffered, or blocks for
     * one read of the underlying stream. Reads at least as large as the buffer go straight through.
     * Used by one thread (JSch's session thread); {@code close} may come from another.
     */
    static final class ReadAhead extends InputStream {
        private final InputStream in;
        private final byte[] buf;
        private int pos;
        private int end;

        ReadAhead(InputStream in, int size) {
            this.in = in;
            this.buf = new byte[size];
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
                    return in.read(b, off, len);
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
            int n = in.read(buf, 0, buf.length);
            if (n > 0) {
                end = n;
            }
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
