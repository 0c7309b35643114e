package io.k8scap;

/**
 * The one exit-code table, used by every command and printed in {@code k8scap --help}.
 * docs/exit-codes.md documents the same table; a test keeps them in step.
 */
public enum ExitCode {
    OK(0, "ok"),
    FAILURE(1, "unexpected failure"),
    USAGE(2, "usage error (bad flag or argument)"),
    CONFIG(3, "configuration (kubeconfig, SSH key, known_hosts, ssh config)"),
    NOT_FOUND(4, "not found (pod, workload, node, container)"),
    DENIED(5, "denied (API 401/403, SSH authentication, sudo)"),
    UNAVAILABLE(6, "unavailable (unreachable, timeout, tool missing on node, feature off)"),
    DRIFT(7, "drift or problems found (proxy-inspect, analyze)"),
    INTERRUPTED(130, "interrupted before the work began");

    private final int code;
    private final String meaning;

    ExitCode(int code, String meaning) {
        this.code = code;
        this.meaning = meaning;
    }

    public int code() {
        return code;
    }

    public String meaning() {
        return meaning;
    }
}
