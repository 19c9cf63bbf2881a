package org.sonicmigration.receiver;

import org.sonicmigration.transport.XlHandshake;
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
import org.sonicmigration.spi.TargetDomain;
import org.sonicmigration.stream.StreamFormatException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Receives one migration over TCP, speaking xl's handshake: banner, stream, "received", permission
 * to go, start-up report. It unpauses the new domain only after the source has given up its copy; on
 * any failure it destroys what it built and tells the source why, so the source can resume.
 */
public final class MigrationServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(MigrationServer.class);
    private static final long DRAIN_NANOS = 2_000_000_000L;

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
            XlHandshake.send(out, XlHandshake.BANNER);
            ReceiveResult received;
            try {
                received = receiver.receive(in);
            } catch (StreamFormatException | ReceiveException e) {
                refuse(socket, in, out, e.getMessage());
                return new Result(null, false, e.getMessage());
            } catch (SocketTimeoutException e) {
                String m = "the source went silent for " + timeout.toSeconds() + " s in the middle of the stream";
                refuse(socket, in, out, m);
                return new Result(null, false, m);
            } catch (IOException e) {
                return new Result(null, false, "connection lost during the stream: " + e.getMessage());
            }
            return handOver(received, in, out);
        }
    }

    private Result handOver(ReceiveResult received, InputStream in, OutputStream out) {
        TargetDomain domain = received.domain();
        try {
            XlHandshake.send(out, XlHandshake.RECEIVED);
            XlHandshake.expect(in, XlHandshake.PERMISSION_TO_GO, "source's permission to start");
        } catch (IOException e) {
            // Without permission the source still owns the guest: ours must go.
            discard(domain);
            return new Result(received, false, "source withdrew before handover: " + e.getMessage());
        }
        String error = "";
        int status = 0;
        try {
            domain.unpause();
        } catch (RuntimeException e) {
            error = "could not start the received guest: " + e.getMessage();
            status = 1;
        }
        try {
            XlHandshake.send(out, XlHandshake.REPORT);
            out.write(status);
            out.flush();
            if (status != 0) {
                discard(domain);
                XlHandshake.send(out, XlHandshake.PERMISSION_TO_GO);
            }
        } catch (IOException e) {
            log.warn("could not report start-up to the source: {}", e.getMessage());
        }
        return new Result(received, status == 0, error);
    }

    /**
     * Tells the source why, then drains what it is still sending for a moment: closing a socket with
     * unread data resets it, and the reset would destroy the reason before the source reads it.
     */
    private static void refuse(Socket socket, InputStream in, OutputStream out, String message) {
        try {
            XlHandshake.sendError(out, message);
            socket.shutdownOutput();
            socket.setSoTimeout(200);
            long deadline = System.nanoTime() + DRAIN_NANOS;
            byte[] sink = new byte[1 << 16];
            while (System.nanoTime() < deadline && in.read(sink) >= 0) {
                // discard
            }
        } catch (IOException e) {
            log.debug("could not tell the source why the stream was refused", e);
        }
    }

    private static void discard(TargetDomain domain) {
        try {
            domain.destroy();
        } finally {
            domain.close();
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
