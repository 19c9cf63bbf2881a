package org.sonicmigration.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.sonicmigration.spi.PlatformState;
import org.sonicmigration.stream.Fixtures.Le;

class StreamReaderTest {

    private static RecordingSink read(byte[] stream, Framing framing) throws Exception {
        RecordingSink sink = new RecordingSink();
        StreamReader r = new StreamReader(new ByteArrayInputStream(stream), StreamLimits.defaults());
        r.read(framing, sink);
        assertThat(r.bytesRead()).isEqualTo(stream.length);
        return sink;
    }

    private static AbstractThrowableAssert<?, ? extends Throwable> assertRefused(byte[] stream, Framing framing) {
        return assertRefused(stream, framing, StreamLimits.defaults());
    }

    private static AbstractThrowableAssert<?, ? extends Throwable> assertRefused(byte[] stream, Framing framing,
                                                                                 StreamLimits limits) {
        return assertThatThrownBy(() -> new StreamReader(new ByteArrayInputStream(stream), limits)
                .read(framing, new RecordingSink())).isInstanceOf(StreamFormatException.class);
    }

    private static void assertSameState(PlatformState actual, PlatformState expected) {
        assertThat(actual.cpuidPolicy()).isEqualTo(expected.cpuidPolicy());
        assertThat(actual.msrPolicy()).isEqualTo(expected.msrPolicy());
        assertThat(actual.tsc()).isEqualTo(expected.tsc());
        assertThat(actual.hvmContext()).isEqualTo(expected.hvmContext());
        assertThat(actual.hvmParams()).isEqualTo(expected.hvmParams());
    }

    // ------------------------------------------------------------------ what it accepts

    @ParameterizedTest
    @EnumSource(Framing.class)
    void readsBackWhatTheWriterWrote(Framing framing) throws Exception {
        PlatformState state = Fixtures.xenLikeState();
        RecordingSink s = read(Fixtures.smallStream(framing, state), framing);

        assertThat(s.xl == null).isEqualTo(framing != Framing.XL);
        if (framing == Framing.XL) {
            assertThat(s.xl).isEqualTo(new XlHeader(3, 0, Fixtures.xlConfig()));
        }
        assertThat(s.image).isEqualTo(new ImageHeader(3, 0));
        assertThat(s.domain).isEqualTo(DomainHeader.hvm(4, 17));
        assertThat(s.events).hasSize(2);
        RecordingSink.Pages first = (RecordingSink.Pages) s.events.get(0);
        assertThat(first.pfns()).hasSize(36).startsWith(0x100, 0x101);
        assertThat(first.types()).containsSequence(PageType.values());
        assertThat(first.data()).isEqualTo(Fixtures.pagesFor(first.pfns(), first.types(), 36, 1));
        RecordingSink.Pages second = (RecordingSink.Pages) s.events.get(1);
        assertThat(second.pfns()).containsExactly(0x1000, 0x1001, 0x1002, 0xfefff);
        assertThat(second.types()).containsExactly(PageType.XALLOC, PageType.XALLOC, PageType.XTAB, PageType.NOTAB);
        assertThat(second.data()).isEqualTo(Fixtures.page(0xfefff, 2));
        assertSameState(s.state, state);
        assertThat(s.order).endsWith("pages", "pages", "state", "end");
        assertThat(s.ends).isOne();
    }

