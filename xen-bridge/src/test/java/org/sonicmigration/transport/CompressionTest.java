package org.sonicmigration.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The compressed part of a stream restores exactly what was written, ends exactly where it ends (xl's
 * handshake follows it on the same connection), and any damage — a flipped bit anywhere, a lying size,
 * a cut — is a one-line {@link CompressedStreamException}, never wrong bytes and never a large allocation.
 */
class CompressionTest {
    private static final byte[] TRAILER = "\nmigration permission to go\n".getBytes(StandardCharsets.US_ASCII);

    @Test
    void whatIsWrittenIsReadBackAndTheHandshakeAfterItIsUntouched() {
        qt().withExamples(40).forAll(longs().all(), integers().between(0, 3 * Compression.BLOCK + 17),
                integers().between(1, 200_000)).checkAssert((seed, size, piece) -> {
            for (Compression c : new Compression[] {Compression.LZ4, Compression.ZSTD}) {
                byte[] data = guestLike(seed, size);
                byte[] wire = compress(c, data, piece);
                InputStream in = new ByteArrayInputStream(wire);
                try {
                    assertThat(c.decompressing(in).readAllBytes()).isEqualTo(data);
                    assertThat(in.readAllBytes()).isEqualTo(TRAILER);
                } catch (IOException e) {
                    throw new AssertionError(e);
                }
            }
        });
    }

    @Test
    void aFlippedBitAnywhereInTheCompressedPartIsRefused() {
        byte[] data = guestLike(5, 2 * Compression.BLOCK + 4096);
        for (Compression c : new Compression[] {Compression.LZ4, Compression.ZSTD}) {
            byte[] wire = compress(c, data, 65536);
            int compressedPart = wire.length - TRAILER.length;
            qt().withExamples(150).forAll(integers().between(0, compressedPart * 8 - 1)).checkAssert(bit -> {
                byte[] damaged = wire.clone();
                damaged[bit / 8] ^= (byte) (1 << (bit % 8));
                assertThatThrownBy(() -> c.decompressing(new ByteArrayInputStream(damaged)).readAllBytes())
                        .isInstanceOf(CompressedStreamException.class)
                        .hasMessageStartingWith(c.cliName() + "-compressed stream at offset ")
                        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
            });
        }
    }

    @Test
    void lyingSizesAreRefusedBeforeAnythingIsRead() {
        byte[] wire = compress(Compression.ZSTD, guestLike(1, 10_000), 10_000);
        byte[] huge = wire.clone();
        le32(huge, 8, Integer.MAX_VALUE); // a block claiming 2 GiB
        assertThatThrownBy(() -> Compression.ZSTD.decompressing(new ByteArrayInputStream(huge)).readAllBytes())
                .isInstanceOf(CompressedStreamException.class).hasMessageContaining("claims 2147483647 bytes (at most 1048576)");
        byte[] packedTooBig = wire.clone();
        le32(packedTooBig, 12, 20_000); // more compressed bytes than the block holds
        assertThatThrownBy(() -> Compression.ZSTD.decompressing(new ByteArrayInputStream(packedTooBig)).readAllBytes())
                .isInstanceOf(CompressedStreamException.class).hasMessageContaining("claims 20000 compressed");
        byte[] cut = java.util.Arrays.copyOf(wire, wire.length - TRAILER.length - 5);
        assertThatThrownBy(() -> Compression.ZSTD.decompressing(new ByteArrayInputStream(cut)).readAllBytes())
                .isInstanceOf(CompressedStreamException.class).hasMessageContaining("it ends inside");
    }

    @Test
    void aStreamIsKnownByItsFirstBytesWithoutConsumingThem() throws IOException {
        for (Compression c : new Compression[] {Compression.LZ4, Compression.ZSTD}) {
            BufferedInputStream in = new BufferedInputStream(new ByteArrayInputStream(compress(c, new byte[100], 100)));
            assertThat(Compression.sniff(in)).isEqualTo(c);
            assertThat(Compression.sniff(in)).isEqualTo(c);
        }
        byte[] xl = "Xen saved domain, xl format\n \0 \r".getBytes(StandardCharsets.ISO_8859_1);
        BufferedInputStream plain = new BufferedInputStream(new ByteArrayInputStream(xl));
        assertThat(Compression.sniff(plain)).isEqualTo(Compression.NONE);
        assertThat(plain.readAllBytes()).isEqualTo(xl);
    }

    @Test
    void incompressibleBlocksAreStoredAndZeroPagesShrink() throws IOException {
        SplittableRandom r = new SplittableRandom(9);
        byte[] random = new byte[Compression.BLOCK];
        r.nextBytes(random);
        for (Compression c : new Compression[] {Compression.LZ4, Compression.ZSTD}) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            CompressedOutput z = c.compressing(out);
            z.write(random);
            z.finish();
            assertThat(z.wireBytes()).isEqualTo(out.size()).isEqualTo(8 + 12 + Compression.BLOCK + 12);
            out.reset();
            z = c.compressing(out);
            z.write(new byte[Compression.BLOCK]);
            z.finish();
            assertThat(z.wireBytes()).isLessThan(Compression.BLOCK / 100);
        }
    }

    /** Pages as a guest has them: zero pages, text-like pages and random ones. */
    private static byte[] guestLike(long seed, int size) {
        SplittableRandom r = new SplittableRandom(seed);
        byte[] b = new byte[size];
        for (int page = 0; page * 4096 < size; page++) {
            int from = page * 4096;
            int to = Math.min(size, from + 4096);
            switch (r.nextInt(3)) {
                case 0 -> { }
                case 1 -> {
                    for (int i = from; i < to; i++) {
                        b[i] = (byte) ('a' + r.nextInt(4));
                    }
                }
                default -> {
                    for (int i = from; i < to; i++) {
                        b[i] = (byte) r.nextInt();
                    }
                }
            }
        }
        return b;
    }

    /** The compressed part, written in pieces with a flush between some, then the handshake's bytes. */
    private static byte[] compress(Compression c, byte[] data, int piece) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            CompressedOutput z = c.compressing(out);
            for (int off = 0, i = 0; off < data.length; off += piece, i++) {
                z.write(data, off, Math.min(piece, data.length - off));
                if (i % 3 == 2) {
                    z.flush();
                }
            }
            z.finish();
            out.write(TRAILER);
            return out.toByteArray();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static void le32(byte[] b, int at, int v) {
        java.nio.ByteBuffer.wrap(b).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(at, v);
    }
}
