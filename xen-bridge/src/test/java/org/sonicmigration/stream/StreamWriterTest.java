package org.sonicmigration.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sonicmigration.spi.PlatformState;

class StreamWriterTest {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final StreamWriter w = new StreamWriter(out);

    private static ByteBuffer le(byte[] b, int from) {
        return ByteBuffer.wrap(b, from, b.length - from).slice().order(ByteOrder.LITTLE_ENDIAN);
    }

    @Test
    void xlHeaderCarriesTheConfigWithItsNulAsXlWritesIt() {
        w.writeXlHeader("{}");
        byte[] b = out.toByteArray();
        assertThat(Arrays.copyOf(b, 32)).isEqualTo("Xen saved domain, xl format\n \0 \r".getBytes(StandardCharsets.ISO_8859_1));
        ByteBuffer h = le(b, 32);
        assertThat(h.getInt()).isEqualTo(0x01020304);
        assertThat(h.getInt()).as("mandatory flags: JSON + stream v2").isEqualTo(3);
        assertThat(h.getInt()).as("optional flags").isZero();
        assertThat(h.getInt()).as("optional data length").isEqualTo(4 + 3);
        assertThat(h.getInt()).as("config length with NUL").isEqualTo(3);
        assertThat(Arrays.copyOfRange(b, 52, 55)).isEqualTo(new byte[] {'{', '}', 0});
        assertThat(b).hasSize(55);
        assertThat(w.bytesWritten()).isEqualTo(55);
    }

    @Test
    void emptyConfigIsAnnouncedWithoutTheJsonFlag() {
        w.writeXlHeader("");
        ByteBuffer h = le(out.toByteArray(), 36);
        assertThat(h.getInt()).isEqualTo(2);
        h.getInt();
        assertThat(h.getInt()).isEqualTo(4);
        assertThat(h.getInt()).isZero();
    }

    @Test
    void headersUseBigEndianWhereXenDoesAndLittleEndianElsewhere() {
        w.writeLibxlHeader();
        w.beginLibxc(DomainHeader.hvm(4, 17));
        byte[] b = out.toByteArray();
        byte[] expected = Fixtures.concat(
                new byte[] {'L', 'i', 'b', 'x', 'l', 'F', 'm', 't', 0, 0, 0, 2, 0, 0, 0, 0},
                new byte[] {1, 0, 0, 0, 0, 0, 0, 0},                                  // LIBXC_CONTEXT, empty
                new byte[] {-1, -1, -1, -1, -1, -1, -1, -1, 'X', 'E', 'N', 'F', 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0},
                new byte[] {2, 0, 0, 0, 12, 0, 0, 0, 4, 0, 0, 0, 17, 0, 0, 0});
        assertThat(b).isEqualTo(expected);
    }

    @Test
    void bareLibxcStreamHasNoLibxcContextRecord() {
        w.beginLibxc(DomainHeader.hvm(4, 17));
        assertThat(out.toByteArray()).hasSize(40).startsWith(-1, -1, -1, -1, -1, -1, -1, -1);
    }

    @Test
    void staticStateOmitsEmptyPoliciesAsXenDoes() {
        w.beginLibxc(DomainHeader.hvm(4, 17));
        w.writeStaticState(Fixtures.state(0, new long[0], 8, new long[0]));
        byte[] b = Arrays.copyOfRange(out.toByteArray(), 40, out.size());
        assertThat(b).isEqualTo(new byte[] {0x10, 0, 0, 0, 0, 0, 0, 0});
    }

    @Test
    void staticStateWritesPoliciesThenStaticDataEnd() {
        w.beginLibxc(DomainHeader.hvm(4, 17));
        PlatformState s = Fixtures.xenLikeState();
        w.writeStaticState(s);
        ByteBuffer r = le(out.toByteArray(), 40);
        assertThat(r.getInt()).isEqualTo(RecordTypes.X86_CPUID_POLICY);
        assertThat(r.getInt()).isEqualTo(1224);
        r.position(r.position() + 1224);
        assertThat(r.getInt()).isEqualTo(RecordTypes.X86_MSR_POLICY);
        assertThat(r.getInt()).isEqualTo(32);
        r.position(r.position() + 32);
        assertThat(r.getInt()).isEqualTo(RecordTypes.STATIC_DATA_END);
        assertThat(r.getInt()).isZero();
        assertThat(r.remaining()).isZero();
    }