    @Test
    void readsTheLayoutXen417WritesForAPvhGuest() throws Exception {
        PlatformState state = Fixtures.xenLikeState();
        byte[] save = Fixtures.xenLikeSave(0xfefff, Fixtures.pvhPopulated(512), state);
        StreamSummary summary = new StreamSummary();
        StreamReader reader = new StreamReader(new ByteArrayInputStream(save), StreamLimits.defaults().withMaxPfn(0xfefff));
        reader.read(StreamReader.detect(new BufferedInputStream(new ByteArrayInputStream(save))), summary);

        assertThat(reader.bytesRead()).isEqualTo(save.length);
        assertThat(summary.complete()).isTrue();
        assertThat(summary.xlHeader().orElseThrow().jsonConfig()).isEqualTo(Fixtures.xlConfig());
        assertThat(summary.libxcRecordCount(RecordTypes.PAGE_DATA)).isEqualTo(1020);
        assertThat(summary.pageTypeCounts()).isEqualTo(Map.of(PageType.NOTAB, 528L, PageType.XTAB, 1_044_480L - 528));
        assertThat(summary.pagesWithData()).isEqualTo(528);
        assertThat(summary.pfnRange().orElseThrow()).containsExactly(0, 0xfefff);
        assertThat(summary.records()).extracting(StreamSummary.RecordStat::name, StreamSummary.RecordStat::count,
                        StreamSummary.RecordStat::bodyBytes)
                .contains(org.assertj.core.groups.Tuple.tuple("X86_CPUID_POLICY", 1L, 1224L),
                        org.assertj.core.groups.Tuple.tuple("X86_MSR_POLICY", 1L, 32L),
                        org.assertj.core.groups.Tuple.tuple("STATIC_DATA_END", 1L, 0L),
                        org.assertj.core.groups.Tuple.tuple("X86_TSC_INFO", 1L, 24L),
                        org.assertj.core.groups.Tuple.tuple("HVM_CONTEXT", 1L, 2504L),
                        org.assertj.core.groups.Tuple.tuple("HVM_PARAMS", 1L, 136L),
                        org.assertj.core.groups.Tuple.tuple("LIBXC_CONTEXT", 1L, 0L));
        assertSameState(summary.platformState().orElseThrow(), state);
        assertThat(summary.toString())
                .contains("libxc image: version 3, x86 HVM, page shift 12, written by Xen 4.17")
                .contains("page types: NOTAB 528 XTAB 1043952")
                .contains("51 CPUID leaves, 2 MSRs, HVM context 2504 bytes, 8 HVM params")
                .contains("complete stream");
    }

    @Test
    void acceptsVersion2StreamsWithoutStaticData() throws Exception {
        Le s = Fixtures.libxcHeaders(2);
        Fixtures.record(s, RecordTypes.PAGE_DATA, new Le().u32(1).u32(0).u64(0xFL << 60 | 5).toByteArray());
        RecordingSink sink = read(Fixtures.finalRecords(s).toByteArray(), Framing.LIBXC);
        assertThat(sink.image.version()).isEqualTo(2);
        assertThat(sink.state.cpuidPolicy()).isEmpty();
        assertThat(sink.state.msrPolicy()).isEmpty();
        assertThat(sink.state.hvmParams()).containsExactly(new PlatformState.HvmParam(12, 0xfeffd));
    }

    @Test
    void passesOptionalRecordsOnWhereverTheyAppear() throws Exception {
        Le s = Fixtures.libxcHeaders(3);
        Fixtures.record(s, 0x8000_0010, new byte[] {1, 2, 3});
        Fixtures.record(s, RecordTypes.STATIC_DATA_END, new byte[0]);
        Fixtures.record(s, 0xFFFF_FFFF, new byte[0]);
        Fixtures.finalRecords(s);
        RecordingSink sink = read(s.toByteArray(), Framing.LIBXC);
        assertThat(sink.events).containsExactly(new RecordingSink.Optional(0x8000_0010, new byte[] {1, 2, 3}),
                new RecordingSink.Optional(0xFFFF_FFFF, new byte[0]));
    }

    @Test
    void passesEmulatorRecordsOfTheLibxlStreamOn() throws Exception {
        Le s = new Le().bytes(new byte[] {'L', 'i', 'b', 'x', 'l', 'F', 'm', 't', 0, 0, 0, 2, 0, 0, 0, 0});
        Fixtures.record(s, RecordTypes.LIBXL_LIBXC_CONTEXT, new byte[0]);
        Le libxc = Fixtures.finalRecords(Fixtures.record(Fixtures.libxcHeaders(3), RecordTypes.STATIC_DATA_END, new byte[0]));
        s.bytes(libxc.toByteArray());
        byte[] qemu = new Le().u32(2).u32(0).bytes("QEVM".getBytes(StandardCharsets.US_ASCII)).toByteArray();
        Fixtures.record(s, RecordTypes.LIBXL_EMULATOR_CONTEXT, qemu);
        Fixtures.record(s, RecordTypes.LIBXL_END, new byte[0]);
        List<byte[]> seen = new ArrayList<>();
        byte[] stream = s.toByteArray();
        new StreamReader(new ByteArrayInputStream(stream), StreamLimits.defaults()).read(Framing.LIBXL, new RecordingSink() {
            @Override
            public void onEmulatorRecord(EmulatorRecord record) {
                assertThat(record.type()).isEqualTo(RecordTypes.LIBXL_EMULATOR_CONTEXT);
                seen.add(record.body());
            }
        });
        assertThat(seen).containsExactly(qemu);
    }

