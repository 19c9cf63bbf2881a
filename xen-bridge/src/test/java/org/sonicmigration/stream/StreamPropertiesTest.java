package org.sonicmigration.stream;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.sonicmigration.spi.PlatformState;

/** Properties of writer and reader over arbitrary streams, and of the reader over damaged ones. */
class StreamPropertiesTest {

    /**
     * jqwik logs at INFO whenever edge cases outnumber tries, which they always do for these composite
     * generators; held strongly so the level sticks.
     */
    private static final Logger JQWIK_GENERATOR_LOG = Logger.getLogger(
            "net.jqwik.engine.properties.RandomizedShrinkablesGenerator");

    static {
        JQWIK_GENERATOR_LOG.setLevel(Level.WARNING);
    }

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

    @Provide
    Arbitrary<Plan> plans() {
        return Combinators.combine(Arbitraries.of(Framing.class), configs(), states(), opts().list().ofMaxSize(2),
                        Arbitraries.oneOf(batches(), opts()).list().ofMaxSize(5), opts().list().ofMaxSize(2))
                .as(Plan::new);
    }

    private Arbitrary<String> configs() {
        return Arbitraries.strings().withCharRange(' ', '~').withChars('\n', '\t', 'é', '日').ofMaxLength(300);
    }

    private Arbitrary<Step> batches() {
        Arbitrary<Long> pfn = Arbitraries.oneOf(Arbitraries.longs().between(0, 0x100000),
                Arbitraries.longs().between(0, PfnWord.MAX_PFN));
        return Arbitraries.integers().between(1, 24).flatMap(n -> Combinators.combine(
                        pfn.array(long[].class).ofSize(n), Arbitraries.of(PageType.class).array(PageType[].class).ofSize(n),
                        Arbitraries.integers())
                .as(Batch::new));
    }

    private Arbitrary<Opt> opts() {
        return Combinators.combine(Arbitraries.integers().map(i -> i | RecordTypes.OPTIONAL_BIT),
                Arbitraries.bytes().array(byte[].class).ofMaxSize(40)).as(Opt::new);
    }

    private Arbitrary<PlatformState> states() {
        Arbitrary<PlatformState.TscInfo> tsc = Combinators.combine(Arbitraries.integers(), Arbitraries.integers(),
                Arbitraries.longs(), Arbitraries.integers()).as(PlatformState.TscInfo::new);
        Arbitrary<PlatformState.HvmParam> param = Combinators.combine(Arbitraries.longs(), Arbitraries.longs())
                .as(PlatformState.HvmParam::new);
        return Combinators.combine(
                Arbitraries.integers().between(0, 60).flatMap(n -> Arbitraries.bytes().array(byte[].class).ofSize(24 * n)),
                Arbitraries.integers().between(0, 5).flatMap(n -> Arbitraries.bytes().array(byte[].class).ofSize(16 * n)),
                tsc,
                Arbitraries.bytes().array(byte[].class).ofMinSize(1).ofMaxSize(3000),
                param.list().ofMaxSize(20)).as(PlatformState::new);
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

    @Property(tries = 300)
    void whatIsWrittenReadsBackUnchanged(@ForAll("plans") Plan plan) throws Exception {
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

    @Property(tries = 300)
    void everyStrictPrefixIsReportedAsTruncatedWhereItEnds(@ForAll("plans") Plan plan,
                                                           @ForAll @IntRange(min = 0, max = 9999) int permille) {
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

    @Provide
    Arbitrary<List<Damage>> damages() {
        return Combinators.combine(Arbitraries.of(true, true, false), Arbitraries.integers().between(0, Integer.MAX_VALUE),
                        Arbitraries.integers().between(0, 31), Arbitraries.integers().between(1, 255),
                        Arbitraries.of(false, false, false, true), Arbitraries.of(false, false, false, true))
                .as(Damage::new).list().ofMinSize(1).ofMaxSize(4);
    }

    @Property(tries = 1500)
    void damagedStreamsAreRefusedCleanlyOrReadWhole(@ForAll("plans") Plan plan, @ForAll("damages") List<Damage> damages)
            throws Exception {
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
