package org.sonicmigration.transport;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Optional;
import javax.net.ssl.SSLException;

/**
 * A receiver across a TCP connection, spoken to with xl's handshake, in plaintext or over mutually
 * authenticated TLS ({@link LinkSecurity}). A silent peer is a dead peer: every read has a socket timeout
 * and a stuck write closes the socket, so the source never waits forever with its guest suspended.
 */
public final class SocketDestination extends HandshakeDestination {
    private final InetSocketAddress address;
    private final LinkSecurity security;
    private Socket socket;

    public SocketDestination(InetSocketAddress address, Duration timeout) {
        this(address, timeout, LinkSecurity.PLAINTEXT);
    }

    public SocketDestination(InetSocketAddress address, Duration timeout, LinkSecurity security) {
        super(timeout);
        this.address = address;
        this.security = security;
    }

    @Override
    Channel connect() throws IOException {
        // A channel's socket: page data can then go from a direct buffer to the kernel without a heap copy.
        SocketChannel channel = SocketChannel.open();
        socket = channel.socket();
        socket.setTcpNoDelay(true);
        socket.setSoTimeout(Math.toIntExact(timeout.toMillis()));
        socket.connect(address, Math.toIntExact(timeout.toMillis()));
        try {
            socket = security.client(socket, address);
        } catch (IOException e) {
            socket.close();
            throw e;
        }
        // Reads time out by themselves (SO_TIMEOUT); only writes need the watchdog. Over TLS every byte must go
        // through the TLS socket: writing page data to the raw channel would put it on the wire in clear.
        return new Channel(socket.getInputStream(), socket.getOutputStream(), socket, false,
                security.authenticated() ? null : channel);
    }

    @Override
    public Optional<PeerRefusedException> refusal() {
        Optional<PeerRefusedException> stall = super.refusal();
        if (stall.isPresent() || !opened()) {
            return stall;
        }
        // A receiver that refuses the stream writes its reason and stops reading; the reason waits here.
        try {
            socket.setSoTimeout(2000);
            XlHandshake.expect(input(), XlHandshake.RECEIVED, "receiver's confirmation");
            return Optional.empty();
        } catch (PeerRefusedException e) {
            return Optional.of(e);
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    @Override
    IOException explain(IOException e) {
        // With TLS 1.3 the receiver judges our certificate after our side of the handshake is done, so its
        // refusal arrives as an alert on the first read.
        if (e instanceof SSLException ssl) {
            return new XlHandshake.HandshakeException(describe() + ": " + TlsFailure.clientReason(ssl), e);
        }
        return e;
    }

    @Override
    public String describe() {
        return (security.authenticated() ? "tls://" : "tcp://") + address.getHostString() + ":" + address.getPort();
    }

    @Override
    public void close() throws IOException {
        closeWatchdog();
        if (socket != null) {
            socket.close();
        }
    }
}