    @Test
    void stopsAtTheEndRecordAndLeavesWhatFollowsToTheCaller() throws Exception {
        byte[] trailer = "domain is yours, you are cleared to unpause\0".getBytes(StandardCharsets.US_ASCII);
        byte[] stream = Fixtures.smallStream(Framing.XL, Fixtures.xenLikeState());
        ByteArrayInputStream in = new ByteArrayInputStream(Fixtures.concat(stream, trailer));
        new StreamReader(in, StreamLimits.defaults()).read(Framing.XL, new RecordingSink());
        assertThat(in.readAllBytes()).isEqualTo(trailer);
    }

    @Test
    void detectsTheFramingWithoutConsumingInput() throws IOException {
        for (Framing f : Framing.values()) {
            byte[] stream = Fixtures.smallStream(f, Fixtures.xenLikeState());
            BufferedInputStream in = new BufferedInputStream(new ByteArrayInputStream(stream));
            assertThat(StreamReader.detect(in)).isEqualTo(f);
            assertThat(in.readAllBytes()).isEqualTo(stream);
        }
        assertThat(StreamReader.detect(new BufferedInputStream(new ByteArrayInputStream(new byte[3]))))
                .isEqualTo(Framing.LIBXC);
    }

    // ------------------------------------------------------------------ the three errors a user meets most

    @Test
    void truncatedStreamNamesTheOffsetAndWhereItStopped() {
        byte[] stream = Fixtures.smallStream(Framing.XL, Fixtures.xenLikeState());
        int pageData = Fixtures.findRecord(stream, RecordTypes.PAGE_DATA, 8 + 36 * 8 + 27 * 4096);
        assertThat(pageData).isPositive();
        int cut = pageData + 8 + 8 + 36 * 8 + 5000;
        assertRefused(Arrays.copyOf(stream, cut), Framing.XL)
                .hasMessage("stream truncated at offset " + cut + " inside PAGE_DATA body")
                .extracting(e -> ((StreamFormatException) e).offset()).isEqualTo((long) cut);
        assertRefused(Arrays.copyOf(stream, pageData + 3), Framing.XL)
                .hasMessage("stream truncated at offset " + (pageData + 3) + " inside libxc record header");
        assertRefused(Arrays.copyOf(stream, 20), Framing.XL).hasMessage("stream truncated at offset 20 inside xl header");
        assertRefused(new byte[0], Framing.LIBXC).hasMessage("stream truncated at offset 0 inside libxc image header");
    }

    @Test
    void wrongImageHeaderIsNamed() {
        byte[] good = Fixtures.smallStream(Framing.LIBXC, Fixtures.xenLikeState());
        byte[] legacy = good.clone();
        legacy[3] = (byte) 0xFE;
        assertRefused(legacy, Framing.LIBXC).hasMessage("libxc image header at offset 0: marker 0xfffffffeffffffff"
                + " is not all ones (not a migration stream, or a legacy pre-Xen-4.6 image, which is not supported)");
        byte[] id = good.clone();
        id[11] = 'G';
        assertRefused(id, Framing.LIBXC).hasMessage("libxc image header at offset 0: id 0x58454e47 is not 0x58454e46 (\"XENF\")");
        byte[] version = good.clone();
        version[15] = 4;
        assertRefused(version, Framing.LIBXC)
                .hasMessage("libxc image header at offset 0: unsupported version 4 (Xen 4.17 streams are version 2 or 3)");
        byte[] bigEndian = good.clone();
        bigEndian[17] = 1;
        assertRefused(bigEndian, Framing.LIBXC).hasMessage("libxc image header at offset 0: big-endian records are not supported");
        byte[] reserved = good.clone();
        reserved[23] = 1;
        assertRefused(reserved, Framing.LIBXC).hasMessage("libxc image header at offset 0: reserved fields are not zero");
        byte[] inLibxl = Fixtures.smallStream(Framing.LIBXL, Fixtures.xenLikeState());
        inLibxl[24 + 8] = 0;
        assertRefused(inLibxl, Framing.LIBXL).hasMessageStartingWith("libxc image header at offset 24: id 0x");
    }