    @Test
    void pageDataCarriesTypedPfnWordsAndContentOnlyForTypesWithData() {
        startPages();
        int start = out.size();
        long[] pfns = {7, 8, 9, 0xfefff};
        PageType[] types = {PageType.NOTAB, PageType.XALLOC, PageType.XTAB, PageType.L1TAB_PINNED};
        byte[] data = Fixtures.pagesFor(pfns, types, 4, 3);
        w.writePages(pfns, types, 4, MemorySegment.ofArray(data));
        ByteBuffer r = le(out.toByteArray(), start);
        assertThat(r.getInt()).isEqualTo(RecordTypes.PAGE_DATA);
        assertThat(r.getInt()).isEqualTo(8 + 4 * 8 + 2 * 4096);
        assertThat(r.getInt()).isEqualTo(4);
        assertThat(r.getInt()).isZero();
        assertThat(r.getLong()).isEqualTo(7L);
        assertThat(r.getLong()).isEqualTo(0xEL << 60 | 8);
        assertThat(r.getLong()).isEqualTo(0xFL << 60 | 9);
        assertThat(r.getLong()).isEqualTo(0x9L << 60 | 0xfefff);
        byte[] rest = new byte[r.remaining()];
        r.get(rest);
        assertThat(rest).isEqualTo(Fixtures.concat(Fixtures.page(7, 3), Fixtures.page(0xfefff, 3)));
    }

    @Test
    void finalStateComesInXenOrderWithExactBodies() {
        startPages();
        int start = out.size();
        PlatformState s = Fixtures.state(1, new long[0], 5, new long[] {1, 12});
        w.writeFinalState(s);
        w.endLibxc();
        ByteBuffer r = le(out.toByteArray(), start);
        assertThat(r.getInt()).isEqualTo(RecordTypes.X86_TSC_INFO);
        assertThat(r.getInt()).isEqualTo(24);
        assertThat(r.getInt()).isEqualTo(s.tsc().mode());
        assertThat(r.getInt()).isEqualTo(s.tsc().khz());
        assertThat(r.getLong()).isEqualTo(s.tsc().nsec());
        assertThat(r.getInt()).isEqualTo(s.tsc().incarnation());
        assertThat(r.getInt()).as("reserved").isZero();
        assertThat(r.getInt()).isEqualTo(RecordTypes.HVM_CONTEXT);
        assertThat(r.getInt()).isEqualTo(5);
        byte[] ctx = new byte[8];
        r.get(ctx);
        assertThat(ctx).isEqualTo(Fixtures.concat(s.hvmContext(), new byte[3]));
        assertThat(r.getInt()).isEqualTo(RecordTypes.HVM_PARAMS);
        assertThat(r.getInt()).isEqualTo(8 + 2 * 16);
        assertThat(r.getInt()).isEqualTo(2);
        assertThat(r.getInt()).isZero();
        assertThat(r.getLong()).isEqualTo(1);
        assertThat(r.getLong()).isEqualTo(s.hvmParams().get(0).value());
        assertThat(r.getLong()).isEqualTo(12);
        assertThat(r.getLong()).isEqualTo(s.hvmParams().get(1).value());
        assertThat(r.getLong()).as("END").isZero();
        assertThat(r.remaining()).isZero();
    }

    @Test
    void optionalRecordsArePaddedToEightBytes() {
        startPages();
        int start = out.size();
        w.writeOptionalRecord(0x8000_0001, new byte[] {9});
        assertThat(Arrays.copyOfRange(out.toByteArray(), start, out.size()))
                .isEqualTo(new byte[] {1, 0, 0, (byte) 0x80, 1, 0, 0, 0, 9, 0, 0, 0, 0, 0, 0, 0});
    }

