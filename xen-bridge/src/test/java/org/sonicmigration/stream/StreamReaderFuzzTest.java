package org.sonicmigration.stream;

import org.sonicmigration.testsupport.FuzzBudget;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;

/**
 * Fuzzes the stream reader with whatever a source, a file or a network peer could send: framing
 * detection, the xl header, libxl and libxc records, each record handler. The contract: every input
 * ends in a complete stream or a {@link StreamFormatException} with a one-line message, within bounded
 * time, and allocates no more than {@link #allocationBound(int)}: the page buffers of one full PAGE_DATA
 * record and a few times the bytes actually present, never a length the stream merely claims (a header
 * claiming a 128 MiB body costs nothing until 128 MiB arrive).
 *
 * <p>Without {@code JAZZER_FUZZ} this replays the checked-in corpus under
 * {@code src/test/resources/org/sonicmigration/stream/StreamReaderFuzzTestInputs/}.
 */
class StreamReaderFuzzTest {
    static final StreamLimits LIMITS = StreamLimits.defaults();

    /**
     * What one stream of {@code inputBytes} may make the reader allocate: one full PAGE_DATA record's
     * buffers (pfn words, pfns, types, pages), bodies grown by doubling as data arrives (at most 4 times
     * what arrived), and 1 MiB for headers, summaries and messages.
     */
    static long allocationBound(int inputBytes) {
        long pageRecord = (long) LIMITS.maxPagesPerRecord() * (8 + 8 + 8 + StreamWriter.PAGE_SIZE);
        return pageRecord + 4L * inputBytes + (1 << 20);
    }

    @FuzzTest(maxDuration = "5m")
    void streamReader(byte[] input) throws Exception {
        StreamSummary summary = FuzzBudget.within("StreamReader", allocationBound(input.length), () -> read(input));
        if (summary != null && !summary.complete()) {
            throw new AssertionError("the reader returned without an error on an incomplete stream");
        }
    }

    /** The stream's summary if it was accepted, null if it was refused with a one-line reason. */
    private static StreamSummary read(byte[] input) throws IOException {
        BufferedInputStream in = new BufferedInputStream(new ByteArrayInputStream(input));
        StreamSummary summary = new StreamSummary();
        try {
            new StreamReader(in, LIMITS).read(StreamReader.detect(in), summary);
            summary.toString();
            return summary;
        } catch (StreamFormatException e) {
            String m = e.getMessage();
            if (m == null || m.isBlank() || m.lines().count() != 1) {
                throw new AssertionError("not a one-line refusal: " + m, e);
            }
            return null;
        }
    }
}