    @Test
    void pageDataWhoseCountDisagreesWithItsLengthIsRefused() {
        Le s = Fixtures.record(Fixtures.libxcHeaders(3), RecordTypes.STATIC_DATA_END, new byte[0]);
        s.u32(RecordTypes.PAGE_DATA).u32(40).u32(3).u32(0).u64(1).u64(2).u64(3).u64(0);
        assertRefused(s.toByteArray(), Framing.LIBXC)
                .hasMessage("PAGE_DATA at offset 48: count 3 disagrees with body length 40 (expected 12320)")
                .satisfies(e -> assertThat(((StreamFormatException) e).recordType()).hasValue(RecordTypes.PAGE_DATA));

        Le tooShort = Fixtures.record(Fixtures.libxcHeaders(3), RecordTypes.STATIC_DATA_END, new byte[0]);
        tooShort.u32(RecordTypes.PAGE_DATA).u32(16).u32(3).u32(0).u64(0xFL << 60);
        assertRefused(tooShort.toByteArray(), Framing.LIBXC)
                .hasMessage("PAGE_DATA at offset 48: count 3 disagrees with body length 16 (the pfn list alone needs 32)");

        Le zero = Fixtures.record(Fixtures.libxcHeaders(3), RecordTypes.STATIC_DATA_END, new byte[0]);
        zero.u32(RecordTypes.PAGE_DATA).u32(8).u32(0).u32(0);
        assertRefused(zero.toByteArray(), Framing.LIBXC).hasMessage("PAGE_DATA at offset 48: count 0");
    }

    // ------------------------------------------------------------------ order

    @Test
    void pageDataBeforeStaticDataEndIsRefusedInVersion3() {
        Le s = Fixtures.libxcHeaders(3);
        Fixtures.record(s, RecordTypes.PAGE_DATA, new Le().u32(1).u32(0).u64(0xFL << 60).toByteArray());
        assertRefused(s.toByteArray(), Framing.LIBXC).hasMessage("PAGE_DATA at offset 40: page data before STATIC_DATA_END");
    }

    @Test
    void recordsOutOfXenOrderAreRefused() {
        Le afterSde = Fixtures.record(Fixtures.libxcHeaders(3), RecordTypes.STATIC_DATA_END, new byte[0]);
        Fixtures.record(afterSde, RecordTypes.X86_CPUID_POLICY, new byte[24]);
        assertRefused(afterSde.toByteArray(), Framing.LIBXC).hasMessage("X86_CPUID_POLICY at offset 48: CPU policy after STATIC_DATA_END");

        Le tscEarly = Fixtures.record(Fixtures.libxcHeaders(3), RecordTypes.X86_TSC_INFO, new byte[24]);
        assertRefused(tscEarly.toByteArray(), Framing.LIBXC).hasMessage("X86_TSC_INFO at offset 40: before STATIC_DATA_END");

        Le pagesLate = Fixtures.record(Fixtures.libxcHeaders(3), RecordTypes.STATIC_DATA_END, new byte[0]);
        Fixtures.record(pagesLate, RecordTypes.HVM_CONTEXT, new byte[8]);
        Fixtures.record(pagesLate, RecordTypes.PAGE_DATA, new Le().u32(1).u32(0).u64(0xFL << 60).toByteArray());
        assertRefused(pagesLate.toByteArray(), Framing.LIBXC).hasMessageContaining("PAGE_DATA at offset 64: page data after the final");

        Le twice = Fixtures.record(Fixtures.libxcHeaders(3), RecordTypes.STATIC_DATA_END, new byte[0]);
        Fixtures.record(twice, RecordTypes.HVM_CONTEXT, new byte[8]);
        Fixtures.record(twice, RecordTypes.HVM_CONTEXT, new byte[8]);
        assertRefused(twice.toByteArray(), Framing.LIBXC).hasMessage("HVM_CONTEXT at offset 64: a second HVM_CONTEXT record");

        Le noContext = Fixtures.record(Fixtures.libxcHeaders(3), RecordTypes.STATIC_DATA_END, new byte[0]);
        Fixtures.record(noContext, RecordTypes.X86_TSC_INFO, new byte[24]);
        Fixtures.record(noContext, RecordTypes.END, new byte[0]);
        assertRefused(noContext.toByteArray(), Framing.LIBXC).hasMessage("END at offset 80: the stream has no HVM_CONTEXT record");

        Le v2 = Fixtures.record(Fixtures.libxcHeaders(2), RecordTypes.STATIC_DATA_END, new byte[0]);
        assertRefused(v2.toByteArray(), Framing.LIBXC).hasMessage("STATIC_DATA_END at offset 40: not allowed in a version 2 stream");
    }

