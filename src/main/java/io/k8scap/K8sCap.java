package io.k8scap;

/** Entry point; replaced by the picocli root command wiring. */
public final class K8sCap {
    private K8sCap() {}

    public static void main(String[] args) {
        System.exit(ExitCode.FAILURE.code());
    }
}
