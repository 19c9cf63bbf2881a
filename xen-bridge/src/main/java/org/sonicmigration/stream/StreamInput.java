package org.sonicmigration.stream;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.util.Arrays;

/**
 * Exact reads from the underlying stream with a running byte offset. It never reads ahead, so the
 * caller can go on using the stream (e.g. for xl's migration handshake) once the migration stream
 * ends, and it turns a short read into a {@link StreamFormatException} naming where the data ran out.
 * When the stream is also a channel (a socket's, with its own buffer), page data can be read from it
 * straight into a direct buffer.
 */
final class StreamInput {

    private static final int GROWTH_CHUNK = 1 << 16;

    private final InputStream in;
    private final ReadableByteChannel channel;
    private long offset;
    private byte[] scratch;

    StreamInput(InputStream in) {
        this.in = in;
        this.channel = in instanceof ReadableByteChannel c ? c : null;
    }

    /** True if {@link #readFully(ByteBuffer, String, Integer)} reads from a channel without a heap copy. */
    boolean direct() {
        return channel != null;
    }

    /** Fills {@code dst} from its position to its limit, from the channel (see {@link #direct()}). */
    void readFully(ByteBuffer dst, String where, Integer recordType) throws IOException, StreamFormatException {
        while (dst.hasRemaining()) {
            int n = channel.read(dst);
            if (n < 0) {
                throw truncated(where, recordType);
            }
            offset += n;
        }
    }

    long offset() {
        return offset;
    }

    /** Reads exactly {@code len} bytes; {@code where} completes "stream truncated at offset N inside …". */
    void readFully(byte[] b, int off, int len, String where, Integer recordType)
            throws IOException, StreamFormatException {
        int n = in.readNBytes(b, off, len);
        offset += n;
        if (n < len) {
            throw truncated(where, recordType);
        }
    }

    /**
     * Reads a body of {@code len} bytes (already checked against the limits), growing the array as data
     * actually arrives so that a lying length on a short stream costs no more memory than the data.
     */
    byte[] readBody(int len, String where, Integer recordType) throws IOException, StreamFormatException {
        byte[] b = new byte[Math.min(len, GROWTH_CHUNK)];
        int have = 0;
        while (have < len) {
            if (have == b.length) {
                b = Arrays.copyOf(b, (int) Math.min(len, 2L * b.length));
            }
            int n = in.readNBytes(b, have, b.length - have);
            have += n;
            offset += n;
            if (n == 0) {
                throw truncated(where, recordType);
            }
        }
        return b;
    }

    /** Skips {@code len} bytes by reading them, so that the end of the stream is detected. */
    void skip(long len, String where, Integer recordType) throws IOException, StreamFormatException {
        if (scratch == null) {
            scratch = new byte[GROWTH_CHUNK];
        }
        while (len > 0) {
            int want = (int) Math.min(len, scratch.length);
            int n = in.readNBytes(scratch, 0, want);
            offset += n;
            len -= n;
            if (n < want) {
                throw truncated(where, recordType);
            }
        }
    }

    /** Reads the zero padding after a body of {@code bodyLength} bytes. */
    void padding(int bodyLength, String what, long recordOffset, int recordType)
            throws IOException, StreamFormatException {
        int pad = Bytes.padding(bodyLength);
        if (pad == 0) {
            return;
        }
        byte[] b = new byte[8];
        readFully(b, 0, pad, what + " padding", recordType);
        for (int i = 0; i < pad; i++) {
            if (b[i] != 0) {
                throw new StreamFormatException(what + " at offset " + recordOffset + ": non-zero padding byte at offset "
                        + (offset - pad + i), recordOffset, recordType);
            }
        }
    }

    private StreamFormatException truncated(String where, Integer recordType) {
        return new StreamFormatException("stream truncated at offset " + offset + " inside " + where, offset, recordType);
    }
}