    @Test
    void unknownMandatoryAndUnsupportedRecordsAreRefused() {
        Le unknown = Fixtures.record(Fixtures.libxcHeaders(3), 0x13, new byte[0]);
        assertRefused(unknown.toByteArray(), Framing.LIBXC).hasMessage("unknown mandatory libxc record type 0x13 at offset 40");
        Le pv = Fixtures.record(Fixtures.libxcHeaders(3), RecordTypes.X86_PV_INFO, new byte[8]);
        assertRefused(pv.toByteArray(), Framing.LIBXC).hasMessage("X86_PV_INFO at offset 40: a PV-only record in an HVM stream");
        Le checkpoint = Fixtures.record(Fixtures.libxcHeaders(3), RecordTypes.CHECKPOINT, new byte[0]);
        assertRefused(checkpoint.toByteArray(), Framing.LIBXC).hasMessageContaining("checkpointed or verify-mode streams");
        byte[] pvHeader = Fixtures.libxcHeaders(3).toByteArray();
        pvHeader[24] = 1;
        assertRefused(pvHeader, Framing.LIBXC)
                .hasMessage("libxc domain header at offset 24: x86 PV guests are not supported, only HVM and PVH");
    }

    // ------------------------------------------------------------------ field checks and limits

    @Test
    void badPfnWordsAreRefused() {
        Le reserved = Fixtures.record(Fixtures.libxcHeaders(3), RecordTypes.STATIC_DATA_END, new byte[0]);
        Fixtures.record(reserved, RecordTypes.PAGE_DATA, new Le().u32(1).u32(0).u64(0xFL << 60 | 1L << 55 | 7).toByteArray());
        assertRefused(reserved.toByteArray(), Framing.LIBXC)
                .hasMessage("PAGE_DATA at offset 48: reserved bits set in pfn[0] 0xf080000000000007");
        Le invalid = Fixtures.record(Fixtures.libxcHeaders(3), RecordTypes.STATIC_DATA_END, new byte[0]);
        Fixtures.record(invalid, RecordTypes.PAGE_DATA, new Le().u32(2).u32(0).u64(0xFL << 60).u64(6L << 60 | 9).toByteArray());
        assertRefused(invalid.toByteArray(), Framing.LIBXC)
                .hasMessage("PAGE_DATA at offset 48: invalid page type 6 in pfn[1] 0x6000000000000009");
        Le beyond = Fixtures.record(Fixtures.libxcHeaders(3), RecordTypes.STATIC_DATA_END, new byte[0]);
        Fixtures.record(beyond, RecordTypes.PAGE_DATA, new Le().u32(1).u32(0).u64(0xFL << 60 | 0x10000).toByteArray());
        assertRefused(beyond.toByteArray(), Framing.LIBXC, StreamLimits.defaults().withMaxPfn(0xffff))
                .hasMessage("PAGE_DATA at offset 48: pfn[0] 0x10000 exceeds the largest pfn 0xffff");
    }

