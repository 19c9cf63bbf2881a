package org.sonicmigration.guest;

import java.util.SplittableRandom;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;

/** Generators of {@link SoftSet}s: random densities, runs of random lengths, and the empty and full edge cases. */
final class SoftSetArbitraries {

    private SoftSetArbitraries() {
    }

    static Arbitrary<Long> sizes(long max) {
        // word boundaries are drawn as often as random sizes, without multiplying jqwik's combined edge cases
        return Arbitraries.oneOf(Arbitraries.of(1L, 63L, 64L, 65L, 127L, 128L, max), Arbitraries.longs().between(1, max))
                .withoutEdgeCases();
    }

    static Arbitrary<SoftSet> softSets(long maxSize) {
        return sizes(maxSize).flatMap(SoftSetArbitraries::softSetsOfSize);
    }

    static Arbitrary<SoftSet> softSetsOfSize(long size) {
        Arbitrary<SoftSet> dense = Combinators.combine(Arbitraries.doubles().between(0, 1), Arbitraries.longs())
                .as((density, seed) -> {
                    SplittableRandom r = new SplittableRandom(seed);
                    SoftSet.Builder b = SoftSet.builder(size);
                    for (long p = 0; p < size; p++) {
                        if (r.nextDouble() < density) {
                            b.set(p);
                        }
                    }
                    return b.build();
                });
        Arbitrary<SoftSet> runs = Combinators.combine(Arbitraries.integers().between(1, 200), Arbitraries.longs())
                .as((meanRun, seed) -> {
                    SplittableRandom r = new SplittableRandom(seed);
                    SoftSet.Builder b = SoftSet.builder(size);
                    long p = 0;
                    boolean in = r.nextBoolean();
                    while (p < size) {
                        long len = 1 + r.nextInt(2 * meanRun);
                        long end = Math.min(size, p + len);
                        if (in) {
                            b.setRange(p, end);
                        }
                        in = !in;
                        p = end;
                    }
                    return b.build();
                });
        Arbitrary<SoftSet> full = Arbitraries.just(size).map(s -> SoftSet.builder(s).setRange(0, s).build());
        return Arbitraries.frequencyOf(
                Tuple.of(4, dense),
                Tuple.of(4, runs),
                Tuple.of(1, full),
                Tuple.of(1, Arbitraries.just(size).map(SoftSet::empty))).withoutEdgeCases();
    }
}
