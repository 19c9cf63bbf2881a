package org.sonicmigration.xen.backend;

import org.sonicmigration.testsupport.FuzzBudget;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import org.sonicmigration.spi.BackendException;

/**
 * Fuzzes the rewrite of libxl's domain configuration into the one a stream carries
 * ({@link DomainConfigJson#forNewDomain}). The contract: JSON with a {@code c_info} object and no
 * {@code c_info.domid}, or a {@link BackendException} with a one-line message; bounded time and memory.
 *
 * <p>Without {@code JAZZER_FUZZ} this replays the checked-in corpus under
 * {@code src/test/resources/org/sonicmigration/xen/backend/DomainConfigJsonFuzzTestInputs/}.
 */
class DomainConfigJsonFuzzTest {

    @FuzzTest(maxDuration = "5m")
    void forNewDomain(byte[] input) throws Exception {
        String json = new String(input, StandardCharsets.UTF_8);
        String out = FuzzBudget.within("DomainConfigJson.forNewDomain", 64L * input.length + (1 << 20),
                () -> rewrite(json));
        if (out != null) {
            var tree = new com.fasterxml.jackson.databind.ObjectMapper().readTree(out);
            if (!tree.path("c_info").isObject() || tree.path("c_info").has("domid")) {
                throw new AssertionError("rewritten config keeps a domid or lost c_info: " + out);
            }
        }
    }

    private static String rewrite(String json) {
        try {
            return DomainConfigJson.forNewDomain(json);
        } catch (BackendException e) {
            String m = e.getMessage();
            if (m == null || m.isBlank() || m.lines().count() != 1) {
                throw new AssertionError("not a one-line refusal: " + m, e);
            }
            return null;
        }
    }
}
