package org.sonicmigration.migrate;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;

/**
 * A receiver across a TCP connection, spoken to with xl's handshake. A silent peer is a dead peer:
 * every read has a timeout, so the source never waits forever with its guest suspended.
 */
public final class SocketDestination implements StreamDestination {
    private final InetSocketAddress address;
    private final Duration timeout;
    private Socket socket;
    private WriteWatchdog watchdog;
    private InputStream in;
    private OutputStream out;

    public SocketDestination(InetSocketAddress address, Duration timeout) {
        this.address = address;
        this.timeout = timeout;
    }

    @Override
    public OutputStream open() throws IOException {
        socket = new Socket();
        socket.setTcpNoDelay(true);
        socket.setSoTimeout(Math.toIntExact(timeout.toMillis()));
        socket.connect(address, Math.toIntExact(timeout.toMillis()));
        in = new BufferedInputStream(socket.getInputStream());
        watchdog = new WriteWatchdog(socket, timeout);
        out = new BufferedOutputStream(watchdog.wrap(socket.getOutputStream()), 1 << 20);
        readOrTimeout(() -> XlHandshake.expect(in, XlHandshake.BANNER, "receiver's banner"));
        return out;
    }

    @Override
    public void handOver() throws IOException {
        out.flush();
        readOrTimeout(() -> XlHandshake.expect(in, XlHandshake.RECEIVED, "receiver's confirmation"));
        XlHandshake.send(out, XlHandshake.PERMISSION_TO_GO);
        int rc;
        try {
            readOrTimeout(() -> XlHandshake.expect(in, XlHandshake.REPORT, "receiver's start-up report"));
            rc = XlHandshake.readByte(in, "start-up status");
        } catch (IOException e) {
            // We already told the destination to run the guest: resuming here could run it twice.
            throw new HandoverUncertainException("lost " + describe() + " after giving it permission to start the guest: "
                    + e.getMessage() + "; the source copy stays paused — check the destination before resuming it", e);
        }
        if (rc != 0) {
            // The receiver destroys its copy, then hands the guest back to us.
            readOrTimeout(() -> XlHandshake.expect(in, XlHandshake.PERMISSION_TO_GO, "receiver's hand-back"));
            throw new XlHandshake.HandshakeException("the destination could not start the guest (status " + rc + ")");
        }
    }

    private interface Io {
        void run() throws IOException;
    }

    private void readOrTimeout(Io io) throws IOException {
        try {
            io.run();
        } catch (SocketTimeoutException e) {
            throw new XlHandshake.HandshakeException("no answer from " + describe() + " within " + timeout.toSeconds() + " s");
        }
    }

    @Override
    public void checkPeer() throws IOException {
        // The receiver says nothing until the stream ends; anything earlier is a refusal.
        if (in != null && in.available() > 0) {
            XlHandshake.expect(in, XlHandshake.RECEIVED, "end of the stream");
            throw new XlHandshake.HandshakeException("the receiver confirmed a stream that was not finished");
        }
    }

    @Override
    public java.util.Optional<String> peerError() {
        if (watchdog != null && watchdog.fired()) {
            return java.util.Optional.of("peer refused: it stopped reading for " + timeout.toSeconds() + " s");
        }
        if (in == null) {
            return java.util.Optional.empty();
        }
        try {
            socket.setSoTimeout(2000);
            XlHandshake.expect(in, XlHandshake.RECEIVED, "receiver's confirmation");
            return java.util.Optional.empty();
        } catch (IOException e) {
            return java.util.Optional.of(e.getMessage());
        }
    }

    @Override
    public String describe() {
        return "tcp://" + address.getHostString() + ":" + address.getPort();
    }

    @Override
    public void close() throws IOException {
        if (watchdog != null) {
            watchdog.close();
        }
        if (socket != null) {
            socket.close();
        }
    }
}
