package org.sonicmigration.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * SIGINT and SIGTERM to a real {@code sonic simulate} process (the main class {@code bin/sonic} runs, on
 * this build's class path) in the middle of its first live pass: the process rolls back, prints its
 * report and exits with 130 or 143, and the guest is running on the source. The link is slow enough
 * (20 Mbit/s for 256 MiB: about 100 s for the pass) that the signal, sent 2 s after the engine's debug
 * log says the live passes start, lands mid-pass however slowly the JVM started.
 */
@Timeout(180)
class InterruptTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @CsvSource({"INT, 130", "TERM, 143"})
    void aSignalDuringALivePassRollsBackAndExitsWithItsCode(String signal, int expected) throws Exception {
        Path out = dir.resolve("out");
        Path err = dir.resolve("err");
        // env resets the signal's disposition: a background job of a non-interactive shell starts with
        // SIGINT ignored, and an ignored signal stays ignored in the JVM.
        Process p = new ProcessBuilder(List.of("env", "--default-signal=INT,TERM",
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                Sonic.class.getName(), "--debug", "simulate", "--memory", "256M", "--soft", "off",
                "--bandwidth", "20Mbit", "--no-progress"))
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            while (!read(err).contains("the live passes start")) {
                assertThat(p.isAlive()).as("the migration started: " + read(err)).isTrue();
                assertThat(System.nanoTime()).as("the live passes started within 90 s").isLessThan(deadline);
                Thread.sleep(200);
            }
            assertThat(p.waitFor(2, TimeUnit.SECONDS)).as("still migrating 2 s into the first pass").isFalse();
            new ProcessBuilder("kill", "-" + signal, Long.toString(p.pid())).inheritIO().start().waitFor();
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("exited within 60 s of the signal").isTrue();
            String report = read(out);
            String errors = read(err);
            assertThat(p.exitValue()).as(report + errors).isEqualTo(expected);
            assertThat(errors).contains("sonic: SIG" + signal + ": stopping the migration");
            assertThat(report).contains("STOPPED on request, source guest restored")
                    .contains("stopped on request (SIG" + signal + ") during live pass 0")
                    .contains("the source guest is running");
        } finally {
            p.destroyForcibly();
        }
    }

    private static String read(Path file) throws IOException {
        return Files.readString(file, StandardCharsets.UTF_8);
    }
}
