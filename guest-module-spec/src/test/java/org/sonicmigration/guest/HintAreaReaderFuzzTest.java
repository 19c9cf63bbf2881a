package org.sonicmigration.guest;

import org.sonicmigration.testsupport.FuzzBudget;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.lang.foreign.MemorySegment;

/**
 * Fuzzes dom0's reader of the hint area, which the guest fills with whatever it likes. The first 4 bytes
 * of an input choose the domain size dom0 expects (1 .. 2^20 PFNs), the rest is the mapped area. The
 * contract: every read ends in a result (a snapshot, a typed {@link InvalidReason}, torn, pending...),
 * never an exception; a valid set is sized to the expected domain, not to the guest's claim; and one
 * call allocates no more than {@link HintAreaReader#allocationBoundBytes()} plus small records.
 *
 * <p>Without {@code JAZZER_FUZZ} this replays the checked-in corpus under
 * {@code src/test/resources/org/sonicmigration/guest/HintAreaReaderFuzzTestInputs/}.
 */
class HintAreaReaderFuzzTest {
    /** Result records and one-line messages on top of the bitmaps. */
    private static final long SLACK = 64 * 1024;
    /** Two copies are enough to exercise the retry path; no sleeping between them. */
    private static final RetryPolicy RETRY = RetryPolicy.spinning(2);

    @FuzzTest(maxDuration = "5m")
    void hintArea(byte[] input) throws Exception {
        if (input.length < 4) {
            return;
        }
        long expected = 1 + (Integer.toUnsignedLong(leInt(input)) % (1 << 20));
        MemorySegment area = aligned(input, 4);
        HintAreaReader reader = new HintAreaReader(expected, RETRY);
        long bound = reader.allocationBoundBytes() + SLACK;

        HintSnapshot snapshot = FuzzBudget.within("HintAreaReader.read", bound, () -> reader.read(area));
        if (snapshot instanceof HintSnapshot.Valid v) {
            require(v.soft().size() == expected, "live set sized " + v.soft().size() + ", expected " + expected);
            v.referenced().ifPresent(r -> require(r.size() == expected, "referenced set of the wrong size"));
        } else if (snapshot instanceof HintSnapshot.Invalid i) {
            requireOneLine(i.detail());
        }

        HandshakeTicket ticket = new HandshakeTicket(HandshakeWord.decode(0));
        FinalRead read = FuzzBudget.within("HintAreaReader.readFinal", bound, () -> reader.readFinal(area, ticket));
        if (read instanceof FinalRead.Ready r) {
            require(r.finalSet().size() == expected, "final set sized " + r.finalSet().size());
        } else if (read instanceof FinalRead.Invalid i) {
            requireOneLine(i.detail());
        }
    }

    /** The input's bytes from {@code from} in 8-aligned memory, as a mapped guest page is aligned. */
    static MemorySegment aligned(byte[] input, int from) {
        int n = input.length - from;
        MemorySegment area = MemorySegment.ofArray(new long[(n + 7) / 8]).asSlice(0, n);
        MemorySegment.copy(MemorySegment.ofArray(input), from, area, 0, n);
        return area;
    }

    private static int leInt(byte[] b) {
        return (b[0] & 0xFF) | (b[1] & 0xFF) << 8 | (b[2] & 0xFF) << 16 | (b[3] & 0xFF) << 24;
    }

    private static void require(boolean ok, String what) {
        if (!ok) {
            throw new AssertionError(what);
        }
    }

    private static void requireOneLine(String detail) {
        require(detail != null && !detail.isBlank() && detail.lines().count() == 1, "not a one-line reason: " + detail);
    }
}
