package org.sonicmigration.transport;

import java.io.IOException;
import java.io.OutputStream;
import java.util.zip.CRC32C;

/**
 * The sending half of {@link Compression}: gathers the stream's bytes into blocks, compresses each full
 * block (or stores it, where compression would not shrink it) onto the wire. {@link #finish()} ends the
 * compressed part; the wire then carries the handshake in plain bytes again. It counts the bytes it put
 * on the wire, to set against the stream's.
 */
public final class CompressedOutput extends OutputStream {
    private final OutputStream wire;
    private final Compression.Codec codec;
    private final byte[] block = new byte[Compression.BLOCK];
    private final byte[] packed;
    private final byte[] header = new byte[Compression.HEADER_BYTES];
    private final CRC32C crc = new CRC32C();
    private int filled;
    private long wireBytes;
    private boolean finished;

    CompressedOutput(OutputStream wire, Compression.Codec codec, byte[] magic) throws IOException {
        this.wire = wire;
        this.codec = codec;
        this.packed = new byte[codec.bound(Compression.BLOCK)];
        wire.write(magic);
        wireBytes = magic.length;
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        java.util.Objects.checkFromIndexSize(off, len, b.length);
        if (finished) {
            throw new IOException("the compressed part of the stream has ended");
        }
        while (len > 0) {
            int n = Math.min(len, block.length - filled);
            System.arraycopy(b, off, block, filled, n);
            filled += n;
            off += n;
            len -= n;
            if (filled == block.length) {
                emit();
            }
        }
    }

    /** Sends what is gathered as a (short) block and flushes the wire: the receiver gets every byte written. */
    @Override
    public void flush() throws IOException {
        if (filled > 0) {
            emit();
        }
        wire.flush();
    }

    /** Ends the compressed part (the empty block) and flushes; the wire stays open. */
    public void finish() throws IOException {
        if (finished) {
            return;
        }
        if (filled > 0) {
            emit();
        }
        header(0, 0, 0);
        wire.write(header);
        wireBytes += header.length;
        wire.flush();
        finished = true;
    }

    /** Bytes written to the wire so far: magic, block headers and blocks. */
    public long wireBytes() {
        return wireBytes;
    }

    /** Leaves the wire open: its owner closes it after the handshake. */
    @Override
    public void close() throws IOException {
        finish();
    }

    private void emit() throws IOException {
        crc.reset();
        crc.update(block, 0, filled);
        int n = codec.compress(block, filled, packed);
        boolean stored = n >= filled;
        header(filled, stored ? filled : n, (int) crc.getValue());
        wire.write(header);
        wire.write(stored ? block : packed, 0, stored ? filled : n);
        wireBytes += header.length + (stored ? filled : n);
        filled = 0;
    }

    private void header(int raw, int packedLength, int checksum) {
        le32(0, raw);
        le32(4, packedLength);
        le32(8, checksum);
    }

    private void le32(int at, int v) {
        header[at] = (byte) v;
        header[at + 1] = (byte) (v >>> 8);
        header[at + 2] = (byte) (v >>> 16);
        header[at + 3] = (byte) (v >>> 24);
    }
}
