package org.sonicmigration.guest;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Both directions of the C/Java agreement: an area written in C with {@code sonic_hint.h} is read by the
 * Java reader bit for bit, and an area written by the Java writer is dumped by a C reader exactly as the
 * Java side says it wrote it.
 */
class CConformanceTest {

    static Stream<Arguments> cWritten() {
        return Stream.of(
                Arguments.of(1L, "bitmap", 1L, 0),
                Arguments.of(63L, "bitmap", 2L, 0),
                Arguments.of(64L, "extents", 3L, 0),
                Arguments.of(65L, "bitmap", 4L, 3),
                Arguments.of(1000L, "extents", 5L, 0),
                Arguments.of(4099L, "bitmap", 6L, 0),
                Arguments.of(20_011L, "extents", 7L, 9),
                Arguments.of(70_000L, "bitmap", 8L, 1));
    }

    @ParameterizedTest(name = "{0} PFNs, {1}, seed {2}, minor {3}")
    @MethodSource("cWritten")
    void javaReadsWhatCWrote(long pfnCount, String encoding, long seed, int minor) throws Exception {
        Path file = Gcc.OUT.resolve("c-area-" + pfnCount + "-" + encoding + "-" + seed + ".bin");
        Gcc.Result w = Gcc.run(List.of(Gcc.program("conformance_writer").toString(), file.toString(),
                Long.toString(pfnCount), encoding, Long.toString(seed), Integer.toString(minor)));
        assertThat(w.exitCode()).as(w.stderr()).isZero();
        // The domain may be bigger than what the guest covers: frames above pfn_count are never soft.
        long expected = pfnCount + 100;

        try (Arena arena = Arena.ofConfined(); FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            MemorySegment area = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena);
            HintHeader h = HintHeader.decode(area);
            assertThat(h.magic()).isEqualTo(HintAreaLayout.MAGIC);
            assertThat(h.abiMajor()).isEqualTo(1);
            assertThat(h.abiMinor()).isEqualTo(minor);
            assertThat(h.headerSize()).isEqualTo(256);
            assertThat(h.pageSize()).isEqualTo(4096);
            assertThat(h.pfnCount()).isEqualTo(pfnCount);
            assertThat(h.publishPeriodMillis()).isEqualTo(1000);
            assertThat(h.holdTimeoutMillis()).isEqualTo(60_000);
            assertThat("live " + h.live().offset() + " " + h.live().capacity() + "\n"
                    + "final_set " + h.finalSet().offset() + " " + h.finalSet().capacity() + "\n"
                    + "referenced " + h.referenced().offset() + " " + h.referenced().capacity() + "\n"
                    + "area_pages " + h.areaPages() + "\n").isEqualTo(w.stdout());

            SoftSet soft = MembershipPattern.set(seed, MembershipPattern.LIVE, pfnCount, expected);
            SoftSet referencedRaw = MembershipPattern.set(seed, MembershipPattern.REFERENCED, pfnCount, expected);
            SoftSet fin = MembershipPattern.set(seed, MembershipPattern.FINAL, pfnCount, expected);

            HintAreaReader reader = new HintAreaReader(expected);
            HintSnapshot snap = reader.read(area);
            assertThat(snap).isInstanceOf(HintSnapshot.Valid.class);
            HintSnapshot.Valid v = (HintSnapshot.Valid) snap;
            assertThat(v.generation()).isEqualTo(6);
            assertThat(v.publishSeq()).isEqualTo(3);
            assertThat(v.publishTimeNanos()).isEqualTo(123456789014L);
            assertThat(v.publishPeriodMillis()).isEqualTo(1000);
            assertThat(v.flags()).containsExactlyInAnyOrder(HintFlag.FREE, HintFlag.CLEAN_CACHE, HintFlag.REFERENCED);
            assertThat(v.soft()).isEqualTo(soft);
            assertThat(v.referenced()).contains(referencedRaw.and(soft));

            HandshakeTicket before = new HandshakeTicket(new HandshakeWord(6, HandshakeState.IDLE, HandshakeFailure.NONE));
            FinalRead fr = reader.readFinal(area, before);
            assertThat(fr).isInstanceOf(FinalRead.Ready.class);
            FinalRead.Ready ready = (FinalRead.Ready) fr;
            assertThat(ready.seq()).isEqualTo(7);
            assertThat(ready.finalSet()).isEqualTo(fin);
            assertThat(ready.flags()).containsExactlyInAnyOrder(HintFlag.FREE, HintFlag.CLEAN_CACHE, HintFlag.HELD);
            assertThat(ready.timeNanos()).isEqualTo(123456799999L);

            // The same answer is stale for a dom0 that took its ticket after handshake 7 began.
            HandshakeTicket after = new HandshakeTicket(new HandshakeWord(7, HandshakeState.IDLE, HandshakeFailure.NONE));
            assertThat(reader.readFinal(area, after)).isInstanceOf(FinalRead.Pending.class);
        }
    }

    static Stream<Arguments> javaWritten() {
        return Stream.of(
                Arguments.of(1L, SetEncoding.BITMAP, true, 11L),
                Arguments.of(64L, SetEncoding.EXTENTS, true, 12L),
                Arguments.of(129L, SetEncoding.BITMAP, false, 13L),
                Arguments.of(5000L, SetEncoding.EXTENTS, false, 14L),
                Arguments.of(65_537L, SetEncoding.BITMAP, true, 15L),
                Arguments.of(65_537L, SetEncoding.EXTENTS, true, 16L));
    }

    @ParameterizedTest(name = "{0} PFNs, {1}, referenced {2}, seed {3}")
    @MethodSource("javaWritten")
    void cReadsWhatJavaWrote(long pfnCount, SetEncoding encoding, boolean withReferenced, long seed) throws Exception {
        SoftSet soft = MembershipPattern.set(seed, MembershipPattern.LIVE, pfnCount, pfnCount);
        SoftSet referenced = MembershipPattern.set(seed, MembershipPattern.REFERENCED, pfnCount, pfnCount).and(soft);
        SoftSet fin = MembershipPattern.set(seed, MembershipPattern.FINAL, pfnCount, pfnCount);
        HintAreaGeometry g = encoding == SetEncoding.BITMAP
                ? HintAreaGeometry.plan(pfnCount, withReferenced)
                : extentGeometry(pfnCount, withReferenced, soft, fin, referenced);

        Path file = Gcc.OUT.resolve("java-area-" + pfnCount + "-" + encoding + "-" + seed + ".bin");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment area = arena.allocate(g.areaBytes(), HintAreaLayout.PAGE_SIZE);
            HintAreaWriter w = HintAreaWriter.initialize(area, g, 250, 45_000);
            w.publish(SoftSet.empty(pfnCount), Set.of(HintFlag.FREE), 1);
            w.publish(soft, withReferenced ? referenced : null, Set.of(HintFlag.FREE, HintFlag.CLEAN_CACHE), 987_654_321L);
            w.request();
            w.request();
            w.startDropping();
            w.publishFinal(fin, Set.of(HintFlag.FREE, HintFlag.HELD), 987_700_000L);
            Files.createDirectories(Gcc.OUT);
            Files.write(file, area.toArray(ValueLayout.JAVA_BYTE));
        }

        Gcc.Result r = Gcc.run(List.of(Gcc.program("conformance_reader").toString(), file.toString(), Long.toString(pfnCount)));
        assertThat(r.exitCode()).as(r.stderr()).isZero();

        long liveFlags = HintFlag.FREE.mask() | HintFlag.CLEAN_CACHE.mask() | (withReferenced ? HintFlag.REFERENCED.mask() : 0);
        StringBuilder expected = new StringBuilder()
                .append("abi 1." + HintAreaLayout.ABI_MINOR + "\nheader_size 256\npage_size 4096\n")
                .append("area_pages ").append(g.areaPages()).append('\n')
                .append("pfn_count ").append(pfnCount).append('\n')
                .append("publish_period_ms 250\nhold_timeout_ms 45000\n")
                .append("gen 4\n")
                .append("live_flags 0x").append(Long.toHexString(liveFlags)).append('\n')
                .append("live_time_ns 987654321\n")
                .append("handshake seq 2 state 3 reason 0\n")
                .append("final_flags 0x").append(Long.toHexString(HintFlag.FREE.mask() | HintFlag.HELD.mask())).append('\n')
                .append("final_time_ns 987700000\n")
                .append(desc("live", g.live(), soft))
                .append(desc("final_set", g.finalSet(), fin))
                .append(desc("referenced", g.referenced(), withReferenced ? referenced : SoftSet.empty(pfnCount)))
                .append(runs("live", soft))
                .append(runs("final_set", fin))
                .append(g.referenced().present() ? runs("referenced", withReferenced ? referenced : SoftSet.empty(pfnCount))
                        : "referenced runs: absent\n");
        assertThat(r.stdout()).isEqualTo(expected.toString());
    }

    /** Extent sections sized to hold every run, so nothing is truncated. */
    private static HintAreaGeometry extentGeometry(long pfnCount, boolean withReferenced, SoftSet soft, SoftSet fin, SoftSet ref) {
        long page = HintAreaLayout.PAGE_SIZE;
        long liveCap = Math.max(1, soft.runCount()) * HintAreaLayout.EXTENT_SIZE;
        long finCap = Math.max(1, fin.runCount()) * HintAreaLayout.EXTENT_SIZE;
        long refCap = Math.max(1, ref.runCount()) * HintAreaLayout.EXTENT_SIZE;
        SetPlacement live = new SetPlacement(SetEncoding.EXTENTS, page, liveCap);
        SetPlacement f = new SetPlacement(SetEncoding.EXTENTS, page + liveCap, finCap);
        SetPlacement r = withReferenced ? new SetPlacement(SetEncoding.EXTENTS, page + liveCap + finCap, refCap) : SetPlacement.ABSENT;
        return HintAreaGeometry.of(pfnCount, live, f, r);
    }

    private static String desc(String name, SetPlacement p, SoftSet set) {
        long count = !p.present() ? 0 : p.encoding() == SetEncoding.BITMAP ? set.cardinality() : set.runCount();
        return name + " encoding " + p.encoding().code() + " offset " + p.offset() + " capacity " + p.capacity()
                + " count " + count + "\n";
    }

    private static String runs(String name, SoftSet set) {
        StringBuilder sb = new StringBuilder(name).append(" runs:");
        set.forEachRun((s, l) -> sb.append(' ').append(s).append('+').append(l));
        return sb.append('\n').toString();
    }

    @org.junit.jupiter.api.Test
    void cReaderRejectsWhatJavaReaderRejects() throws Exception {
        // Guards the C reader itself: a corrupted Java area must fail there too, or the dump test proves little.
        HintAreaGeometry g = HintAreaGeometry.plan(1000, false);
        Path file = Gcc.OUT.resolve("java-area-corrupt.bin");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment area = arena.allocate(g.areaBytes(), HintAreaLayout.PAGE_SIZE);
            HintAreaWriter w = HintAreaWriter.initialize(area, g, 1000, 1000);
            w.publish(SoftSet.of(1000, 1, 2, 3), EnumSet.of(HintFlag.FREE), 5);
            area.set(HintAreaLayout.U64_UNALIGNED, HintAreaLayout.OFF_LIVE + HintAreaLayout.DESC_COUNT, 4L);
            assertThat(new HintAreaReader(1000).read(area)).isInstanceOfSatisfying(HintSnapshot.Invalid.class,
                    i -> assertThat(i.reason()).isEqualTo(InvalidReason.COUNT_MISMATCH));
            Files.createDirectories(Gcc.OUT);
            Files.write(file, area.toArray(ValueLayout.JAVA_BYTE));
        }
        Gcc.Result r = Gcc.run(List.of(Gcc.program("conformance_reader").toString(), file.toString(), "1000"));
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.stderr()).contains("bitmap count mismatch");
    }
}
