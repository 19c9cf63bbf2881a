package org.sonicmigration.guest.profile;

import org.sonicmigration.testsupport.FuzzBudget;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Arrays;

/**
 * Fuzzes the two readers of memory profiles a user hands us: the JSON profile ({@link ProfileJson}) and
 * the raw kpageflags/kpagecount pair ({@link MemoryProfile#read(java.io.InputStream, java.io.InputStream,
 * String)}). The contract: every input ends in a profile or a {@link ProfileFormatException} with a
 * one-line message, and the memory a read allocates is bounded by the frame bound it was given (the
 * JSON reader) or by the data actually present (the kpage reader), never by a count the input claims.
 *
 * <p>Without {@code JAZZER_FUZZ} this replays the checked-in corpus under
 * {@code src/test/resources/org/sonicmigration/guest/profile/ProfileFuzzTestInputs/}.
 */
class ProfileFuzzTest {
    /** The frame bound given to the JSON reader: 1 MiB of class bytes at most. */
    static final long MAX_PFNS = 1 << 20;
    /** Parser state, token buffers and messages. */
    private static final long SLACK = 1 << 20;

    @FuzzTest(maxDuration = "5m")
    void profileJson(byte[] input) throws Exception {
        MemoryProfile p = FuzzBudget.within("ProfileJson.read", 2 * MAX_PFNS + 16L * input.length + SLACK,
                () -> readJson(input));
        if (p != null) {
            require(p.pfnCount() >= 1 && p.pfnCount() <= MAX_PFNS, "profile of " + p.pfnCount() + " frames");
        }
    }

    /** The first byte splits the rest into kpageflags and kpagecount, in 8-byte words. */
    @FuzzTest(maxDuration = "5m")
    void kpagePair(byte[] input) throws Exception {
        if (input.length < 1) {
            return;
        }
        byte[] rest = Arrays.copyOfRange(input, 1, input.length);
        int split = Math.min(rest.length, 8 * (input[0] & 0xFF));
        // Two 64 KiB read blocks, the first 64 KiB of classes and the final copy: the data present, no more.
        MemoryProfile p = FuzzBudget.within("MemoryProfile.read", 4L * 65536 + 2L * rest.length + SLACK,
                () -> readPair(rest, split));
        if (p != null) {
            require(p.pfnCount() == split / 8, "profile of " + p.pfnCount() + " frames from " + split + " bytes");
        }
    }

    /** The profile, or null when it was refused with a one-line reason. */
    private static MemoryProfile readJson(byte[] input) throws IOException {
        try {
            return ProfileJson.read(new ByteArrayInputStream(input), "fuzz", MAX_PFNS);
        } catch (ProfileFormatException e) {
            requireOneLine(e.getMessage());
            return null;
        }
    }

    private static MemoryProfile readPair(byte[] rest, int split) throws IOException {
        try {
            return MemoryProfile.read(new ByteArrayInputStream(rest, 0, split),
                    new ByteArrayInputStream(rest, split, rest.length - split), "fuzz");
        } catch (ProfileFormatException e) {
            requireOneLine(e.getMessage());
            return null;
        }
    }

    private static void require(boolean ok, String what) {
        if (!ok) {
            throw new AssertionError(what);
        }
    }

    private static void requireOneLine(String m) {
        require(m != null && !m.isBlank() && m.lines().count() == 1, "not a one-line error: " + m);
    }
}
