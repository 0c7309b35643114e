package io.k8scap.node.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReadAheadSocketFactoryTest {

    /** Hands out the given chunks, one per read (as a socket hands out what has arrived), and counts reads. */
    static final class Chunks extends InputStream {
        final Deque<Object> chunks = new ArrayDeque<>();
        int reads;

        Chunks(Object... chunks) {
            this.chunks.addAll(List.of(chunks));
        }

        @Override
        public int read() {
            throw new AssertionError("single-byte read on the socket");
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            reads++;
            Object next = chunks.poll();
            if (next == null) {
                return -1;
            }
            if (next instanceof IOException e) {
                throw e;
            }
            byte[] c = (byte[]) next;
            int n = Math.min(len, c.length);
            System.arraycopy(c, 0, b, off, n);
            if (n < c.length) {
                chunks.addFirst(Arrays.copyOfRange(c, n, c.length));
            }
            return n;
        }
    }

    static byte[] bytes(int from, int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (from + i);
        }
        return b;
    }

    static byte[] readFully(InputStream in, int n) throws IOException {
        byte[] b = new byte[n];
        int got = 0;
        while (got < n) {
            int k = in.read(b, got, n - got);
            if (k < 0) {
                throw new IOException("EOF after " + got);
            }
            got += k;
        }
        return b;
    }

    @Test
    void smallReadsOfAnArrivedChunkCostOneSocketRead() throws IOException {
        // JSch reads a packet as its first block, then the rest: here two packets arrived together
        Chunks socket = new Chunks(bytes(0, 100));
        InputStream in = new ReadAheadSocketFactory.ReadAhead(socket, 1024, () -> {});
        assertThat(readFully(in, 16)).isEqualTo(bytes(0, 16));
        assertThat(readFully(in, 34)).isEqualTo(bytes(16, 34));
        assertThat(readFully(in, 16)).isEqualTo(bytes(50, 16));
        assertThat(readFully(in, 34)).isEqualTo(bytes(66, 34));
        assertThat(socket.reads).isEqualTo(1);
    }

    @Test
    void aReadReturnsWhatIsBufferedWithoutWaitingForMore() throws IOException {
        // the socket has nothing more: a second read would report a timeout
        Chunks socket = new Chunks(bytes(0, 10), new SocketTimeoutException("Read timed out"));
        InputStream in = new ReadAheadSocketFactory.ReadAhead(socket, 1024, () -> {});
        byte[] b = new byte[64];
        assertThat(in.read(b, 0, 4)).isEqualTo(4);
        assertThat(in.read(b, 4, 60)).as("the 6 bytes left, not a wait for 60").isEqualTo(6);
        assertThat(Arrays.copyOf(b, 10)).isEqualTo(bytes(0, 10));
        assertThat(in.available()).isZero();
        assertThat(socket.reads).isEqualTo(1);
    }

    @Test
    void aTimeoutComesThroughAndTheStreamGoesOnAfterIt() throws IOException {
        // JSch sends its keep-alive when a read times out, then reads on
        Chunks socket = new Chunks(bytes(0, 8), new SocketTimeoutException("Read timed out"), bytes(8, 8));
        InputStream in = new ReadAheadSocketFactory.ReadAhead(socket, 1024, () -> {});
        assertThat(readFully(in, 8)).isEqualTo(bytes(0, 8));
        assertThatThrownBy(() -> in.read(new byte[4], 0, 4)).isInstanceOf(SocketTimeoutException.class);
        assertThat(readFully(in, 8)).isEqualTo(bytes(8, 8));
        assertThat(in.read(new byte[4], 0, 4)).isEqualTo(-1);
        assertThat(in.read()).isEqualTo(-1);
    }

    @Test
    void aReadAsLargeAsTheBufferGoesStraightToTheSocket() throws IOException {
        Chunks socket = new Chunks(bytes(0, 3), bytes(3, 200));
        InputStream in = new ReadAheadSocketFactory.ReadAhead(socket, 64, () -> {});
        assertThat(in.read()).isZero();
        assertThat(readFully(in, 2)).isEqualTo(bytes(1, 2));
        byte[] big = new byte[200];
        assertThat(in.read(big, 0, 200)).isEqualTo(200);
        assertThat(big).isEqualTo(bytes(3, 200));
        assertThat(socket.reads).isEqualTo(2);
    }

    @Test
    void smallMessagesAreAcknowledgedAtOnceAndAStreamIsLeftToTheKernel() throws IOException {
        // the handshake: small messages; then bulk data arrives in reads of 16 KiB and more
        Chunks socket = new Chunks(bytes(0, 41), bytes(0, 100), bytes(0, 20_000), bytes(0, 30_000), bytes(0, 52), bytes(0, 68));
        int[] quickAcks = new int[1];
        List<Integer> acksBeforeRead = new java.util.ArrayList<>();
        InputStream in = new ReadAheadSocketFactory.ReadAhead(new InputStream() {
            @Override
            public int read() {
                throw new AssertionError();
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                acksBeforeRead.add(quickAcks[0]);
                return socket.read(b, off, len);
            }
        }, 1 << 16, () -> quickAcks[0]++);
        for (int size : new int[] {41, 100, 20_000, 30_000, 52, 68}) {
            assertThat(readFully(in, size)).hasSize(size);
        }
        // cumulative quick-acks seen by each socket read: one before the first, one after each small read
        assertThat(acksBeforeRead).containsExactly(1, 2, 3, 3, 3, 4);
    }

    @Test
    void overARealSocketEveryByteArrivesInOrder() throws Exception {
        byte[] sent = new byte[3 << 20];
        new java.util.Random(7).nextBytes(sent);
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread writer = new Thread(() -> {
                try (Socket peer = server.accept(); OutputStream out = peer.getOutputStream()) {
                    for (int off = 0; off < sent.length; off += 7001) { // odd sizes, many segments
                        out.write(sent, off, Math.min(7001, sent.length - off));
                    }
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            writer.start();
            ReadAheadSocketFactory f = new ReadAheadSocketFactory(5000);
            try (Socket s = f.createSocket("127.0.0.1", server.getLocalPort())) {
                InputStream in = f.getInputStream(s);
                ByteArrayOutputStream got = new ByteArrayOutputStream();
                byte[] b = new byte[13];
                for (int n; (n = in.read(b, 0, b.length)) > 0; ) {
                    got.write(b, 0, n);
                }
                assertThat(got.toByteArray()).isEqualTo(sent);
            }
            writer.join(5000);
        }
    }

    @Test
    void aRefusedConnectionIsAConnectException() throws IOException {
        // SshConnector.translate turns exactly this into "connection refused by HOST:PORT: is sshd running…"
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        assertThatThrownBy(() -> new ReadAheadSocketFactory(2000).createSocket("127.0.0.1", port)).isInstanceOf(ConnectException.class);
    }
}
