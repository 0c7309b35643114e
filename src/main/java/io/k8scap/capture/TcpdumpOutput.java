package io.k8scap.capture;

import io.k8scap.ExitCode;
import io.k8scap.K8sCapException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What capture.sh and tcpdump said on stderr, one line at a time: capture.sh's own lines
 * ({@code k8scap-capture: …}), tcpdump's closing counters, "listening on", and the error lines that
 * decide which {@link K8sCapException} a failed run becomes. Not thread-safe; one per run.
 */
final class TcpdumpOutput {
    static final String OURS = "k8scap-capture: ";
    private static final Pattern COUNTER = Pattern.compile("^(\\d+) packets? (captured|received by filter|dropped by kernel|dropped by interface)$");
    private static final int KEEP = 20;

    private final Deque<String> tcpdumpLines = new ArrayDeque<>();
    private final List<String> missing = new ArrayList<>();
    private boolean listening;
    private boolean started;
    private boolean stopSent;
    private String killed;
    private Integer endStatus;
    private boolean usage;
    private long captured = -1;
    private long receivedByFilter = -1;
    private long droppedByKernel = -1;
    private long droppedByInterface = -1;

    /** @return true when the line is tcpdump's (or nsenter's, sudo's), false for capture.sh's own */
    boolean accept(String line) {
        if (line.startsWith(OURS)) {
            ours(line.substring(OURS.length()).trim());
            return false;
        }
        if (tcpdumpLines.size() == KEEP) {
            tcpdumpLines.removeFirst();
        }
        tcpdumpLines.addLast(line);
        String t = line.trim();
        if (t.startsWith("tcpdump: listening on ")) {
            listening = true;
        }
        Matcher m = COUNTER.matcher(t);
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            switch (m.group(2)) {
                case "captured" -> captured = n;
                case "received by filter" -> receivedByFilter = n;
                case "dropped by kernel" -> droppedByKernel = n;
                default -> droppedByInterface = n;
            }
        }
        return true;
    }

    private void ours(String msg) {
        String[] w = msg.split(" ");
        switch (w[0]) {
            case "started" -> started = true;
            case "stop" -> stopSent = true;
            case "killed" -> killed = w.length > 1 ? w[1] : "?";
            case "missing" -> {
                for (int i = 1; i < w.length; i++) {
                    if (!w[i].isEmpty()) {
                        missing.add(w[i]);
                    }
                }
            }
            case "end" -> {
                try {
                    endStatus = Integer.parseInt(w[1]);
                } catch (RuntimeException e) {
                    endStatus = null;
                }
            }
            case "usage:" -> usage = true;
            default -> { /* a newer script's line: ignore */ }
        }
    }

    boolean listening() {
        return listening;
    }

    boolean started() {
        return started;
    }

    Integer endStatus() {
        return endStatus;
    }

    List<String> missing() {
        return List.copyOf(missing);
    }

    /** tcpdump's counters, or null when it printed none (it was killed hard, or never started). */
    TcpdumpStats stats() {
        if (captured < 0 && receivedByFilter < 0 && droppedByKernel < 0) {
            return null;
        }
        return new TcpdumpStats(Math.max(captured, 0), Math.max(receivedByFilter, 0), Math.max(droppedByKernel, 0), Math.max(droppedByInterface, 0));
    }

    /** How the run ended; only meaningful once capture.sh printed its {@code end} line. */
    RemoteTcpdump.End ending(int status) {
        if (killed != null) {
            return switch (killed) {
                case "heartbeat" -> RemoteTcpdump.End.HEARTBEAT_LOST;
                case "eof" -> RemoteTcpdump.End.STDIN_CLOSED;
                case "stop" -> RemoteTcpdump.End.STOPPED; // still running 5 s after "stop": killed
                default -> RemoteTcpdump.End.SIGNALLED;
            };
        }
        if (status == 124) {
            return RemoteTcpdump.End.DEADLINE; // coreutils timeout: the deadline passed (tcpdump got SIGINT)
        }
        return stopSent ? RemoteTcpdump.End.STOPPED : RemoteTcpdump.End.EXITED;
    }

    /**
     * The failure a run with this exit status is, or null when it is none (tcpdump stopped the way
     * it was asked to, or by the deadline, or by the dead man's switch).
     */
    K8sCapException failure(int status, String node, TcpdumpSpec spec) {
        if (!missing.isEmpty() || (status == 127 && !started)) {
            return K8sCapException.unavailable(missingMessage(node));
        }
        if (usage) {
            return new K8sCapException(ExitCode.FAILURE, "capture.sh on node " + node + " refused its arguments (a k8scap bug): " + spec);
        }
        if (!started) {
            return new K8sCapException(ExitCode.UNAVAILABLE, "the capture on node " + node + " did not start (status " + status + ")" + detail());
        }
        if (status == 0 || status == 124 || killed != null) {
            return null;
        }
        if (stopSent && status == 128 + 2) {
            return null; // k8scap's stop reached tcpdump before it had set up its SIGINT handler
        }
        String err = errorLine();
        String low = err.toLowerCase(Locale.ROOT);
        String where = "on node " + node;
        if (low.startsWith("nsenter:")) {
            if (low.contains("no such file") || low.contains("no such process")) {
                return K8sCapException.notFound("process " + spec.netnsPid() + " is gone " + where
                        + " (" + err + "): the pod's container was restarted or deleted; locate it again");
            }
            if (low.contains("permission") || low.contains("not permitted")) {
                return K8sCapException.denied("cannot enter the netns of PID " + spec.netnsPid() + " " + where + " (" + err + "): connect as root or use --sudo");
            }
            return new K8sCapException(ExitCode.FAILURE, "nsenter failed " + where + ": " + err);
        }
        if (low.contains("no such device") || low.contains("doesn't exist") || low.contains("does not exist")) {
            return K8sCapException.notFound("no interface " + spec.where() + " " + where + " (" + err
                    + "): the pod may have been recreated; locate it again");
        }
        if (low.contains("interface disappeared") || low.contains("interface went down")) {
            return K8sCapException.notFound("interface " + spec.where() + " went away " + where + " during the capture (" + err
                    + "): the pod was probably deleted or restarted");
        }
        if (low.contains("permission") || low.contains("not permitted")) {
            return K8sCapException.denied("tcpdump may not capture on " + spec.where() + " " + where + " (" + err
                    + "): connect as root or use --sudo");
        }
        if (spec.filter() != null && isFilterError(low)) {
            return new K8sCapException(ExitCode.USAGE, "tcpdump rejected the capture filter '" + spec.filter() + "': " + err);
        }
        if (status > 128 && status < 160) {
            return new K8sCapException(ExitCode.FAILURE, "tcpdump " + where + " was killed by signal " + (status - 128) + " (not by k8scap)" + detail());
        }
        return new K8sCapException(ExitCode.FAILURE, "tcpdump " + where + " failed (status " + status + ")" + detail());
    }

    static boolean isFilterError(String low) {
        return low.contains("can't parse filter expression") || low.contains("syntax error") || low.contains("unknown host")
                || low.contains("unknown port") || low.contains("unknown protocol") || low.contains("unknown network")
                || low.contains("unknown ether") || low.contains("illegal") || low.contains("modifier applied to")
                || low.contains("qualifier") || low.contains("not a valid") || low.contains("rejects all packets")
                || low.contains("invalid") || low.contains("bad dst") || low.contains("bad src") || low.contains("expression");
    }

    private String missingMessage(String node) {
        List<String> what = missing.isEmpty() ? List.of("tcpdump") : missing;
        List<String> hints = new ArrayList<>();
        for (String tool : what) {
            hints.add(switch (tool) {
                case "tcpdump" -> "tcpdump (apt-get install tcpdump / dnf install tcpdump)";
                case "timeout" -> "timeout (coreutils)";
                case "nsenter" -> "nsenter (util-linux)";
                default -> tool;
            });
        }
        return String.join(" and ", what) + (what.size() == 1 ? " is" : " are") + " not installed on node " + node
                + ": install " + String.join(", ", hints) + " on the node";
    }

    /** tcpdump's (or nsenter's) last line that is an error, not a counter or "listening on". */
    private String errorLine() {
        String best = null;
        for (String l : tcpdumpLines) {
            String t = l.trim();
            if (t.isEmpty() || t.startsWith("tcpdump: listening on ") || COUNTER.matcher(t).matches() || (t.startsWith("(") && best != null)) {
                continue;
            }
            if (t.startsWith("tcpdump: WARNING") && best != null) {
                continue;
            }
            best = t;
        }
        return best == null ? "" : best;
    }

    private String detail() {
        String e = errorLine();
        return e.isEmpty() ? "" : ": " + e;
    }
}