    @Test
    void aRecordXensRestorerWouldRefuseIsNeverWritten() {
        startPages();
        int before = out.size();
        assertThatThrownBy(() -> w.writeOptionalRecord(0x8000_0001, new byte[StreamLimits.XEN_MAX_RECORD_BYTES + 1]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("record body of 134217729 bytes exceeds Xen's limit of 128 MiB");
        assertThat(out.size()).isEqualTo(before);
    }

    @Test
    void everyWayOfPassingPageContentWritesTheSameBytes(@TempDir Path dir) throws IOException {
        long[] pfns = new long[300];
        PageType[] types = new PageType[300];
        for (int i = 0; i < 300; i++) {
            pfns[i] = i * 3L;
            types[i] = i % 5 == 0 ? PageType.XALLOC : PageType.NOTAB;
        }
        byte[] data = Fixtures.pagesFor(pfns, types, 300, 9);
        byte[] padded = Fixtures.concat(new byte[4096], data, new byte[4096]);
        byte[] expected = writeOnce(new ByteArrayOutputStream(), pfns, types, MemorySegment.ofArray(data));

        assertThat(writeOnce(new ByteArrayOutputStream(), pfns, types,
                MemorySegment.ofArray(padded).asSlice(4096))).as("heap slice at an offset").isEqualTo(expected);
        assertThat(writeOnce(new ByteArrayOutputStream(), pfns, types,
                MemorySegment.ofArray(data).asReadOnly())).as("read-only heap segment").isEqualTo(expected);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment nat = arena.allocate(data.length, 4096);
            MemorySegment.copy(data, 0, nat, ValueLayout.JAVA_BYTE, 0, data.length);
            assertThat(writeOnce(new ByteArrayOutputStream(), pfns, types, nat)).as("native segment").isEqualTo(expected);
            Path file = dir.resolve("s.bin");
            try (FileOutputStream f = new FileOutputStream(file.toFile())) {
                writeOnce(f, pfns, types, nat);
            }
            assertThat(Files.readAllBytes(file)).as("file channel").isEqualTo(expected);
        }
    }

    private static byte[] writeOnce(OutputStream target, long[] pfns, PageType[] types, MemorySegment data) {
        StreamWriter sw = new StreamWriter(target);
        sw.beginLibxc(DomainHeader.hvm(4, 17));
        sw.writeStaticState(Fixtures.xenLikeState());
        sw.writePages(pfns, types, pfns.length, data);
        sw.writeFinalState(Fixtures.xenLikeState());
        sw.endLibxc();
        return target instanceof ByteArrayOutputStream b ? b.toByteArray() : null;
    }

    @Test
    void bytesWrittenCountsTheWholeStream() {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        StreamWriter sw = new StreamWriter(o);
        Fixtures.begin(sw, Framing.XL);
        sw.writeStaticState(Fixtures.xenLikeState());
        sw.writePages(new long[] {1, 2}, new PageType[] {PageType.NOTAB, PageType.XALLOC}, 2,
                MemorySegment.ofArray(Fixtures.page(1, 0)));
        sw.writeFinalState(Fixtures.xenLikeState());
        Fixtures.end(sw, Framing.XL);
        assertThat(sw.bytesWritten()).isEqualTo(o.size());
    }

    @Test
    void callsOutOfStreamOrderAreRefused() {
        assertThatThrownBy(() -> w.writeStaticState(Fixtures.xenLikeState()))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("writeStaticState() is out of order");
        w.writeXlHeader("{}");
        assertThatThrownBy(() -> w.beginLibxc(DomainHeader.hvm(4, 17)))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("writeLibxlHeader() must follow");
        w.writeLibxlHeader();
        w.beginLibxc(DomainHeader.hvm(4, 17));
        assertThatThrownBy(() -> w.writePages(new long[] {1}, new PageType[] {PageType.XTAB}, 1, null))
                .isInstanceOf(IllegalStateException.class);
        w.writeStaticState(Fixtures.xenLikeState());
        assertThatThrownBy(w::endLibxc).isInstanceOf(IllegalStateException.class);
        w.writeFinalState(Fixtures.xenLikeState());
        assertThatThrownBy(() -> w.writePages(new long[] {1}, new PageType[] {PageType.XTAB}, 1, null))
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(w::endLibxl).isInstanceOf(IllegalStateException.class);
        w.endLibxc();
        w.endLibxl();
        assertThatThrownBy(w::endLibxl).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void endLibxlWithoutLibxlFramingIsRefused() {
        startPages();
        w.writeFinalState(Fixtures.xenLikeState());
        w.endLibxc();
        assertThatThrownBy(w::endLibxl).isInstanceOf(IllegalStateException.class).hasMessageContaining("without writeLibxlHeader");
    }

    @Test
    void invalidArgumentsAreRefused() {
        assertThatThrownBy(() -> w.beginLibxc(new DomainHeader(1, 12, 4, 17)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("HVM");
        startPages();
        long[] one = {1};
        assertThatThrownBy(() -> w.writePages(one, new PageType[] {PageType.NOTAB}, 0, null))
                .hasMessageContaining("1..1024, got 0");
        assertThatThrownBy(() -> w.writePages(new long[1025], new PageType[1025], 1025, null))
                .hasMessageContaining("1..1024, got 1025");
        assertThatThrownBy(() -> w.writePages(one, new PageType[] {PageType.NOTAB}, 1, MemorySegment.ofArray(new byte[4095])))
                .hasMessageContaining("need 4096 bytes, the segment has 4095");
        assertThatThrownBy(() -> w.writePages(new long[] {1L << 52}, new PageType[] {PageType.XTAB}, 1, null))
                .hasMessageContaining("52 bits");
        assertThatThrownBy(() -> w.writeOptionalRecord(0x13, new byte[0])).hasMessageContaining("bit 31");
        assertThatThrownBy(() -> w.writeFinalState(Fixtures.state(1, new long[0], 0, new long[0])))
                .hasMessageContaining("HVM context must not be empty");
        assertThat(out.size()).as("refused calls write nothing").isEqualTo(40 + (8 + 1224) + (8 + 32) + 8);
    }

    @Test
    void badPolicyLengthsAreRefused() {
        w.beginLibxc(DomainHeader.hvm(4, 17));
        PlatformState s = new PlatformState(new byte[25], new byte[0], new PlatformState.TscInfo(0, 0, 0, 0),
                new byte[1], List.of());
        assertThatThrownBy(() -> w.writeStaticState(s)).hasMessageContaining("not a multiple of 24");
    }

    @Test
    void ioFailuresSurfaceAsUncheckedIoExceptions() {
        StreamWriter failing = new StreamWriter(new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                throw new IOException("connection reset");
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                throw new IOException("connection reset");
            }
        });
        assertThatThrownBy(failing::writeLibxlHeader).isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining("after 0 bytes").hasRootCauseMessage("connection reset");
    }

    private void startPages() {
        w.beginLibxc(DomainHeader.hvm(4, 17));
        w.writeStaticState(Fixtures.xenLikeState());
    }
}
