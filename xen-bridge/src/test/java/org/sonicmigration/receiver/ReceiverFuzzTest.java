package org.sonicmigration.receiver;

import org.sonicmigration.testsupport.FuzzBudget;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import org.sonicmigration.spi.PlatformState;
import org.sonicmigration.stream.PageType;
import org.sonicmigration.stream.StreamFormatException;
import org.sonicmigration.stream.StreamLimits;
import org.sonicmigration.stream.StreamReader;
import org.sonicmigration.stream.StreamSink;

/**
 * Fuzzes what the receiver reads from an untrusted source besides the record framing: the domain
 * configuration JSON of the xl header ({@link ReceivedConfig#parse}), and a whole stream through the
 * receiver's own checks ({@link StreamCheck}, what {@code restore --dry-run} runs). The contract: a valid
 * result or a {@link ReceiveException} / {@link StreamFormatException} with a one-line message, a
 * configured memory never above {@link ReceivedConfig#MAX_MEM_KB}, bounded time and allocation.
 *
 * <p>Without {@code JAZZER_FUZZ} this replays the checked-in corpus under
 * {@code src/test/resources/org/sonicmigration/receiver/ReceiverFuzzTestInputs/}.
 */
class ReceiverFuzzTest {
    /** Jackson's tree of a config is a small multiple of its text. */
    private static final long JSON_FACTOR = 64;

    @FuzzTest(maxDuration = "5m")
    void configJson(byte[] input) throws Exception {
        String json = new String(input, StandardCharsets.UTF_8);
        ReceivedConfig c = FuzzBudget.within("ReceivedConfig.parse", JSON_FACTOR * input.length + (1 << 20),
                () -> parse(json));
        if (c != null) {
            require(c.maxMemKb() >= 0 && c.maxMemKb() <= ReceivedConfig.MAX_MEM_KB, "memory " + c.maxMemKb());
            require(c.pfnLimit(4096) > 0, "frame space " + c.pfnLimit(4096));
        }
    }

    @FuzzTest(maxDuration = "5m")
    void dryRun(byte[] input) throws Exception {
        // The reader's bound (one full PAGE_DATA record's buffers, bodies as they arrive) plus the config's tree.
        long bound = (long) StreamLimits.XEN_BATCH_PAGES * (8 + 8 + 8 + 4096) + (4 + JSON_FACTOR) * input.length
                + (2 << 20);
        FuzzBudget.within("StreamCheck", bound, () -> check(input));
    }

    private static ReceivedConfig parse(String json) {
        try {
            return ReceivedConfig.parse(json);
        } catch (ReceiveException e) {
            requireOneLine(e.getMessage());
            return null;
        }
    }

    private static Void check(byte[] input) throws IOException {
        BufferedInputStream in = new BufferedInputStream(new ByteArrayInputStream(input));
        try {
            StreamCheck.Result r = StreamCheck.check(in, StreamReader.detect(in), StreamLimits.defaults(), IGNORE);
            require(r.pfnLimit() > 0, "accepted a stream with frame space " + r.pfnLimit());
        } catch (StreamFormatException | ReceiveException e) {
            requireOneLine(e.getMessage());
        }
        return null;
    }

    private static final StreamSink IGNORE = new StreamSink() {
        @Override
        public void onPages(long[] pfns, PageType[] types, int count, MemorySegment data) {}

        @Override
        public void onPlatformState(PlatformState s) {}
    };

    private static void require(boolean ok, String what) {
        if (!ok) {
            throw new AssertionError(what);
        }
    }

    private static void requireOneLine(String m) {
        require(m != null && !m.isBlank() && m.lines().count() == 1, "not a one-line refusal: " + m);
    }
}