    @Test
    void untrustedLengthsAreCheckedBeforeAnythingIsAllocated() {
        Le huge = Fixtures.record(Fixtures.libxcHeaders(3), RecordTypes.STATIC_DATA_END, new byte[0]);
        huge.u32(RecordTypes.HVM_CONTEXT).u32(0xFFFF_FFF0);
        assertRefused(huge.toByteArray(), Framing.LIBXC)
                .hasMessage("HVM_CONTEXT at offset 48: body length 4294967280 exceeds the limit of 134217728 bytes");

        Le many = Fixtures.record(Fixtures.libxcHeaders(3), RecordTypes.STATIC_DATA_END, new byte[0]);
        many.u32(RecordTypes.PAGE_DATA).u32(8 + 8 * 1025).u32(1025).u32(0);
        assertRefused(many.toByteArray(), Framing.LIBXC)
                .hasMessage("PAGE_DATA at offset 48: count 1025 exceeds the limit of 1024 pages per record");

        // a lying optional length on a short stream: truncation, after reading only what is there
        Le lying = Fixtures.record(Fixtures.libxcHeaders(3), RecordTypes.STATIC_DATA_END, new byte[0]);
        lying.u32(0x8000_0001).u32(100 << 20).bytes(new byte[100]);
        assertRefused(lying.toByteArray(), Framing.LIBXC)
                .hasMessage("stream truncated at offset 156 inside OPTIONAL_0x80000001 body");
    }

    @Test
    void nonZeroPaddingIsRefused() {
        Le s = Fixtures.record(Fixtures.libxcHeaders(3), RecordTypes.STATIC_DATA_END, new byte[0]);
        s.u32(RecordTypes.HVM_CONTEXT).u32(3).bytes(new byte[] {1, 2, 3, 0, 0, 9, 0, 0});
        assertRefused(s.toByteArray(), Framing.LIBXC).hasMessage("HVM_CONTEXT at offset 48: non-zero padding byte at offset 61");
    }

    @Test
    void badFinalRecordBodiesAreRefused() {
        Le params = Fixtures.record(Fixtures.libxcHeaders(3), RecordTypes.STATIC_DATA_END, new byte[0]);
        Fixtures.record(params, RecordTypes.HVM_PARAMS, new Le().u32(2).u32(0).u64(1).u64(2).toByteArray());
        assertRefused(params.toByteArray(), Framing.LIBXC)
                .hasMessage("HVM_PARAMS at offset 48: count 2 disagrees with body length 24 (expected 40)");
        Le tsc = Fixtures.record(Fixtures.libxcHeaders(3), RecordTypes.STATIC_DATA_END, new byte[0]);
        Fixtures.record(tsc, RecordTypes.X86_TSC_INFO, new byte[16]);
        assertRefused(tsc.toByteArray(), Framing.LIBXC).hasMessage("X86_TSC_INFO at offset 48: body length 16 is not 24");
        Le cpuid = Fixtures.libxcHeaders(3);
        Fixtures.record(cpuid, RecordTypes.X86_CPUID_POLICY, new byte[30]);
        assertRefused(cpuid.toByteArray(), Framing.LIBXC)
                .hasMessage("X86_CPUID_POLICY at offset 40: body length 30 is not a positive multiple of 24");
    }

    @Test
    void badXlHeadersAreRefused() {
        byte[] good = Fixtures.smallStream(Framing.XL, Fixtures.xenLikeState());
        byte[] magic = good.clone();
        magic[0] = 'x';
        assertRefused(magic, Framing.XL).hasMessage("xl header at offset 0: not an xl save file (the 32-byte magic does not match)");
        byte[] legacy = good.clone();
        legacy[36] = 1;
        assertRefused(legacy, Framing.XL).hasMessage("xl header at offset 0: a legacy (pre stream v2) save file, not supported");
        byte[] flags = good.clone();
        flags[36] = 7;
        assertRefused(flags, Framing.XL).hasMessage("xl header at offset 0: unknown mandatory flags 0x4");
        byte[] config = good.clone();
        ByteBuffer.wrap(config, 48, 4).order(ByteOrder.LITTLE_ENDIAN).putInt(5000);
        assertRefused(config, Framing.XL).hasMessageStartingWith("xl header at offset 0: config length 5000 exceeds the optional data");
        assertRefused(good, Framing.XL, new StreamLimits(PfnWord.MAX_PFN, 1024, 128 << 20, 100))
                .hasMessageContaining("exceeds the limit of 104");
    }

