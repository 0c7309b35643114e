package io.k8scap.capture;

import io.k8scap.lab.Lab;
import io.k8scap.node.NodeSession;
import java.io.OutputStream;
import java.time.Duration;

/**
 * Test-only main for {@link RemoteTcpdumpLabTest}: opens SSH to the lab node, starts a capture on
 * {@code args[0]} with filter {@code args[1]} (long heartbeat timeout and deadline, so only the
 * connection's end can stop it), prints "listening" and then waits to be SIGKILLed.
 */
public final class RemoteTcpdumpChild {
    private RemoteTcpdumpChild() {}

    public static void main(String[] args) throws Exception {
        Lab lab = Lab.load();
        NodeSession s = RemoteTcpdumpLabTest.connect(lab, lab.sshUser(), false);
        RemoteTcpdump t = RemoteTcpdump.start(s, new TcpdumpSpec(args[0], 0, 0, BpfFilter.of(args[1]), Duration.ofMinutes(10), Duration.ofMinutes(5)),
                OutputStream.nullOutputStream(), l -> System.err.println("child tcpdump: " + l));
        System.out.println(t.awaitListening(Duration.ofSeconds(20)) ? "listening" : "not listening");
        System.out.flush();
        Thread.sleep(Duration.ofMinutes(10).toMillis());
    }
}
