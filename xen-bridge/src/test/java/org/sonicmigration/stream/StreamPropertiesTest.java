package org.sonicmigration.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.arbitrary;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.longs;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.quicktheories.api.Pair;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;
import org.sonicmigration.spi.PlatformState;

/** Properties of writer and reader over arbitrary streams, and of the reader over damaged ones. */
class StreamPropertiesTest {

    sealed interface Step permits Batch, Opt {}

    record Batch(long[] pfns, PageType[] types, int seed) implements Step {
        RecordingSink.Pages expected() {
            return new RecordingSink.Pages(pfns, types, Fixtures.pagesFor(pfns, types, pfns.length, seed));
        }

        @Override
        public String toString() {
            return "Batch" + Arrays.toString(types);
        }
    }

    record Opt(int type, byte[] body) implements Step {
        RecordingSink.Optional expected() {
            return new RecordingSink.Optional(type, body);
        }

        @Override
        public String toString() {
            return "Opt[0x" + Integer.toHexString(type) + "/" + body.length + "]";
        }
    }

    record Plan(Framing framing, String config, PlatformState state, List<Opt> early, List<Step> middle, List<Opt> late) {}

    // ------------------------------------------------------------------ generators

    static Gen<Plan> plans() {
        Gen<List<Step>> middle = lists().of(Generate.oneOf(batches(), opts().map(o -> (Step) o))).ofSizeBetween(0, 5);
        return arbitrary().enumValues(Framing.class)
                .zip(configs(), states(), lists().of(opts()).ofSizeBetween(0, 2),
                        (framing, config, state, early) -> new Plan(framing, config, state, early, List.of(), List.of()))
                .zip(middle, lists().of(opts()).ofSizeBetween(0, 2),
                        (p, mid, late) -> new Plan(p.framing(), p.config(), p.state(), p.early(), mid, late));
    }

    /** Printable ASCII with, now and then, a control character or a multi-byte one. */
    private static Gen<String> configs() {
        Gen<Character> chars = Generate.frequency(Pair.of(95, Generate.characters(' ', '~')),
                Pair.of(4, arbitrary().pick('\n', '\t', 'é', '日')));
        return lists().of(chars).ofSizeBetween(0, 300).map(cs -> {
            StringBuilder b = new StringBuilder(cs.size());
            cs.forEach(b::append);
            return b.toString();
        });
    }

    private static Gen<byte[]> bytes(Gen<Integer> sizes) {
        return Generate.byteArrays(sizes, Generate.bytes(Byte.MIN_VALUE, Byte.MAX_VALUE, (byte) 0));
    }

    private static Gen<Step> batches() {
        Gen<Long> pfn = Generate.oneOf(longs().between(0, 0x100000), longs().between(0, PfnWord.MAX_PFN));
        return integers().between(1, 24).flatMap(n -> lists().of(pfn).ofSize(n).zip(
                lists().of(arbitrary().enumValues(PageType.class)).ofSize(n), integers().all(),
                (pfns, types, seed) -> new Batch(pfns.stream().mapToLong(Long::longValue).toArray(),
                        types.toArray(PageType[]::new), seed)));
    }

    private static Gen<Opt> opts() {
        return integers().all().map(i -> i | RecordTypes.OPTIONAL_BIT).zip(bytes(integers().between(0, 40)), Opt::new);
    }

    private static Gen<PlatformState> states() {
        Gen<PlatformState.TscInfo> tsc = integers().all().zip(integers().all(), longs().all(), integers().all(),
                PlatformState.TscInfo::new);
        Gen<PlatformState.HvmParam> param = longs().all().zip(longs().all(), PlatformState.HvmParam::new);
        return bytes(integers().between(0, 60).map(n -> 24 * n)).zip(
                bytes(integers().between(0, 5).map(n -> 16 * n)),
                tsc,
                bytes(integers().between(1, 3000)),
                lists().of(param).ofSizeBetween(0, 20),
                PlatformState::new);
    }

    // ------------------------------------------------------------------ writing and reading

