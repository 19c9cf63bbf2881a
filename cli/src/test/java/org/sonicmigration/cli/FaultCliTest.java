package org.sonicmigration.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Faults as the operator meets them, through {@code sonic} itself: a receiver process killed in the middle
 * of the stream, and a JVM whose heap is too small for the simulated guest's memory. Each ends in one line
 * on stderr naming the true cause and a non-zero exit code; the killed receiver's migration then succeeds
 * into a new receiver.
 */
@Timeout(300)
class FaultCliTest {
    private static final Pattern LISTENING = Pattern.compile("listening on [0-9.]+:(\\d+)");

    @TempDir
    Path dir;

    @Test
    void aReceiverKilledMidStreamIsADestinationFailureAndTheRetrySucceeds() throws Exception {
        Process receiver = receiver("first");
        try {
            int port = awaitPort(receiver, "first");
            // 5 Mbit/s: the 64 MiB guest's first pass takes seconds, and the kill comes half a second into it.
            StringWriter events = new StringWriter();
            Thread killer = Thread.ofPlatform().start(() -> {
                try {
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
                    while (!events.toString().contains("\"pass-start\"") && System.nanoTime() < deadline) {
                        Thread.sleep(50);
                    }
                    Thread.sleep(500);
                    receiver.destroyForcibly();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            Run failed = sonic(events, "migrate", "sim-guest", "127.0.0.1:" + port, "--memory", "64M", "--bandwidth",
                    "5Mbit", "--connect-timeout", "20s", "--no-progress", "--json");
            killer.join();
            assertThat(failed.code()).as(failed.err()).isEqualTo(ExitCode.DESTINATION_FAILED.code);
            assertThat(failed.errLines()).as("one line").hasSize(1);
            assertThat(failed.errLines().getFirst()).startsWith("sonic: migration of sim-guest failed: ")
                    .endsWith("; the source guest is running").doesNotContain("Connection refused");
            assertThat(failed.out()).contains("\"phase\":\"ROLLBACK\"");
        } finally {
            receiver.destroyForcibly().waitFor();
        }
        Process again = receiver("second");
        try {
            int port = awaitPort(again, "second");
            Run retry = sonic(new StringWriter(), "migrate", "sim-guest", "127.0.0.1:" + port, "--memory", "64M", "--no-progress", "-q");
            assertThat(retry.code()).as(retry.err()).isZero();
            assertThat(again.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(read(dir.resolve("second.out"))).contains("received sim-guest").contains("guest started");
        } finally {
            again.destroyForcibly().waitFor();
        }
    }

    @Test
    void aHeapTooSmallForTheGuestIsOneLineThatSaysSo() throws Exception {
        Run r = java("-Xmx96m", "simulate", "--memory", "1G", "--no-progress");
        assertThat(r.code()).as(r.err()).isEqualTo(ExitCode.FAILED.code);
        assertThat(r.errLines()).as(r.err()).hasSize(1);
        assertThat(r.errLines().getFirst()).startsWith("sonic: out of memory in main: Java heap space")
                .contains("-Xmx");
    }

    private record Run(int code, String out, String err) {
        Run {
            System.out.println("fault outcome: exit " + code + ": " + err.strip().replace("\n", " / "));
        }

        List<String> errLines() {
            return err.lines().filter(l -> !l.isBlank()).toList();
        }
    }

    private static Run sonic(StringWriter out, String... args) {
        StringWriter err = new StringWriter();
        int code = Sonic.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(code, out.toString(), err.toString());
    }

    /** {@code sonic} in a JVM of its own with {@code jvmOption}, as bin/sonic runs it with SONIC_JAVA_OPTS. */
    private Run java(String jvmOption, String... args) throws IOException, InterruptedException {
        Path out = dir.resolve("java.out");
        Path err = dir.resolve("java.err");
        List<String> command = new ArrayList<>(List.of(javaBin(), "--enable-native-access=ALL-UNNAMED", jvmOption,
                "-cp", System.getProperty("java.class.path"), Sonic.class.getName()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        try {
            assertThat(p.waitFor(240, TimeUnit.SECONDS)).as("sonic ended").isTrue();
        } finally {
            p.destroyForcibly();
        }
        return new Run(p.exitValue(), read(out), read(err));
    }

    private Process receiver(String name) throws IOException {
        return new ProcessBuilder(javaBin(), "--enable-native-access=ALL-UNNAMED", "-cp",
                System.getProperty("java.class.path"), Sonic.class.getName(), "receive", "--listen", "127.0.0.1:0",
                "--timeout", "20s")
                .redirectOutput(dir.resolve(name + ".out").toFile()).redirectError(dir.resolve(name + ".err").toFile())
                .start();
    }

    private int awaitPort(Process receiver, String name) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            Matcher m = LISTENING.matcher(read(dir.resolve(name + ".out")));
            if (m.find()) {
                return Integer.parseInt(m.group(1));
            }
            assertThat(receiver.isAlive()).as("the receiver runs: " + read(dir.resolve(name + ".err"))).isTrue();
            Thread.sleep(100);
        }
        throw new AssertionError("the receiver did not listen within 120 s");
    }

    private static String javaBin() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static String read(Path file) throws IOException {
        return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
    }
}
