package org.sonicmigration.transport;

import java.io.IOException;
import java.io.InputStream;
import java.util.zip.CRC32C;

/**
 * The receiving half of {@link Compression}: reads the compressed part of a stream block by block, with
 * exact reads only (whatever follows it on the wire is left there), checks every block's sizes against
 * the limits before it reads the block and its CRC-32C after it restores it, and ends after the empty
 * block. Anything else is a {@link CompressedStreamException} naming the offset.
 */
final class DecompressingInput extends InputStream {
    private final InputStream wire;
    private final Compression.Codec codec;
    private final Compression compression;
    private final byte[] raw = new byte[Compression.BLOCK];
    private final byte[] packed;
    private final byte[] header = new byte[Compression.HEADER_BYTES];
    private final CRC32C crc = new CRC32C();
    private int pos;
    private int end;
    private long offset;
    private boolean started;
    private boolean ended;

    DecompressingInput(InputStream wire, Compression.Codec codec, Compression compression) {
        this.wire = wire;
        this.codec = codec;
        this.compression = compression;
        this.packed = new byte[codec.bound(Compression.BLOCK)];
    }

    @Override
    public int read() throws IOException {
        if (pos == end && !next()) {
            return -1;
        }
        return raw[pos++] & 0xFF;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        java.util.Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) {
            return 0;
        }
        if (pos == end && !next()) {
            return -1;
        }
        int n = Math.min(len, end - pos);
        System.arraycopy(raw, pos, b, off, n);
        pos += n;
        return n;
    }

    @Override
    public int available() {
        return end - pos;
    }

    /** Reads the next block; false after the empty one. */
    private boolean next() throws IOException {
        if (ended) {
            return false;
        }
        if (!started) {
            byte[] magic = compression.magic();
            byte[] first = exact(new byte[magic.length], magic.length, "its magic");
            if (!java.util.Arrays.equals(first, magic)) {
                throw error(0, "it does not start with the " + compression.cliName() + " magic");
            }
            started = true;
        }
        long at = offset;
        exact(header, header.length, "a block header");
        int rawLength = le32(0);
        int packedLength = le32(4);
        int checksum = le32(8);
        if (rawLength == 0) {
            if (packedLength != 0 || checksum != 0) {
                throw error(at, "the end block is not empty");
            }
            ended = true;
            return false;
        }
        if (rawLength < 0 || rawLength > Compression.BLOCK) {
            throw error(at, "a block claims " + Integer.toUnsignedString(rawLength) + " bytes (at most "
                    + Compression.BLOCK + ")");
        }
        if (packedLength <= 0 || packedLength > rawLength) {
            throw error(at, "a block of " + rawLength + " bytes claims " + Integer.toUnsignedString(packedLength)
                    + " compressed (1 to " + rawLength + ")");
        }
        if (packedLength == rawLength) {
            exact(raw, rawLength, "a stored block");
        } else {
            exact(packed, packedLength, "a compressed block");
            long restored;
            try {
                restored = codec.decompress(packed, packedLength, raw, rawLength);
            } catch (CompressedStreamException e) {
                throw error(at, e.getMessage());
            }
            if (restored != rawLength) {
                throw error(at, "a block restores to " + restored + " bytes, its header says " + rawLength);
            }
        }
        crc.reset();
        crc.update(raw, 0, rawLength);
        if ((int) crc.getValue() != checksum) {
            throw error(at, "a block's checksum does not match its bytes (corrupted on the way)");
        }
        pos = 0;
        end = rawLength;
        return true;
    }

    private byte[] exact(byte[] into, int len, String what) throws IOException {
        int n = wire.readNBytes(into, 0, len);
        offset += n;
        if (n < len) {
            throw error(offset, "it ends inside " + what);
        }
        return into;
    }

    private CompressedStreamException error(long at, String what) {
        return new CompressedStreamException(compression.cliName() + "-compressed stream at offset " + at + ": " + what);
    }

    private int le32(int at) {
        return (header[at] & 0xFF) | (header[at + 1] & 0xFF) << 8 | (header[at + 2] & 0xFF) << 16
                | (header[at + 3] & 0xFF) << 24;
    }
}
