package org.sonicmigration.guest.agent;

import java.nio.file.Path;

/**
 * A kpageflags + kpagecount pair of files: the running kernel's {@code /proc/kpageflags} and
 * {@code /proc/kpagecount} ({@link #proc()}), or a snapshot of them, raw or gzip-compressed (recognised by
 * its first bytes, as in {@code data/linux61-guest/}). Both are read in large chunks ({@link #chunkWords}
 * frames, 4 MiB of each file by default: a 2 GiB guest in one read per file), interleaved chunk by chunk.
 *
 * @param kpageflags the flags file
 * @param kpagecount the map-count file
 * @param chunkWords frames per read, 1 .. {@link #MAX_CHUNK_WORDS}
 */
public record KpageFiles(Path kpageflags, Path kpagecount, int chunkWords) implements KpageSource {

    /** Default read size: 512 Ki frames, 4 MiB of each file (all of a 2 GiB guest). */
    public static final int DEFAULT_CHUNK_WORDS = 1 << 19;
    /** Largest read size: 4 Mi frames, 32 MiB of each file. */
    public static final int MAX_CHUNK_WORDS = 1 << 22;

    public static final Path PROC_KPAGEFLAGS = Path.of("/proc/kpageflags");
    public static final Path PROC_KPAGECOUNT = Path.of("/proc/kpagecount");

    public KpageFiles {
        if (kpageflags == null || kpagecount == null) {
            throw new IllegalArgumentException("both the kpageflags and the kpagecount file are needed");
        }
        if (chunkWords < 1 || chunkWords > MAX_CHUNK_WORDS) {
            throw new IllegalArgumentException("chunk of " + chunkWords + " frames is outside 1.." + MAX_CHUNK_WORDS);
        }
    }

    /** The pair with the default chunk size. */
    public KpageFiles(Path kpageflags, Path kpagecount) {
        this(kpageflags, kpagecount, DEFAULT_CHUNK_WORDS);
    }

    /** The running kernel's files (readable by root only). */
    public static KpageFiles proc() {
        return new KpageFiles(PROC_KPAGEFLAGS, PROC_KPAGECOUNT);
    }

    /** Whether this pair is the running kernel's (as opposed to a snapshot). */
    public boolean isLive() {
        return kpageflags.equals(PROC_KPAGEFLAGS) && kpagecount.equals(PROC_KPAGECOUNT);
    }

    @Override
    public KpageReader open(boolean withCounts) {
        WordChannel flags = WordChannel.open(kpageflags, "kpageflags", chunkWords);
        WordChannel counts;
        try {
            counts = withCounts ? WordChannel.open(kpagecount, "kpagecount", chunkWords) : null;
        } catch (RuntimeException e) {
            flags.close();
            throw e;
        }
        return new PairReader(flags, counts);
    }

    @Override
    public String name() {
        return kpageflags.toString();
    }

    /** Reads the two channels chunk by chunk and checks that they stay the same length. */
    private static final class PairReader implements KpageReader {
        private final WordChannel flags;
        private final WordChannel counts;
        private long frames;

        PairReader(WordChannel flags, WordChannel counts) {
            this.flags = flags;
            this.counts = counts;
        }

        @Override
        public int read(long[] flagWords, long[] countWords) {
            if (countWords == null && counts != null || countWords != null && counts == null) {
                throw new IllegalArgumentException("a pass " + (counts == null ? "without" : "with") + " counts");
            }
            int max = flagWords.length;
            if (countWords != null && countWords.length < max) {
                throw new IllegalArgumentException("count buffer shorter than the flag buffer");
            }
            int f = flags.read(flagWords, max);
            if (counts != null) {
                int c = counts.read(countWords, f == 0 ? 1 : f);
                if (c != f) {
                    throw new AgentException(AgentException.Kind.MALFORMED, flags.path() + " and " + counts.path()
                            + " differ in length (" + (frames + f) + " vs " + (frames + c) + " frames at least)");
                }
            }
            frames += f;
            return f;
        }

        @Override
        public void close() {
            flags.close();
            if (counts != null) {
                counts.close();
            }
        }
    }
}
