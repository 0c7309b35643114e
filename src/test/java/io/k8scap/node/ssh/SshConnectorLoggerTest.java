package io.k8scap.node.ssh;

import static org.assertj.core.api.Assertions.assertThat;

import com.jcraft.jsch.JSchException;
import com.jcraft.jsch.Logger;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * What {@code -vv} shows of JSch's log: a normal disconnect (JSch's reader thread reading a socket
 * k8scap closed) is one line; any other exception JSch logs keeps its stack trace. The normal
 * disconnect end to end is LocateLabTest's.
 */
class SshConnectorLoggerTest {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final Logger logger = new SshConnector.StderrLogger(new PrintStream(bytes, true, StandardCharsets.UTF_8));

    private String shown() {
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void ourOwnDisconnectIsOneLine() {
        logger.log(Logger.INFO, "Caught an exception, leaving main loop due to Socket closed", new SocketException("Socket closed"));
        assertThat(shown()).isEqualTo("jsch: Caught an exception, leaving main loop due to Socket closed" + System.lineSeparator());
    }

    @Test
    void aConnectionResetByThePeerKeepsItsStackTrace() {
        logger.log(Logger.INFO, "Caught an exception, leaving main loop due to Connection reset", new SocketException("Connection reset"));
        assertThat(shown()).startsWith("jsch: Caught an exception, leaving main loop due to Connection reset")
                .contains("java.net.SocketException: Connection reset").contains("\tat " + getClass().getName());
    }

    @Test
    void otherExceptionsKeepTheirStackTrace() {
        logger.log(Logger.ERROR, "kex failed", new JSchException("Algorithm negotiation fail"));
        assertThat(shown()).startsWith("jsch: kex failed").contains("com.jcraft.jsch.JSchException: Algorithm negotiation fail")
                .contains("\tat ");
    }

    @Test
    void plainMessagesAreOneLineEach() {
        logger.log(Logger.INFO, "Disconnecting from 127.0.0.1 port 2222");
        logger.log(Logger.INFO, "no cause", null);
        assertThat(shown().lines()).containsExactly("jsch: Disconnecting from 127.0.0.1 port 2222", "jsch: no cause");
    }
}
