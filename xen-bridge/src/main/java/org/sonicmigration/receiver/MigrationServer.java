package org.sonicmigration.receiver;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;

/**
 * Receives one migration over TCP: accepts one connection and runs an {@link XlReceiveSession} on it
 * (xl's handshake, the guest started only after the source let go).
 */
public final class MigrationServer implements AutoCloseable {
    /** How a received migration ended on this side. */
    public record Result(ReceiveResult received, boolean started, String error) {}

    private final ServerSocket server;
    private final Duration timeout;

    public MigrationServer(InetSocketAddress bind, Duration timeout) throws IOException {
        this.server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(bind, 1);
        this.timeout = timeout;
    }

    /** The port actually bound (useful with port 0). */
    public int port() {
        return server.getLocalPort();
    }

    /**
     * Accepts one connection and receives one domain into {@code receiver}'s hypervisor.
     *
     * @param acceptTimeout how long to wait for the source to connect
     */
    public Result receiveOne(Receiver receiver, Duration acceptTimeout) throws IOException {
        server.setSoTimeout(Math.toIntExact(acceptTimeout.toMillis()));
        Socket socket;
        try {
            socket = server.accept();
        } catch (SocketTimeoutException e) {
            throw new IOException("no source connected within " + acceptTimeout.toSeconds() + " s");
        }
        try (socket) {
            socket.setSoTimeout(Math.toIntExact(timeout.toMillis()));
            socket.setTcpNoDelay(true);
            InputStream in = new BufferedInputStream(socket.getInputStream(), 1 << 20);
            OutputStream out = new BufferedOutputStream(socket.getOutputStream());
            return new XlReceiveSession(in, out, new XlReceiveSession.Link() {
                @Override
                public void shutdownOutput() throws IOException {
                    socket.shutdownOutput();
                }

                @Override
                public void drainTimeout(int millis) throws IOException {
                    socket.setSoTimeout(millis);
                }
            }, timeout).receive(receiver, false);
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