    @Test
    void checkpointedAndIncompleteLibxlStreamsAreRefused() {
        Le s = new Le().bytes(new byte[] {'L', 'i', 'b', 'x', 'l', 'F', 'm', 't', 0, 0, 0, 2, 0, 0, 0, 0});
        byte[] header = s.toByteArray();
        assertRefused(Fixtures.record(new Le().bytes(header), RecordTypes.LIBXL_CHECKPOINT_END, new byte[0]).toByteArray(),
                Framing.LIBXL).hasMessage("libxl CHECKPOINT_END at offset 16: checkpointed (Remus/COLO) streams are not supported");
        assertRefused(Fixtures.record(new Le().bytes(header), RecordTypes.LIBXL_END, new byte[0]).toByteArray(),
                Framing.LIBXL).hasMessage("libxl END at offset 16: the libxl stream ends without a LIBXC_CONTEXT record");
        byte[] v3 = header.clone();
        v3[11] = 3;
        assertRefused(v3, Framing.LIBXL).hasMessage("libxl header at offset 0: unsupported version 3 (expected 2)");
    }

    @Test
    void aReaderReadsOneStream() throws Exception {
        byte[] stream = Fixtures.smallStream(Framing.LIBXC, Fixtures.xenLikeState());
        StreamReader r = new StreamReader(new ByteArrayInputStream(Fixtures.concat(stream, stream)), StreamLimits.defaults());
        r.read(Framing.LIBXC, new RecordingSink());
        assertThatThrownBy(() -> r.read(Framing.LIBXC, new RecordingSink())).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void pageSegmentIsExactlyTheDataOfTheRecord() throws Exception {
        byte[] stream = Fixtures.smallStream(Framing.LIBXC, Fixtures.xenLikeState());
        List<Long> sizes = new ArrayList<>();
        new StreamReader(new ByteArrayInputStream(stream), StreamLimits.defaults()).read(Framing.LIBXC, new RecordingSink() {
            @Override
            public void onPages(long[] pfns, PageType[] types, int count, MemorySegment data) {
                sizes.add(data.byteSize());
            }
        });
        assertThat(sizes).containsExactly(27L * 4096, 4096L);
    }

    /**
     * A real {@code xl save} file, when one is given with {@code -DSONIC_XL_SAVE=path} or the environment
     * variable of that name (the lab produces them; xen-facts §9 describes their layout).
     */
    @Test
    void readsARealXlSaveFileWhenOneIsGiven() throws Exception {
        String path = System.getProperty("SONIC_XL_SAVE", System.getenv("SONIC_XL_SAVE"));
        org.junit.jupiter.api.Assumptions.assumeTrue(path != null && java.nio.file.Files.isRegularFile(java.nio.file.Path.of(path)),
                "no real xl save file given (set SONIC_XL_SAVE)");
        StreamSummary summary = new StreamSummary();
        try (BufferedInputStream in = new BufferedInputStream(java.nio.file.Files.newInputStream(java.nio.file.Path.of(path)), 1 << 20)) {
            assertThat(StreamReader.detect(in)).isEqualTo(Framing.XL);
            new StreamReader(in, StreamLimits.defaults()).read(Framing.XL, summary);
        }
        System.out.println(summary);
        assertThat(summary.complete()).isTrue();
        assertThat(summary.domain().orElseThrow().type()).isEqualTo(DomainHeader.TYPE_X86_HVM);
        assertThat(summary.pagesWithData()).isPositive();
        assertThat(summary.platformState().orElseThrow().hvmContext()).isNotEmpty();
    }
}
