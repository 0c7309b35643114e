package io.k8scap;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Lets the JVM exit as soon as a command is done. HotSpot's exit waits, in steps of 10 ms, up to
 * 300 ms for every thread that is running native code to stop — daemon threads too, and a thread
 * blocked in a system call counts. After a command that talked to the API server one always is: the
 * JDK HTTP client's selector thread ({@code HttpClient-N-SelectorManager}), blocked in epoll_wait
 * until its client is garbage-collected (JDK 17 has no way to shut a client down; fabric8's close
 * stops only its executor). So every command exited ≈ 0.35 s after its last output
 * (bench/exit-delay.sh). Interrupting that thread wakes its selector, and its loop ends on an
 * interrupt: the thread closes its connections and ends within a few milliseconds.
 */
final class QuietExit {
    private static final Pattern HTTP_SELECTOR = Pattern.compile("HttpClient-\\d+-SelectorManager");
    private static final long JOIN_MS = 100;

    private QuietExit() {}

    /** Ends the threads that would hold the exit up; called when the command's work and output are done. */
    static void prepare() {
        ThreadGroup root = Thread.currentThread().getThreadGroup();
        while (root.getParent() != null) {
            root = root.getParent();
        }
        Thread[] all = new Thread[root.activeCount() + 16];
        int n = root.enumerate(all, true);
        List<Thread> stopping = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Thread t = all[i];
            if (t != Thread.currentThread() && t.isDaemon() && HTTP_SELECTOR.matcher(t.getName()).matches()) {
                t.interrupt();
                stopping.add(t);
            }
        }
        long end = System.nanoTime() + JOIN_MS * 1_000_000;
        for (Thread t : stopping) {
            long left = (end - System.nanoTime()) / 1_000_000;
            if (left <= 0) {
                break;
            }
            try {
                t.join(left);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
