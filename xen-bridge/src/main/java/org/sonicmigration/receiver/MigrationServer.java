package org.sonicmigration.receiver;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sonicmigration.transport.ChannelInputStream;
import org.sonicmigration.transport.LinkSecurity;

/**
 * Receives one migration over TCP: accepts connections until one is a source it takes (with TLS: one
 * whose certificate its truststore vouches for) and runs an {@link XlReceiveSession} on it (xl's
 * handshake, the guest started only after the source let go). A peer it refuses is told why and
 * costs nothing but a log line: the real source can still connect.
 */
public final class MigrationServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(MigrationServer.class);

    /** How a received migration ended on this side. */
    public record Result(ReceiveResult received, boolean started, String error) {}

    private final ServerSocket server;
    private final Duration timeout;
    private final LinkSecurity security;

    public MigrationServer(InetSocketAddress bind, Duration timeout) throws IOException {
        this(bind, timeout, LinkSecurity.PLAINTEXT);
    }

    public MigrationServer(InetSocketAddress bind, Duration timeout, LinkSecurity security) throws IOException {
        // A channel's server socket: its connections have channels, which page data is read from directly. An
        // IPv4 address gets an IPv4 channel: a dual-stack one would listen (and say it listens) on "::".
        this.server = (bind.getAddress() instanceof Inet4Address ? ServerSocketChannel.open(StandardProtocolFamily.INET)
                : ServerSocketChannel.open()).socket();
        server.setReuseAddress(true);
        server.bind(bind, 1);
        this.timeout = timeout;
        this.security = security;
    }

    /** The address actually bound, with the port (useful with port 0). */
    public InetSocketAddress address() {
        return (InetSocketAddress) server.getLocalSocketAddress();
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
        Socket socket = accept(acceptTimeout);
        try (socket) {
            // Plaintext: read the socket's channel (pages land in a direct buffer). TLS: the TLS socket's stream,
            // which decrypts into the heap anyway; a layered TLS socket still names the raw channel, whose
            // bytes are ciphertext.
            SocketChannel channel = security.authenticated() ? null : socket.getChannel();
            ChannelInputStream direct = channel != null ? new ChannelInputStream(channel, timeout) : null;
            InputStream in = direct != null ? direct : new BufferedInputStream(socket.getInputStream(), 1 << 20);
            OutputStream out = new BufferedOutputStream(socket.getOutputStream());
            try {
                return new XlReceiveSession(in, out, new XlReceiveSession.Link() {
                    @Override
                    public void shutdownOutput() throws IOException {
                        socket.shutdownOutput();
                    }

                    @Override
                    public void drainTimeout(int millis) throws IOException {
                        if (direct != null) {
                            direct.timeout(millis);
                        } else {
                            socket.setSoTimeout(millis);
                        }
                    }
                }, timeout).receive(receiver, false);
            } finally {
                if (direct != null) {
                    direct.close();
                }
            }
        }
    }

    /** The first connection this receiver takes; refused ones are logged and the wait goes on. */
    private Socket accept(Duration acceptTimeout) throws IOException {
        long deadline = System.nanoTime() + acceptTimeout.toNanos();
        String refused = "";
        while (true) {
            long left = Math.max(1, (deadline - System.nanoTime()) / 1_000_000);
            if (deadline - System.nanoTime() <= 0) {
                throw new IOException("no source connected within " + acceptTimeout.toSeconds() + " s" + refused);
            }
            server.setSoTimeout(Math.toIntExact(Math.min(left, Integer.MAX_VALUE)));
            Socket raw;
            try {
                raw = server.accept();
            } catch (SocketTimeoutException e) {
                continue;
            }
            try {
                raw.setSoTimeout(Math.toIntExact(timeout.toMillis()));
                raw.setTcpNoDelay(true);
                return security.server(raw);
            } catch (LinkSecurity.RefusedPeerException e) {
                log.warn("{}", e.getMessage());
                refused = " (last refused: " + e.getMessage() + ")";
            } catch (IOException e) {
                raw.close();
                log.warn("lost a connecting peer before the handshake: {}", e.getMessage());
            }
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
