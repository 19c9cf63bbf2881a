package org.sonicmigration.guest;

import static org.quicktheories.generators.SourceDSL.arbitrary;
import static org.quicktheories.generators.SourceDSL.doubles;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import java.util.SplittableRandom;
import org.quicktheories.api.Pair;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

/** Generators of {@link SoftSet}s: random densities, runs of random lengths, and the empty and full edge cases. */
final class SoftSetGenerators {

    private SoftSetGenerators() {
    }

    static Gen<Long> sizes(long max) {
        // word boundaries are drawn as often as random sizes
        return Generate.oneOf(arbitrary().pick(1L, 63L, 64L, 65L, 127L, 128L, max), longs().between(1, max));
    }

    static Gen<SoftSet> softSets(long maxSize) {
        return sizes(maxSize).flatMap(SoftSetGenerators::softSetsOfSize);
    }

    static Gen<SoftSet> softSetsOfSize(long size) {
        Gen<SoftSet> dense = doubles().between(0, 1).zip(longs().all(), (density, seed) -> {
            SplittableRandom r = new SplittableRandom(seed);
            SoftSet.Builder b = SoftSet.builder(size);
            for (long p = 0; p < size; p++) {
                if (r.nextDouble() < density) {
                    b.set(p);
                }
            }
            return b.build();
        });
        Gen<SoftSet> runs = integers().between(1, 200).zip(longs().all(), (meanRun, seed) -> {
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
        Gen<SoftSet> full = Generate.constant(() -> SoftSet.builder(size).setRange(0, size).build());
        Gen<SoftSet> empty = Generate.constant(() -> SoftSet.empty(size));
        return Generate.frequency(Pair.of(4, dense), Pair.of(4, runs), Pair.of(1, full), Pair.of(1, empty));
    }
}
