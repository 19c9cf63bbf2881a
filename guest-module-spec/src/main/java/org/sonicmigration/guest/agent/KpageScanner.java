package org.sonicmigration.guest.agent;

import java.util.Arrays;
import java.util.function.LongSupplier;
import org.sonicmigration.guest.SoftSet;
import org.sonicmigration.guest.profile.KpageflagsClassifier;
import org.sonicmigration.guest.profile.MemoryProfile;
import org.sonicmigration.guest.profile.PageClass;

/**
 * The agent's reading of a {@link KpageSource}: a full classification pass ({@link #scan}) with the
 * profiles' {@link KpageflagsClassifier}, and the flags-only free-page pass of the handshake. This is the one
 * code path both {@code sonic hints scan} and the agent's live hint use.
 */
public final class KpageScanner {

    private static final byte FREE = (byte) PageClass.FREE.ordinal();
    private static final byte CLEAN = (byte) PageClass.CLEAN_CACHE.ordinal();

    private KpageScanner() {
    }

    /**
     * Classifies every frame the source has.
     *
     * @throws AgentException if the source cannot be read, is empty, or has more than
     *                        {@link MemoryProfile#MAX_PFNS} frames
     */
    public static AgentScan scan(KpageSource source) {
        long t0 = System.nanoTime();
        int chunk = source.chunkWords();
        long[] flags = new long[chunk];
        long[] counts = new long[chunk];
        byte[] classes = new byte[Math.min(chunk, 1 << 20)];
        long n = 0;
        try (KpageReader reader = source.open(true)) {
            int k;
            while ((k = reader.read(flags, counts)) > 0) {
                if (n + k > MemoryProfile.MAX_PFNS) {
                    throw new AgentException(AgentException.Kind.MALFORMED, source.name() + ": more than "
                            + MemoryProfile.MAX_PFNS + " frames");
                }
                if (n + k > classes.length) {
                    classes = Arrays.copyOf(classes, (int) Math.min(MemoryProfile.MAX_PFNS,
                            Math.max(n + k, 2L * classes.length)));
                }
                int base = (int) n;
                for (int i = 0; i < k; i++) {
                    classes[base + i] = (byte) KpageflagsClassifier.classify(flags[i], counts[i]).ordinal();
                }
                n += k;
            }
        }
        if (n == 0) {
            throw new AgentException(AgentException.Kind.MALFORMED, source.name() + ": no frames (empty file)");
        }
        byte[] exact = classes.length == n ? classes : Arrays.copyOf(classes, (int) n);
        SoftSet soft = softOf(exact);
        MemoryProfile profile = MemoryProfile.ofOrdinals(exact, source.name());
        return new AgentScan(profile, soft, System.nanoTime() - t0);
    }

    /** The live soft set of a profile: its free and clean-cache frames. */
    public static SoftSet softSet(MemoryProfile profile) {
        return softOf(profile.classOrdinals());
    }

    /**
     * {@code set} resized to {@code size} frames: frames beyond the old size are not members (a frame the scan
     * did not see is hard), members at or beyond the new size are dropped (a subset of a soft set is one).
     */
    public static SoftSet resize(SoftSet set, long size) {
        if (set.size() == size) {
            return set;
        }
        return SoftSet.fromWords(size, Arrays.copyOf(set.words(), SoftSet.wordsFor(size)));
    }

    /**
     * The frames among {@code [0, pfnCount)} that the source reports free, reading flags only; stops after the
     * chunk during which {@code clock} passes {@code deadline}.
     */
    static FreeScan scanFree(KpageSource source, long pfnCount, LongSupplier clock, long deadline) {
        SoftSet.Builder free = SoftSet.builder(pfnCount);
        long[] flags = new long[source.chunkWords()];
        long pfn = 0;
        boolean complete = true;
        try (KpageReader reader = source.open(false)) {
            int k;
            while (pfn < pfnCount && (k = reader.read(flags, null)) > 0) {
                int usable = (int) Math.min(k, pfnCount - pfn);
                int i = 0;
                while (i < usable) {
                    if (KpageflagsClassifier.classify(flags[i], 0) != PageClass.FREE) {
                        i++;
                        continue;
                    }
                    int j = i + 1;
                    while (j < usable && KpageflagsClassifier.classify(flags[j], 0) == PageClass.FREE) {
                        j++;
                    }
                    free.setRange(pfn + i, pfn + j);
                    i = j;
                }
                pfn += usable;
                if (pfn < pfnCount && clock.getAsLong() - deadline > 0) {
                    complete = false;
                    break;
                }
            }
        }
        return new FreeScan(free.build(), pfn, complete);
    }

    private static SoftSet softOf(byte[] classes) {
        SoftSet.Builder b = SoftSet.builder(classes.length);
        int i = 0;
        while (i < classes.length) {
            if (classes[i] != FREE && classes[i] != CLEAN) {
                i++;
                continue;
            }
            int j = i + 1;
            while (j < classes.length && (classes[j] == FREE || classes[j] == CLEAN)) {
                j++;
            }
            b.setRange(i, j);
            i = j;
        }
        return b.build();
    }
}