    static byte[] write(Plan plan) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        StreamWriter w = new StreamWriter(out);
        if (plan.framing() == Framing.XL) {
            w.writeXlHeader(plan.config());
        }
        if (plan.framing() != Framing.LIBXC) {
            w.writeLibxlHeader();
        }
        w.beginLibxc(DomainHeader.hvm(4, 17));
        plan.early().forEach(o -> w.writeOptionalRecord(o.type(), o.body()));
        w.writeStaticState(plan.state());
        for (Step s : plan.middle()) {
            switch (s) {
                case Batch b -> w.writePages(b.pfns(), b.types(), b.pfns().length,
                        MemorySegment.ofArray(Fixtures.pagesFor(b.pfns(), b.types(), b.pfns().length, b.seed())));
                case Opt o -> w.writeOptionalRecord(o.type(), o.body());
            }
        }
        w.writeFinalState(plan.state());
        plan.late().forEach(o -> w.writeOptionalRecord(o.type(), o.body()));
        Fixtures.end(w, plan.framing());
        assertThat(w.bytesWritten()).isEqualTo(out.size());
        return out.toByteArray();
    }

    @Test
    void whatIsWrittenReadsBackUnchanged() {
        qt().withExamples(300).forAll(plans()).checkAssert(plan -> {
            try {
                whatIsWrittenReadsBackUnchanged(plan);
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
    }

    private static void whatIsWrittenReadsBackUnchanged(Plan plan) throws Exception {
        byte[] stream = write(plan);
        RecordingSink sink = new RecordingSink();
        StreamReader reader = new StreamReader(new ByteArrayInputStream(stream), StreamLimits.defaults());
        reader.read(plan.framing(), sink);

        assertThat(reader.bytesRead()).isEqualTo(stream.length);
        if (plan.framing() == Framing.XL) {
            assertThat(sink.xl).isEqualTo(new XlHeader(plan.config().isEmpty() ? 2 : 3, 0, plan.config()));
        }
        List<RecordingSink.Event> expected = new ArrayList<>();
        plan.early().forEach(o -> expected.add(o.expected()));
        for (Step s : plan.middle()) {
            expected.add(switch (s) {
                case Batch b -> b.expected();
                case Opt o -> o.expected();
            });
        }
        plan.late().forEach(o -> expected.add(o.expected()));
        assertThat(sink.events).containsExactlyElementsOf(expected);
        PlatformState want = plan.state();
        assertThat(sink.state.cpuidPolicy()).isEqualTo(want.cpuidPolicy());
        assertThat(sink.state.msrPolicy()).isEqualTo(want.msrPolicy());
        assertThat(sink.state.tsc()).isEqualTo(want.tsc());
        assertThat(sink.state.hvmContext()).isEqualTo(want.hvmContext());
        assertThat(sink.state.hvmParams()).isEqualTo(want.hvmParams());
        assertThat(sink.ends).isOne();
    }

    @Test
    void everyStrictPrefixIsReportedAsTruncatedWhereItEnds() {
        qt().withExamples(300).forAll(plans(), integers().between(0, 9999))
                .checkAssert(StreamPropertiesTest::everyStrictPrefixIsReportedAsTruncatedWhereItEnds);
    }

    private static void everyStrictPrefixIsReportedAsTruncatedWhereItEnds(Plan plan, int permille) {
        byte[] stream = write(plan);
        int cut = (int) ((long) stream.length * permille / 10_000);
        StreamSummary sink = new StreamSummary();
        try {
            new StreamReader(new ByteArrayInputStream(Arrays.copyOf(stream, cut)), StreamLimits.defaults())
                    .read(plan.framing(), sink);
            throw new AssertionError("a stream cut at " + cut + " of " + stream.length + " bytes was accepted");
        } catch (StreamFormatException e) {
            assertThat(e).hasMessageStartingWith("stream truncated at offset " + cut + " inside ");
            assertThat(e.offset()).isEqualTo(cut);
            assertThat(sink.complete()).isFalse();
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    /** One damage to a stream: at a record header (plus a small delta) or anywhere. */
    record Damage(boolean nearHeader, int index, int delta, int xor, boolean truncateAfter, boolean deleteInstead) {}

    static Gen<List<Damage>> damages() {
        // truncate and delete each one time in four
        Gen<boolean[]> truncateOrDelete = arbitrary().pick(false, false, false, true)
                .zip(arbitrary().pick(false, false, false, true), (t, d) -> new boolean[] {t, d});
        Gen<Damage> damage = arbitrary().pick(true, true, false).zip(integers().between(0, Integer.MAX_VALUE),
                integers().between(0, 31), integers().between(1, 255), truncateOrDelete,
                (near, index, delta, xor, td) -> new Damage(near, index, delta, xor, td[0], td[1]));
        return lists().of(damage).ofSizeBetween(1, 4);
    }

    @Test
    void damagedStreamsAreRefusedCleanlyOrReadWhole() {
        qt().withExamples(1500).forAll(plans(), damages()).checkAssert((plan, damages) -> {
            try {
                damagedStreamsAreRefusedCleanlyOrReadWhole(plan, damages);
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
    }

    private static void damagedStreamsAreRefusedCleanlyOrReadWhole(Plan plan, List<Damage> damages) throws Exception {
        byte[] stream = write(plan);
        List<Long> headers = new ArrayList<>();
        new StreamReader(new ByteArrayInputStream(stream), StreamLimits.defaults()).read(plan.framing(), new RecordingSink() {
            @Override
            public void onRecord(RecordLayer layer, int type, long offset, int bodyLength) {
                headers.add(offset);
            }
        });
        headers.add(0L);
        byte[] damaged = stream;
        for (Damage d : damages) {
            long base = d.nearHeader() ? headers.get(d.index() % headers.size()) : d.index() % damaged.length;
            int pos = (int) Math.min(damaged.length - 1, base + d.delta());
            if (d.deleteInstead()) {
                byte[] shorter = new byte[damaged.length - 1];
                System.arraycopy(damaged, 0, shorter, 0, pos);
                System.arraycopy(damaged, pos + 1, shorter, pos, damaged.length - pos - 1);
                damaged = shorter;
            } else {
                damaged = damaged.clone();
                damaged[pos] ^= (byte) d.xor();
                if (d.truncateAfter()) {
                    damaged = Arrays.copyOf(damaged, pos + 1);
                }
            }
            if (damaged.length == 0) {
                break;
            }
        }
        StreamSummary sink = new StreamSummary();
        StreamReader reader = new StreamReader(new ByteArrayInputStream(damaged), StreamLimits.defaults());
        try {
            reader.read(plan.framing(), sink);
            assertThat(sink.complete()).isTrue();
            assertThat(sink.platformState()).isPresent();
        } catch (StreamFormatException e) {
            assertThat(e.getMessage()).isNotBlank();
            assertThat(sink.complete()).isFalse();
        }
        assertThat(reader.bytesRead()).isLessThanOrEqualTo(damaged.length);
    }
}
