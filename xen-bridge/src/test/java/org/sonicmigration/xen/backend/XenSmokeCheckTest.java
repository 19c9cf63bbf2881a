package org.sonicmigration.xen.backend;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

class XenSmokeCheckTest {

    private static String[] run(int expectedExit, String... args) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int exit = new XenSmokeCheck(new PrintStream(bytes, true, StandardCharsets.UTF_8)).run(args);
        assertThat(exit).isEqualTo(expectedExit);
        String[] lines = bytes.toString(StandardCharsets.UTF_8).split("\n");
        assertThat(lines).allMatch(l -> l.startsWith(XenSmokeCheck.PREFIX));
        return lines;
    }

    @Test
    void badUsageExitsTwoWithAUsageLine() {
        assertThat(run(2)).containsExactly("XENCHECK usage: XenSmokeCheck DOMID (a numeric domain id, not 0)");
        assertThat(run(2, "guest")).hasSize(1);
        assertThat(run(2, "0")).hasSize(1);
        assertThat(run(2, "1", "2")).hasSize(1);
    }

    @Test
    void withoutXenTheFirstStepFailsAndSaysWhy() {
        assumeFalse(Files.exists(Path.of("/dev/xen/privcmd")), "this is a Xen dom0");
        assertThat(run(1, "5")).containsExactly(
                "XENCHECK FAIL open: BackendUnavailableException: no /dev/xen/privcmd: not a Xen dom0");
    }
}
