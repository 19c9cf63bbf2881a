package org.sonicmigration.sim.experiment;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.sonicmigration.engine.MigrationListener;
import org.sonicmigration.engine.MigrationOptions;
import org.sonicmigration.engine.SoftPolicy;
import org.sonicmigration.sim.guest.GuestConfig;
import org.sonicmigration.sim.kernel.PageStoreMode;

/**
 * A big seeded guest migrates and verifies in a heap far smaller than its memory: the simulator keeps
 * metadata per page, never its bytes, on either host. Run in a JVM of its own so that its heap limit is
 * the one the test sets.
 */
class SmallHeapMigrationTest {
    private static final long GUEST = 2L << 30;

    @Test
    void aTwoGibGuestMigratesAndVerifiesInA256MibHeap() throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(java.toString(), "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                Child.class.getName()).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(5, TimeUnit.MINUTES)).isTrue();
        assertThat(p.exitValue()).as(output).isZero();
        assertThat(output).contains("verified");
    }

    /** The migration, in the child JVM: exits 0 when it completed and verified. */
    static final class Child {
        public static void main(String[] args) throws Exception {
            var setup = new SimulatedMigration.Setup(GuestConfig.linux61("big", GUEST).withStoreMode(PageStoreMode.SEEDED),
                    List.of(), List.of(), MigrationOptions.defaults().withSoft(SoftPolicy.OFF), false);
            SimulatedMigration.Result r = SimulatedMigration.run(setup, MigrationListener.NONE);
            System.out.println(r.passed() ? "verified" : "FAILED: " + r.report().error() + " " + r.verification());
            System.exit(r.passed() ? 0 : 1);
        }
    }
}
