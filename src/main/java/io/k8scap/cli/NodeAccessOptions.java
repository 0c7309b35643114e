package io.k8scap.cli;

import io.k8scap.cluster.NodeAddressType;
import io.k8scap.node.NodeAccessSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * How k8scap reaches nodes over SSH. Unset options fall back to ~/.ssh/config (matched by node name
 * first, then by address), then to OpenSSH's defaults. Host keys are verified unless told otherwise.
 */
public final class NodeAccessOptions {
    @Option(names = "--ssh-user", paramLabel = "USER", description = "SSH user on the nodes (default: ssh config, else your user name).")
    String sshUser;

    @Option(names = "--ssh-port", paramLabel = "PORT", description = "SSH port on the nodes (default: ssh config, else 22).")
    Integer sshPort;

    @Option(names = {"-i", "--ssh-key"}, paramLabel = "FILE", description = "Private key to log in with (repeatable; default: ssh config, ssh-agent, ~/.ssh/id_*).")
    List<Path> sshKeys = new ArrayList<>();

    @Option(names = "--ssh-config", paramLabel = "FILE", description = "OpenSSH client config to honour (default: ~/.ssh/config).")
    Path sshConfig;

    @Option(names = "--known-hosts", paramLabel = "FILE", description = "known_hosts file used to verify node host keys (default: ~/.ssh/known_hosts).")
    Path knownHosts;

    @Option(names = "--jump", paramLabel = "[USER@]HOST[:PORT]", description = "Reach nodes through this bastion (like ssh -J).")
    String jump;

    @Option(names = "--sudo", description = "Run node commands with 'sudo -n' (for non-root SSH users; sudo must not ask for a password).")
    boolean sudo;

    @Option(names = "--node-address", paramLabel = "TYPE", defaultValue = "internal", converter = NodeAddressConverter.class,
            completionCandidates = NodeAddressConverter.Candidates.class,
            description = "Which node address SSH goes to: internal (InternalIP), external (ExternalIP), hostname, or name (the Node's name, e.g. for ~/.ssh/config Host entries). Default: ${DEFAULT-VALUE}.")
    NodeAddressType nodeAddress = NodeAddressType.INTERNAL;

    @Option(names = "--ssh-timeout", paramLabel = "DURATION", defaultValue = "10s", converter = DurationConverter.class,
            description = "Timeout to connect and log in to a node, e.g. 5s, 1m (default: ${DEFAULT-VALUE}).")
    Duration sshTimeout = Duration.ofSeconds(10);

    @Option(names = "--insecure-skip-host-key-check",
            description = "Accept any node host key. Exposes you to man-in-the-middle attacks; prefer --known-hosts.")
    boolean insecureSkipHostKeyCheck;

    NodeAccessSettings settings() {
        return new NodeAccessSettings(sshUser, sshPort, sshKeys, sshConfig, knownHosts, jump, sudo, sshTimeout, insecureSkipHostKeyCheck);
    }
}
