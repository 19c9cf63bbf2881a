package org.sonicmigration.guest.agent;

/**
 * One pass over a {@link KpageSource}: consecutive chunks of kpageflags words (and of kpagecount words, when
 * opened with counts), frame after frame. For a live kernel, the flags and counts of one chunk are read one
 * right after the other, so a frame's two words are at most one chunk's read time apart.
 */
public interface KpageReader extends AutoCloseable {

    /**
     * Reads the next frames: up to {@code flags.length} words into {@code flags} and, if the pass has counts,
     * as many into {@code counts} (which must then be at least as long).
     *
     * @param counts the kpagecount destination, or null for a pass without counts
     * @return the number of frames read, 0 at the end
     * @throws AgentException if the files end at different frames, are not whole words, or cannot be read
     */
    int read(long[] flags, long[] counts);

    @Override
    void close();
}
