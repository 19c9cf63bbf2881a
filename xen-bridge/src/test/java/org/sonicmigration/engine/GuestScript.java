package org.sonicmigration.engine;

import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

/**
 * What a {@link ScriptedDomain}'s guest does during one migration, pass by pass: the frames that are
 * holes (and those that become memory in a later pass), the pages written during each live pass, the
 * live hint read at the start of each pass, the final soft set it answers the handshake with (or none),
 * and the pages it writes between the handshake and the pause. Built by hand in step tests, at random
 * in the property test.
 */
final class GuestScript {
    final int pfns;
    final BitSet holes = new BitSet();
    /** Holes that become guest memory (populated and written) during the live pass given. */
    final Map<Integer, Integer> populatedInPass = new HashMap<>();
    final List<BitSet> hints = new ArrayList<>();
    final List<BitSet> writes = new ArrayList<>();
    final BitSet afterHandshake = new BitSet();
    BitSet finalSoft = new BitSet();
    boolean hintArea = true;
    /** The guest's module is unloaded before the handshake: its channel is withdrawn and nobody answers. */
    boolean moduleUnloaded;
    int maxIterations = 5;
    long dirtyThreshold = 0;
    int batch = 1024;
    boolean live = true;
    boolean stopWhenNotShrinking;

    GuestScript(int pfns) {
        this.pfns = pfns;
    }

    GuestScript holes(int... p) {
        set(holes, p);
        return this;
    }

    GuestScript populatedInPass(int pass, int pfn) {
        holes.set(pfn);
        populatedInPass.put(pfn, pass);
        return this;
    }

    /** The live hint the guest publishes for pass {@code pass}. */
    GuestScript hint(int pass, int... p) {
        set(at(hints, pass), p);
        return this;
    }

    GuestScript hintRange(int pass, int from, int to) {
        at(hints, pass).set(from, to);
        return this;
    }

    /** Pages the guest writes while live pass {@code pass} runs (for a hole: its dirty bit is set). */
    GuestScript writes(int pass, int... p) {
        set(at(writes, pass), p);
        return this;
    }

    GuestScript finalSoft(int... p) {
        finalSoft = new BitSet();
        set(finalSoft, p);
        return this;
    }

    GuestScript finalSoftRange(int from, int to) {
        finalSoft = new BitSet();
        finalSoft.set(from, to);
        return this;
    }

    /** The guest answers the handshake with a failure: no final soft set. */
    GuestScript noFinalSet() {
        finalSoft = null;
        return this;
    }

    /** The guest's module goes away after the live passes: the channel says so, no answer ever comes. */
    GuestScript moduleUnloaded() {
        moduleUnloaded = true;
        return this;
    }

    /** Pages the guest writes after answering the handshake and before the pause. */
    GuestScript afterHandshake(int... p) {
        set(afterHandshake, p);
        return this;
    }

    GuestScript withoutHintArea() {
        hintArea = false;
        return this;
    }

    GuestScript maxIterations(int n) {
        maxIterations = n;
        return this;
    }

    GuestScript dirtyThreshold(long n) {
        dirtyThreshold = n;
        return this;
    }

    /** A save: no live pass, the guest suspended once (as sonic save does). */
    GuestScript save() {
        live = false;
        return this;
    }

    /** Adds SonicMigration's own stop rule to Xen's two. */
    GuestScript stopWhenNotShrinking() {
        stopWhenNotShrinking = true;
        return this;
    }

    GuestScript batch(int n) {
        batch = n;
        return this;
    }

    BitSet hint(int pass) {
        return pass < hints.size() ? hints.get(pass) : new BitSet();
    }

    BitSet writes(int pass) {
        return pass < writes.size() ? writes.get(pass) : new BitSet();
    }

    MigrationOptions options() {
        return new MigrationOptions(maxIterations, dirtyThreshold, batch, Optional.empty(), Duration.ofSeconds(1), live,
                SoftPolicy.FREE_AND_CACHE, false, Duration.ofMillis(200), stopWhenNotShrinking);
    }

    /**
     * A random script: up to six live passes over 16..200 frames, with holes (a few of which become
     * memory later), writes per pass, hints, a final soft set (sometimes none, sometimes no hint area at
     * all) that may name holes and pages written before the pause, and small batches so that passes span
     * several records.

     */
    static GuestScript random(long seed) {
        Random r = new Random(seed);
        GuestScript s = new GuestScript(16 + r.nextInt(185));
        int passes = 1 + r.nextInt(6);
        s.maxIterations = passes;
        s.dirtyThreshold = r.nextInt(3) == 0 ? 0 : r.nextInt(s.pfns / 4);
        s.batch = r.nextInt(4) == 0 ? 1024 : 1 + r.nextInt(24);
        s.hintArea = r.nextInt(10) != 0;
        double holeDensity = r.nextInt(3) == 0 ? 0 : 0.02 + 0.1 * r.nextDouble();
        for (int p = 0; p < s.pfns; p++) {
            if (r.nextDouble() < holeDensity) {
                s.holes.set(p);
                if (passes > 1 && r.nextInt(4) == 0) {
                    s.populatedInPass.put(p, 1 + r.nextInt(passes - 1));
                }
            }
        }
        for (int k = 0; k < passes; k++) {
            s.writes.add(randomSet(r, s.pfns, density(r)));
            s.hints.add(randomSet(r, s.pfns, density(r)));
        }
        if (r.nextInt(7) == 0) {
            s.finalSoft = null;
        } else {
            s.finalSoft = randomSet(r, s.pfns, density(r));
            if (r.nextBoolean()) {
                // Guests answer with much of what they hinted: the interesting overlap.
                s.finalSoft.or(randomSubset(r, s.hints.getLast(), r.nextDouble()));
            }
        }
        s.afterHandshake.or(randomSet(r, s.pfns, density(r) / 4));
        if (s.finalSoft != null && r.nextBoolean()) {
            // A guest that lists its final set without holding it allocates and writes some of it.
            s.afterHandshake.or(randomSubset(r, s.finalSoft, r.nextDouble() / 2));
        }
        return s;
    }

    private static double density(Random r) {
        return switch (r.nextInt(5)) {
            case 0 -> 0;
            case 1 -> 0.01;
            case 2 -> 0.1;
            case 3 -> 0.5;
            default -> 0.9;
        };
    }

    private static BitSet randomSet(Random r, int size, double density) {
        BitSet b = new BitSet(size);
        for (int p = 0; p < size; p++) {
            if (r.nextDouble() < density) {
                b.set(p);
            }
        }
        return b;
    }

    private static BitSet randomSubset(Random r, BitSet of, double density) {
        BitSet b = new BitSet();
        of.stream().filter(p -> r.nextDouble() < density).forEach(b::set);
        return b;
    }

    private static BitSet at(List<BitSet> list, int index) {
        while (list.size() <= index) {
            list.add(new BitSet());
        }
        return list.get(index);
    }

    private static void set(BitSet b, int... p) {
        for (int x : p) {
            b.set(x);
        }
    }

    @Override
    public String toString() {
        return "GuestScript[pfns=" + pfns + ", holes=" + holes + ", populated=" + populatedInPass + ", hints=" + hints
                + ", writes=" + writes + ", finalSoft=" + finalSoft + ", afterHandshake=" + afterHandshake
                + ", hintArea=" + hintArea + ", maxIterations=" + maxIterations + ", dirtyThreshold=" + dirtyThreshold
                + ", batch=" + batch + "]";
    }
}
