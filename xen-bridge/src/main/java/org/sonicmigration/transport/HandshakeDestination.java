package org.sonicmigration.transport;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.nio.channels.GatheringByteChannel;
import java.time.Duration;
import java.util.Optional;

/**
 * The sending side of xl's migration handshake over one byte channel — a TCP connection or a receiver
 * process's pipes: wait for the banner, send the stream, wait for the confirmation, give permission to
 * start, read the start-up report. Subclasses open the channel; a {@link StallWatchdog} with the same
 * timeout guards it, so a silent peer is a dead peer and the source never waits forever with its guest
 * suspended. The stream may go compressed ({@link Compression}); the handshake's messages never are.
 */
abstract sealed class HandshakeDestination implements StreamDestination permits SocketDestination, ProcessDestination {
    final Duration timeout;
    private InputStream in;
    private OutputStream out;
    private StallWatchdog watchdog;
    private Compression compression = Compression.NONE;
    private CompressedOutput compressed;

    HandshakeDestination(Duration timeout) {
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive, got " + timeout);
        }
        this.timeout = timeout;
    }

    /**
     * The two directions of an opened channel; {@code onStall} ends it so that blocked calls return;
     * {@code gathering}, when not null, is {@code out} as a channel, which page data is written to directly.
     */
    record Channel(InputStream in, OutputStream out, AutoCloseable onStall, boolean guardReads,
                   GatheringByteChannel gathering) {
        Channel(InputStream in, OutputStream out, AutoCloseable onStall, boolean guardReads) {
            this(in, out, onStall, guardReads, null);
        }
    }

    /**
     * Sends the stream compressed with {@code c} (a receiver must have been started to take it); before
     * {@link #open()}.
     */
    public final void compress(Compression c) {
        if (in != null) {
            throw new IllegalStateException("the stream has started");
        }
        compression = java.util.Objects.requireNonNull(c, "c");
    }

    /** Bytes put on the wire for the stream, where that differs from the stream's (compressed): empty otherwise. */
    public final java.util.OptionalLong wireBytes() {
        return compressed == null ? java.util.OptionalLong.empty() : java.util.OptionalLong.of(compressed.wireBytes());
    }

    /** Opens the channel to the receiver (connect, start the process). */
    abstract Channel connect() throws IOException;

    @Override
    public final OutputStream open() throws IOException {
        Channel c = connect();
        watchdog = new StallWatchdog(c.onStall(), timeout);
        in = new java.io.BufferedInputStream(c.guardReads() ? watchdog.wrap(c.in()) : c.in());
        out = c.gathering() != null ? new ChannelOutputStream(c.gathering(), watchdog)
                : new java.io.BufferedOutputStream(watchdog.wrap(c.out()), 1 << 20);
        expect(XlHandshake.BANNER, "receiver's banner");
        if (compression != Compression.NONE) {
            compressed = compression.compressing(out);
            return compressed;
        }
        return out;
    }

    @Override
    public final void handOver() throws IOException {
        handOver(() -> {});
    }

    @Override
    public final void handOver(Runnable beforeStart) throws IOException {
        if (compressed != null) {
            compressed.finish();
        }
        out.flush();
        expect(XlHandshake.RECEIVED, "receiver's confirmation");
        // From here the receiver may start the guest: the source gives up what the copy needs (its name).
        beforeStart.run();
        // From the first byte of "go" on, the receiver may start the guest: every failure after this
        // point is xl's "failed badly", where neither copy may be resumed or destroyed without a look.
        int rc;
        try {
            XlHandshake.send(out, XlHandshake.PERMISSION_TO_GO);
            expect(XlHandshake.REPORT, "receiver's start-up report");
            rc = XlHandshake.readByte(in, "start-up status");
        } catch (IOException e) {
            throw new HandoverUncertainException("lost " + describe() + " after giving it permission to start the"
                    + " guest: " + e.getMessage(), e);
        }
        if (rc != 0) {
            // The receiver destroys its copy, then hands the guest back to us; without the hand-back we
            // cannot know that its copy is gone.
            try {
                expect(XlHandshake.PERMISSION_TO_GO, "receiver's hand-back");
            } catch (IOException e) {
                throw new HandoverUncertainException(describe() + " reported that it could not start the guest"
                        + " (status " + rc + ") but did not hand it back: " + e.getMessage(), e);
            }
            throw new XlHandshake.HandshakeException("the destination could not start the guest (status " + rc
                    + ") and handed it back");
        }
    }

    /** Reads one expected message; a read that outlasts the timeout becomes "no answer". */
    final void expect(byte[] message, String what) throws IOException {
        try {
            XlHandshake.expect(in, message, what);
        } catch (SocketTimeoutException e) {
            throw noAnswer();
        } catch (IOException e) {
            if (stalled()) {
                throw noAnswer();
            }
            throw explain(e);
        }
    }

    /** A channel failure with what the subclass knows about why (e.g. the receiver's exit status). */
    IOException explain(IOException e) {
        return e;
    }

    private XlHandshake.HandshakeException noAnswer() {
        return new XlHandshake.HandshakeException("no answer from " + describe() + " within " + timeout.toSeconds() + " s");
    }

    /** True once the watchdog ended the channel because a read or write hung. */
    final boolean stalled() {
        return watchdog != null && watchdog.fired();
    }

    final boolean opened() {
        return in != null;
    }

    final InputStream input() {
        return in;
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
    public Optional<PeerRefusedException> refusal() {
        if (stalled()) {
            return Optional.of(new PeerRefusedException("it stopped reading for " + timeout.toSeconds() + " s"));
        }
        return Optional.empty();
    }

    /** Stops the watchdog; subclasses then close their channel. */
    void closeWatchdog() {
        if (watchdog != null) {
            watchdog.close();
        }
    }
}
