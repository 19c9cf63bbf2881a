package org.sonicmigration.transport;

import com.github.luben.zstd.Zstd;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.lz4.LZ4Exception;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4SafeDecompressor;

/**
 * How a sonic-to-sonic migration stream is compressed on the wire: not at all, with LZ4 (lz4-java) or with
 * Zstandard (zstd-jni, level 1). A compressed stream is an 8-byte magic naming the algorithm, then blocks
 * of at most {@link #BLOCK} stream bytes, each compressed on its own (or stored, where compression would
 * not shrink it) under a header of its sizes and the CRC-32C of its bytes, then an empty block. The
 * blocks let a receiver know exactly where the compressed part ends, so xl's handshake goes on in plain
 * bytes after it on the same connection, and let it refuse a lying size before it allocates anything.
 */
public enum Compression {
    /** The stream as it is. */
    NONE(null),
    /** LZ4, lz4-java's fastest compressor. */
    LZ4("SonicLZ4"),
    /** Zstandard at level 1, its fastest. */
    ZSTD("SonicZST");

    /** Stream bytes per block at most. */
    public static final int BLOCK = 1 << 20;
    /** Magic, then per block: raw length, compressed length, CRC-32C of the raw bytes (little-endian u32 each). */
    static final int MAGIC_BYTES = 8;
    static final int HEADER_BYTES = 12;
    private static final int ZSTD_LEVEL = 1;

    private final byte[] magic;

    Compression(String magic) {
        this.magic = magic == null ? null : magic.getBytes(StandardCharsets.US_ASCII);
    }

    /** The name on the command line: {@code none}, {@code lz4}, {@code zstd}. */
    public String cliName() {
        return this == ZSTD ? "zstd" : name().toLowerCase(Locale.ROOT);
    }

    /** {@code lz4} or {@code zstd} (or {@code none}), as on the command line. */
    public static Compression parse(String name) {
        for (Compression c : values()) {
            if (c.cliName().equals(name)) {
                return c;
            }
        }
        throw new IllegalArgumentException("unknown compression '" + name + "' (use lz4 or zstd)");
    }

    byte[] magic() {
        return magic.clone();
    }

    /**
     * The compression a stream starts with, looked at without consuming it ({@code in} must support mark and
     * reset); {@link #NONE} if it starts with anything else.
     */
    public static Compression sniff(InputStream in) throws IOException {
        in.mark(MAGIC_BYTES);
        byte[] first = in.readNBytes(MAGIC_BYTES);
        in.reset();
        for (Compression c : values()) {
            if (c.magic != null && Arrays.equals(first, c.magic)) {
                return c;
            }
        }
        return NONE;
    }

    /**
     * A stream that compresses what is written to it onto {@code wire}; {@link CompressedOutput#finish()} ends the
     * compressed part and leaves {@code wire} open for the handshake.
     */
    public CompressedOutput compressing(OutputStream wire) throws IOException {
        if (this == NONE) {
            throw new IllegalStateException("no compression to apply");
        }
        return new CompressedOutput(wire, codec(), magic);
    }

    /**
     * The stream's bytes from a compressed part of {@code wire} that starts at its magic; it ends (reads -1)
     * after the empty block, and reads nothing of {@code wire} beyond it.
     *
     * @throws CompressedStreamException (from reads) for anything but a well-formed compressed part
     */
    public InputStream decompressing(InputStream wire) {
        if (this == NONE) {
            throw new IllegalStateException("no compression to undo");
        }
        return new DecompressingInput(wire, codec(), this);
    }

    private Codec codec() {
        return this == LZ4 ? new Lz4() : new Zstandard();
    }

    /** One block compressed or restored; implementations hold the library's state. */
    sealed interface Codec permits Lz4, Zstandard {
        /** The most a block of {@code raw} bytes can take compressed. */
        int bound(int raw);

        /** Compresses {@code src[0, len)} into {@code dst}; returns the compressed length. */
        int compress(byte[] src, int len, byte[] dst) throws IOException;

        /** Restores at most {@code raw} bytes from {@code src[0, len)} into {@code dst}; returns how many, or throws. */
        long decompress(byte[] src, int len, byte[] dst, int raw) throws CompressedStreamException;
    }

    private static final class Lz4 implements Codec {
        private final LZ4Compressor compressor = LZ4Factory.fastestInstance().fastCompressor();
        // The safe decompressor checks every offset against the input it is given: the stream is untrusted.
        private final LZ4SafeDecompressor decompressor = LZ4Factory.fastestInstance().safeDecompressor();

        @Override
        public int bound(int raw) {
            return compressor.maxCompressedLength(raw);
        }

        @Override
        public int compress(byte[] src, int len, byte[] dst) {
            return compressor.compress(src, 0, len, dst, 0, dst.length);
        }

        @Override
        public long decompress(byte[] src, int len, byte[] dst, int raw) throws CompressedStreamException {
            try {
                return decompressor.decompress(src, 0, len, dst, 0, raw);
            } catch (LZ4Exception e) {
                throw new CompressedStreamException("corrupt lz4 block (" + e.getMessage() + ")");
            }
        }
    }

    private static final class Zstandard implements Codec {
        @Override
        public int bound(int raw) {
            return Math.toIntExact(Zstd.compressBound(raw));
        }

        @Override
        public int compress(byte[] src, int len, byte[] dst) throws IOException {
            long n = Zstd.compressByteArray(dst, 0, dst.length, src, 0, len, ZSTD_LEVEL);
            if (Zstd.isError(n)) {
                throw new IOException("zstd could not compress a block: " + Zstd.getErrorName(n));
            }
            return (int) n;
        }

        @Override
        public long decompress(byte[] src, int len, byte[] dst, int raw) throws CompressedStreamException {
            long n;
            try {
                n = Zstd.decompressByteArray(dst, 0, raw, src, 0, len);
            } catch (RuntimeException e) {
                throw new CompressedStreamException("corrupt zstd block (" + e.getMessage() + ")");
            }
            if (Zstd.isError(n)) {
                throw new CompressedStreamException("corrupt zstd block (" + Zstd.getErrorName(n) + ")");
            }
            return n;
        }
    }
}
