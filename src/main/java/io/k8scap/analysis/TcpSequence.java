package io.k8scap.analysis;

/**
 * tshark's TCP sequence analysis ({@code tcp_analyze_sequence_number} in Wireshark 4.0's
 * {@code epan/dissectors/packet-tcp.c}) for one conversation, reduced to the flags k8scap reports:
 * retransmission, fast retransmission, spurious retransmission, out-of-order, duplicate ACK, zero window
 * (and the zero-window probe, keep-alive and their ACKs, which decide whether the others apply).
 *
 * <p>As in tshark: sequence numbers are relative (a SYN's sequence number is the base; for a conversation
 * first seen mid-stream the first segment is 1, and an ACK sets the other side's base to ack-1); a SYN with
 * another initial sequence number on the same ports starts a new conversation (port reuse); windows are
 * scaled when both SYNs offered window scaling. Not kept: the unacknowledged-segment list (bytes in flight,
 * RTT, ACKed-lost and SACK-based refinements), which never changes the flags above in 4.0.
 */
final class TcpSequence {
    static final int RETRANSMISSION = 1, FAST_RETRANSMISSION = 2, SPURIOUS_RETRANSMISSION = 4, OUT_OF_ORDER = 8,
            DUPLICATE_ACK = 16, ZERO_WINDOW = 32, ZERO_WINDOW_PROBE = 64, KEEP_ALIVE = 128,
            KEEP_ALIVE_ACK = 256, ZERO_WINDOW_PROBE_ACK = 512, WINDOW_UPDATE = 1024;

    private static final int FIN = Decoder.FIN, SYN = Decoder.SYN, RST = Decoder.RST, ACK = Decoder.ACK;

    /** One direction of the conversation. */
    static final class Dir {
        boolean baseSet;
        int base;
        int nextseq;
        long nextseqTime;
        int lastack;
        long lastackTime;
        int window;
        int winScale = -1; // -1 unknown (no SYN seen), -2 no scaling, else the shift
        int dupacknum;
        int lastFlags;

        void clear() {
            baseSet = false;
            base = nextseq = lastack = window = dupacknum = lastFlags = 0;
            nextseqTime = lastackTime = 0;
            winScale = -1;
        }
    }

    final Dir a = new Dir();
    final Dir b = new Dir();
    private long mruSyn;
    private long firstRtt;

    /** Forgets everything: a new conversation on the same ports. */
    void clear() {
        a.clear();
        b.clear();
        mruSyn = 0;
        firstRtt = 0;
    }

    /** True when this SYN reuses the ports of an earlier conversation (another initial sequence number). */
    boolean isPortReuse(boolean fromA, int flags, int seq) {
        Dir fwd = fromA ? a : b;
        return (flags & (SYN | ACK)) == SYN && fwd.baseSet && seq != fwd.base;
    }

