package org.sonicmigration.receiver;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sonicmigration.spi.TargetDomain;
import org.sonicmigration.spi.ThreadDeaths;
import org.sonicmigration.stream.StreamFormatException;
import org.sonicmigration.transport.XlHandshake;

/**
 * One migration received over a connected pair of streams — a TCP connection, or standard input and
 * output as {@code xl migrate-receive} has them — speaking xl's handshake: banner, stream, "received",
 * permission to go, start-up report. It starts the new domain only after the source has given up its
 * copy; on any failure it destroys what it built and tells the source why, so the source can resume.
 */
public final class XlReceiveSession {
    private static final Logger log = LoggerFactory.getLogger(XlReceiveSession.class);
    private static final long DRAIN_NANOS = 2_000_000_000L;

    /** What the session needs of its connection beyond the two streams, to refuse a stream politely. */
    public interface Link {
        /** Ends our direction, so the source sees the reason and then the end. */
        void shutdownOutput() throws IOException;

        /** Bounds each read while what the source still sends is drained (a no-op where reads cannot time out). */
        void drainTimeout(int millis) throws IOException;
    }

    private final InputStream in;
    private final OutputStream out;
    private final Link link;
    private final Duration timeout;

    /**
     * @param timeout how long the source may stay silent mid-stream (where the link can time reads out)
     */
    public XlReceiveSession(InputStream in, OutputStream out, Link link, Duration timeout) {
        this.in = in;
        this.out = out;
        this.link = link;
        this.timeout = timeout;
    }

    /**
     * Receives one domain into {@code receiver}'s hypervisor.
     *
     * @param startPaused leave the domain paused once the source let go ({@code xl migrate -p})
     */
    public MigrationServer.Result receive(Receiver receiver, boolean startPaused) throws IOException {
        XlHandshake.send(out, XlHandshake.BANNER);
        ReceiveResult received;
        try {
            received = receiver.receive(in);
        } catch (StreamFormatException | ReceiveException e) {
            refuse(e.getMessage());
            return new MigrationServer.Result(null, false, e.getMessage());
        } catch (SocketTimeoutException e) {
            String m = "the source went silent for " + timeout.toSeconds() + " s in the middle of the stream";
            refuse(m);
            return new MigrationServer.Result(null, false, m);
        } catch (IOException e) {
            return new MigrationServer.Result(null, false, "connection lost during the stream: " + e.getMessage());
        } catch (Error e) {
            // What was built is gone (the receiver discards it), which frees what an out-of-memory took: the
            // source hears the true cause instead of a closed connection, and this side reports it too.
            ThreadDeaths.record(e);
            String m = ThreadDeaths.describe(Thread.currentThread().getName(), e);
            log.debug("receiving failed", e);
            refuse(m);
            return new MigrationServer.Result(null, false, m);
        }
        return handOver(receiver, received, startPaused);
    }

    private MigrationServer.Result handOver(Receiver receiver, ReceiveResult received, boolean startPaused) {
        TargetDomain domain = received.domain();
        try {
            XlHandshake.send(out, XlHandshake.RECEIVED);
            XlHandshake.expect(in, XlHandshake.PERMISSION_TO_GO, "source's permission to start");
        } catch (IOException e) {
            // Without permission the source still owns the guest: ours must go.
            discard(domain);
            return new MigrationServer.Result(received, false, "source withdrew before handover: " + e.getMessage());
        }
        String error = "";
        int status = 0;
        try {
            receiver.takeOver(received);
        } catch (RuntimeException e) {
            error = "could not replace the existing domain: " + e.getMessage();
            status = 1;
        }
        if (status == 0 && !startPaused) {
            try {
                domain.unpause();
            } catch (RuntimeException e) {
                error = "could not start the received guest: " + e.getMessage();
                status = 1;
            }
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
        return new MigrationServer.Result(received, status == 0, error);
    }

    /**
     * Tells the source why, then drains what it is still sending for a moment: closing a socket with
     * unread data resets it, and the reset would destroy the reason before the source reads it.
     */
    private void refuse(String message) {
        try {
            XlHandshake.sendError(out, message);
            link.shutdownOutput();
            link.drainTimeout(200);
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
}
