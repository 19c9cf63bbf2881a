package org.sonicmigration.transport;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The fixed messages {@code xl migrate} and {@code xl migrate-receive} exchange around the stream, so
 * that either end can be stock Xen. The receiver's banner is sent without its terminating NUL; the
 * other three messages include it. After a refused stream our receiver appends a line of text with
 * the reason, which a stock sender treats as a failed handshake like any other.
 */
public final class XlHandshake {
    public static final byte[] BANNER = "xl migration receiver ready, send binary domain data.\n".getBytes(StandardCharsets.US_ASCII);
    public static final byte[] RECEIVED = withNul("domain received, ready to unpause");
    public static final byte[] PERMISSION_TO_GO = withNul("domain is yours, you are cleared to unpause");
    public static final byte[] REPORT = withNul("my copy unpause results are as follows");
    static final String ERROR_PREFIX = "sonic receiver error: ";
    private static final int MAX_ERROR_TEXT = 4096;

    private XlHandshake() {}

    private static byte[] withNul(String s) {
        return Arrays.copyOf(s.getBytes(StandardCharsets.US_ASCII), s.length() + 1);
    }

    public static void send(OutputStream out, byte[] message) throws IOException {
        out.write(message);
        out.flush();
    }

    /**
     * Reads one expected message.
     *
     * @throws PeerRefusedException with the peer's error text, if it sent one instead
     * @throws HandshakeException    naming what came instead: an early end, or garbage
     */
    public static void expect(InputStream in, byte[] message, String what) throws IOException {
        byte[] got = new byte[message.length];
        int n = 0;
        while (n < got.length) {
            int r = in.read(got, n, got.length - n);
            if (r < 0) {
                throw new HandshakeException("peer closed the connection while we waited for the " + what
                        + (n == 0 ? "" : " (after " + n + " bytes: " + printable(got, n) + ")"));
            }
            n += r;
        }
        if (Arrays.equals(got, message)) {
            return;
        }
        String head = new String(got, StandardCharsets.US_ASCII);
        if (head.startsWith(ERROR_PREFIX) || ERROR_PREFIX.startsWith(head)) {
            throw new PeerRefusedException(readErrorText(got, in));
        }
        throw new HandshakeException("expected the " + what + " but the peer sent '" + printable(got, n) + "'");
    }

    public static void sendError(OutputStream out, String message) throws IOException {
        String oneLine = message.replace('\n', ' ');
        if (oneLine.length() > MAX_ERROR_TEXT - ERROR_PREFIX.length() - 1) {
            oneLine = oneLine.substring(0, MAX_ERROR_TEXT - ERROR_PREFIX.length() - 1);
        }
        out.write((ERROR_PREFIX + oneLine + "\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    public static int readByte(InputStream in, String what) throws IOException {
        int b = in.read();
        if (b < 0) {
            throw new EOFException("peer closed the connection before sending the " + what);
        }
        return b;
    }

    private static String readErrorText(byte[] start, InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder(new String(start, StandardCharsets.UTF_8));
        int c;
        while (sb.length() < MAX_ERROR_TEXT && sb.indexOf("\n") < 0 && (c = in.read()) >= 0) {
            sb.append((char) c);
        }
        String text = sb.toString();
        int nl = text.indexOf('\n');
        if (nl >= 0) {
            text = text.substring(0, nl);
        }
        return text.startsWith(ERROR_PREFIX) ? text.substring(ERROR_PREFIX.length()) : text;
    }

    private static String printable(byte[] b, int n) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n && i < 80; i++) {
            int c = b[i] & 0xff;
            sb.append(c >= 32 && c < 127 ? (char) c : '.');
        }
        return sb.toString();
    }

    /** The other end broke the handshake; the message says how. A refusal with a reason is its own type. */
    public static sealed class HandshakeException extends IOException permits PeerRefusedException {
        private static final long serialVersionUID = 1L;

        public HandshakeException(String message) {
            super(message);
        }

        HandshakeException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