    /**
     * One segment; returns the analysis flags tshark would set on it.
     *
     * @param ts nanoseconds since the epoch
     */
    int segment(boolean fromA, int seqAbs, int ackAbs, int seglen, int flags, int rawWindow, int wscale, long ts) {
        Dir fwd = fromA ? a : b;
        Dir rev = fromA ? b : a;
        if (!fwd.baseSet) {
            fwd.base = (flags & SYN) != 0 ? seqAbs : seqAbs - 1;
            fwd.baseSet = true;
        }
        if (!rev.baseSet && (flags & ACK) != 0) {
            rev.base = ackAbs - 1;
            rev.baseSet = true;
        }
        if ((flags & SYN) != 0) {
            fwd.winScale = wscale >= 0 ? wscale : -2;
            if ((flags & ACK) != 0 && (rev.winScale == -2 || fwd.winScale == -2)) {
                fwd.winScale = -2;
                rev.winScale = -2;
            }
            if ((flags & ACK) == 0) {
                mruSyn = ts;
            }
        } else if ((flags & ACK) != 0 && firstRtt == 0 && mruSyn != 0) {
            firstRtt = Math.max(1, ts - mruSyn);
        }
        int seq = seqAbs - fwd.base;
        int ack = (flags & ACK) != 0 ? ackAbs - rev.base : ackAbs;
        int window = (flags & SYN) == 0 && fwd.winScale >= 0 && rev.winScale >= 0 ? rawWindow << fwd.winScale : rawWindow;
        int ta = 0;

        analysis:
        {
            // zero window probe
            if (seglen == 1 && seq == fwd.nextseq && rev.window == 0) {
                ta |= ZERO_WINDOW_PROBE;
                break analysis;
            }
            // zero window
            if (window == 0 && (flags & (RST | FIN | SYN)) == 0) {
                ta |= ZERO_WINDOW;
            }
            // keep-alive
            if ((seglen == 0 || seglen == 1) && seq == fwd.nextseq - 1 && (flags & (SYN | FIN | RST)) == 0) {
                ta |= KEEP_ALIVE;
            }
            // window update
            if (seglen == 0 && window != 0 && window != fwd.window && seq == fwd.nextseq && ack == fwd.lastack
                    && (flags & (SYN | FIN | RST)) == 0) {
                ta |= WINDOW_UPDATE;
            }
            // keep-alive ACK
            if (seglen == 0 && window != 0 && window == fwd.window && seq == fwd.nextseq && ack == fwd.lastack
                    && (rev.lastFlags & KEEP_ALIVE) != 0 && (flags & (SYN | FIN | RST)) == 0) {
                ta |= KEEP_ALIVE_ACK;
                break analysis;
            }
            // zero window probe ACK
            if (seglen == 0 && window == 0 && window == fwd.window && seq == fwd.nextseq
                    && (ack == fwd.lastack || ack == fwd.lastack + 1)
                    && (rev.lastFlags & ZERO_WINDOW_PROBE) != 0 && (flags & (SYN | FIN | RST)) == 0) {
                ta |= ZERO_WINDOW_PROBE_ACK;
                if (ack == fwd.lastack + 1) {
                    rev.nextseq = ack;
                }
                break analysis;
            }
            // duplicate ACK
            if (seglen == 0 && window != 0 && window == fwd.window && seq == fwd.nextseq && ack == fwd.lastack
                    && (flags & (SYN | FIN | RST)) == 0) {
                fwd.dupacknum++;
                ta |= DUPLICATE_ACK;
            }
        }
        // finished_fwd: a new ACK number resets the duplicate count
        if (ack != fwd.lastack) {
            fwd.dupacknum = 0;
        }

        if ((seglen > 0 || (flags & (SYN | FIN)) != 0) && (ta & KEEP_ALIVE) == 0) {
            boolean notAdvanced = fwd.nextseq != 0 && lt(seq, fwd.nextseq);
            if (seglen > 1 && fwd.nextseq - 1 == seq) {
                notAdvanced = false; // new data after a zero window probe's byte
            }
            retransmission:
            {
                long t = ts - rev.lastackTime;
                if (notAdvanced && rev.dupacknum >= 2 && rev.lastack == seq && t < 20_000_000L) {
                    ta |= FAST_RETRANSMISSION | RETRANSMISSION;
                    break retransmission;
                }
                t = ts - fwd.nextseqTime;
                long threshold = firstRtt == 0 ? 3_000_000L : firstRtt;
                if (notAdvanced && t < threshold && fwd.nextseq != seq + seglen + ((flags & (SYN | FIN)) != 0 ? 1 : 0)) {
                    ta |= OUT_OF_ORDER;
                    break retransmission;
                }
                if (seglen > 0 && rev.lastack != 0 && le(seq + seglen, rev.lastack)) {
                    ta |= SPURIOUS_RETRANSMISSION;
                    break retransmission;
                }
                if (notAdvanced) {
                    ta |= RETRANSMISSION;
                }
            }
        }

        int nextseq = seq + seglen + ((flags & (SYN | FIN)) != 0 ? 1 : 0);
        if ((gt(nextseq, fwd.nextseq) || fwd.nextseq == 0) && (ta & ZERO_WINDOW_PROBE) == 0) {
            fwd.nextseq = nextseq;
            fwd.nextseqTime = ts;
        }
        fwd.window = window;
        fwd.lastack = ack;
        fwd.lastackTime = ts;
        fwd.lastFlags = ta;
        return ta;
    }

    private static boolean lt(int x, int y) {
        return x - y < 0;
    }

    private static boolean le(int x, int y) {
        return x - y <= 0;
    }

    private static boolean gt(int x, int y) {
        return x - y > 0;
    }
}
