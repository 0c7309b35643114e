package io.k8scap.node.ssh;

import java.nio.file.Path;
import java.util.List;

/**
 * One SSH server to log in to, fully resolved (flags, then ssh config, then OpenSSH's defaults).
 *
 * @param label         how messages name it (the node name, or "jump host X")
 * @param host          address or host name to connect to
 * @param user          login user
 * @param identities    key files to offer, in order (the agent's keys come first when there is one)
 * @param knownHosts    known_hosts files to verify the host key against
 * @param hostKeyAlias  config HostKeyAlias, or null
 */
public record SshEndpoint(String label, String host, int port, String user, List<Identity> identities,
                          List<Path> knownHosts, String hostKeyAlias) {

    public SshEndpoint {
        identities = List.copyOf(identities);
        knownHosts = List.copyOf(knownHosts);
    }

    /** host:port as messages and ssh-keyscan show it. */
    public String hostPort() {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }

    /**
     * A key file to offer.
     *
     * @param explicit named by the user (-i or IdentityFile): missing or unusable is an error, not a skip
     */
    public record Identity(Path path, boolean explicit) {}
}
