package org.sonicmigration.guest.agent;

import java.util.ArrayList;
import java.util.List;

/**
 * A kpage source in memory whose content can change from one pass to the next, as a live kernel's does:
 * pass i reads snapshot min(i, last). It records every pass and can run a hook before each chunk (tests
 * use it to move a fake clock).
 */
final class ArrayKpageSource implements KpageSource {
    private final List<long[]> flagSnapshots;
    private final long[] counts;
    private final int chunk;
    final List<Boolean> passesWithCounts = new ArrayList<>();
    Runnable beforeChunk = () -> { };
    Runnable beforePass = () -> { };

    ArrayKpageSource(int chunk, long[] counts, List<long[]> flagSnapshots) {
        this.chunk = chunk;
        this.counts = counts;
        this.flagSnapshots = flagSnapshots;
    }

    ArrayKpageSource(int chunk, long[] counts, long[]... flagSnapshots) {
        this(chunk, counts, List.of(flagSnapshots));
    }

    @Override
    public KpageReader open(boolean withCounts) {
        beforePass.run();
        long[] flags = flagSnapshots.get(Math.min(passesWithCounts.size(), flagSnapshots.size() - 1));
        passesWithCounts.add(withCounts);
        return new KpageReader() {
            int at;

            @Override
            public int read(long[] f, long[] c) {
                beforeChunk.run();
                int n = Math.min(f.length, flags.length - at);
                System.arraycopy(flags, at, f, 0, n);
                if (c != null) {
                    System.arraycopy(counts, at, c, 0, n);
                }
                at += n;
                return n;
            }

            @Override
            public void close() {
            }
        };
    }

    @Override
    public int chunkWords() {
        return chunk;
    }

    @Override
    public String name() {
        return "array";
    }
}
