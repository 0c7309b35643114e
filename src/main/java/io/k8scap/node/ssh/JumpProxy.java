package io.k8scap.node.ssh;

import com.jcraft.jsch.Channel;
import com.jcraft.jsch.Proxy;
import com.jcraft.jsch.Session;
import com.jcraft.jsch.SocketFactory;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;

/** Carries an SSH connection through a direct-tcpip channel of an already open session (a bastion), like ProxyJump. */
final class JumpProxy implements Proxy {
    private final Session via;
    private Channel channel;
    private InputStream in;
    private OutputStream out;

    JumpProxy(Session via) {
        this.via = via;
    }

    @Override
    public void connect(SocketFactory socketFactory, String host, int port, int timeout) throws Exception {
        channel = via.getStreamForwarder(host, port);
        channel.setLocalWindowSizeMax(SshConnector.CHANNEL_WINDOW);
        channel.setLocalPacketSize(SshConnector.CHANNEL_PACKET);
        in = channel.getInputStream();
        out = channel.getOutputStream();
        channel.connect(timeout);
    }

    @Override
    public InputStream getInputStream() {
        return in;
    }

    @Override
    public OutputStream getOutputStream() {
        return out;
    }

    @Override
    public Socket getSocket() {
        return null;
    }

    @Override
    public void close() {
        if (channel != null) {
            channel.disconnect();
        }
    }
}
