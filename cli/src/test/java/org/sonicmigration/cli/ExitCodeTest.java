package org.sonicmigration.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.sonicmigration.engine.MigrationControl;
import org.sonicmigration.engine.Outcome;

/** The agreed exit codes: one meaning each, every migration outcome mapped, listed in every command's help. */
class ExitCodeTest {

    @Test
    void theCodesAreTheAgreedOnesAndDistinct() {
        assertThat(Arrays.stream(ExitCode.values()).map(c -> c.code))
                .containsExactly(0, 1, 2, 3, 4, 5, 130, 143).doesNotHaveDuplicates();
    }

    @Test
    void everyOutcomeSaysWhereTheGuestIs() {
        assertThat(ExitCode.of(Outcome.COMPLETED, Optional.empty())).isEqualTo(ExitCode.SUCCESS);
        assertThat(ExitCode.of(Outcome.FAILED_SOURCE_RESUMED, Optional.empty())).isEqualTo(ExitCode.FAILED);
        assertThat(ExitCode.of(Outcome.DESTINATION_FAILED, Optional.empty())).isEqualTo(ExitCode.DESTINATION_FAILED);
        assertThat(ExitCode.of(Outcome.UNCERTAIN_SOURCE_PAUSED, Optional.of("SIGINT")))
                .as("a signal never hides an uncertain hand-over").isEqualTo(ExitCode.HANDOVER_UNCERTAIN);
        assertThat(ExitCode.of(Outcome.ABORTED, Optional.of("SIGINT")).code).isEqualTo(130);
        assertThat(ExitCode.of(Outcome.ABORTED, Optional.of("SIGTERM")).code).isEqualTo(143);
        Set<ExitCode> used = EnumSet.allOf(Outcome.class).stream()
                .map(o -> ExitCode.of(o, Optional.of("SIGTERM"))).collect(Collectors.toSet());
        assertThat(used).hasSize(Outcome.values().length);
    }

    @Test
    void everyCommandsHelpEndsWithTheExitCodes() {
        for (String c : new String[] {"simulate", "save", "restore", "migrate", "receive", "backends", "experiment",
                "hints"}) {
            StringWriter out = new StringWriter();
            int code = Sonic.run(new String[] {c, "--help"}, new PrintWriter(out), new PrintWriter(new StringWriter()));
            assertThat(code).isZero();
            String help = out.toString();
            assertThat(help).as(c).contains("Exit codes:");
            for (ExitCode e : ExitCode.values()) {
                String start = e.meaning.substring(0, Math.min(20, e.meaning.length()));
                assertThat(help).as(c).containsPattern("(?m)^\\s*" + e.code + "\\s+" + Pattern.quote(start));
            }
        }
    }

    @Test
    void aSignalBeforeTheMigrationStartsExitsAtOnceAndOneDuringItOnlyAsksTheEngineToStop() {
        MigrationControl control = new MigrationControl();
        StringWriter err = new StringWriter();
        int[] exited = {-1};
        SignalStop stop = new SignalStop(control, new PrintWriter(err), code -> exited[0] = code);
        stop.onSignal("SIGTERM");
        assertThat(exited[0]).isEqualTo(143);
        assertThat(err.toString()).contains("SIGTERM: stopped before the migration started; the guest was not touched");
        assertThat(stop.received()).contains("SIGTERM");
    }
}
