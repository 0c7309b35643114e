package io.k8scap.capture;

/**
 * tcpdump's closing counters, as it prints them on stderr when it stops
 * ({@code N packets captured}, {@code N packets received by filter}, {@code N packets dropped by kernel},
 * and on newer versions {@code N packets dropped by interface} when that is not zero).
 * A counter tcpdump did not print is 0.
 */
public record TcpdumpStats(long captured, long receivedByFilter, long droppedByKernel, long droppedByInterface) {

    public TcpdumpStats(long captured, long receivedByFilter, long droppedByKernel) {
        this(captured, receivedByFilter, droppedByKernel, 0);
    }
}
