package org.sonicmigration.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.ProcessBuilder.Redirect;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A receiver command spoken to over its pipes, the way {@code sonic migrate --exec 'xl migrate-receive'}
 * does: scripted receivers play xl's side of the handshake, refuse, quit early, stall or stay silent.
 */
@Timeout(60)
class ProcessDestinationTest {
    static final int STREAM_BYTES = 300_000;
    static final Duration SHORT = Duration.ofSeconds(1);

    @TempDir
    Path dir;

    /** A shell {@code printf} of an xl handshake message (NULs as octal escapes). */
    static String say(byte[] message) {
        StringBuilder sb = new StringBuilder("printf '");
        for (byte b : message) {
            int c = b & 0xff;
            sb.append(c == 0 ? "\\000" : c == '\n' ? "\\n" : String.valueOf((char) c));
        }
        return sb.append("'; ").toString();
    }

    /** xl migrate-receive as the sender sees it: banner, the stream, confirmation, GO, report with STATUS. */
    String receiver(int status) {
        String script = say(XlHandshake.BANNER)
                + "head -c " + STREAM_BYTES + " > " + dir.resolve("stream") + "; "
                + say(XlHandshake.RECEIVED)
                + "head -c " + XlHandshake.PERMISSION_TO_GO.length + " > " + dir.resolve("go") + "; "
                + say(XlHandshake.REPORT) + "printf '\\" + String.format("%03o", status) + "'; ";
        if (status != 0) {
            script += say(XlHandshake.PERMISSION_TO_GO);
        }
        return script;
    }

    static ProcessDestination destination(String command, Duration timeout) {
        return new ProcessDestination(command, timeout, Redirect.DISCARD);
    }

    static byte[] stream() {
        byte[] b = new byte[STREAM_BYTES];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) (i * 31 + 7);
        }
        return b;
    }

    @Test
    void aReceiverGetsTheWholeStreamAndStartsTheGuestAfterTheSourceLetGo() throws Exception {
        List<String> order = new ArrayList<>();
        try (ProcessDestination d = destination(receiver(0), Duration.ofSeconds(30))) {
            OutputStream out = d.open();
            out.write(stream());
            d.handOver(() -> {
                // the receiver confirmed the stream, and has not been told to start yet
                order.add("released, GO bytes the receiver had: " + bytes(dir.resolve("go")));
            });
            order.add("handed over");
        }
        assertThat(Files.readAllBytes(dir.resolve("stream"))).isEqualTo(stream());
        assertThat(Files.readAllBytes(dir.resolve("go"))).isEqualTo(XlHandshake.PERMISSION_TO_GO);
        assertThat(order).containsExactly("released, GO bytes the receiver had: 0", "handed over");
    }

    @Test
    void aReceiverThatCannotStartTheGuestHandsItBack() throws Exception {
        List<String> released = new ArrayList<>();
        try (ProcessDestination d = destination(receiver(6), Duration.ofSeconds(30))) {
            d.open().write(stream());
            assertThatThrownBy(() -> d.handOver(() -> released.add("name")))
                    .isInstanceOf(XlHandshake.HandshakeException.class)
                    .hasMessage("the destination could not start the guest (status 6) and handed it back");
        }
        assertThat(released).containsExactly("name");
    }

    @Test
    void aReceiverThatReportsFailureWithoutHandingTheGuestBackLeavesTheHandOverUncertain() throws Exception {
        // xl's sender goes to failed_badly here: the receiver's copy may still exist.
        String noHandBack = receiver(0).replace("printf '\\000'; ", "printf '\\006'; ");
        try (ProcessDestination d = destination(noHandBack, Duration.ofSeconds(30))) {
            d.open().write(stream());
            assertThatThrownBy(() -> d.handOver(() -> {}))
                    .isInstanceOf(HandoverUncertainException.class)
                    .hasMessageStartingWith("command '" + noHandBack + "' reported that it could not start the guest"
                            + " (status 6) but did not hand it back");
        }
    }

    @Test
    void aGoThatCannotBeWrittenLeavesTheHandOverUncertain() throws Exception {
        // The receiver stops reading after its confirmation: the permission to start cannot be delivered,
        // yet part of it may have been, so the source must not resume on its own.
        String deaf = say(XlHandshake.BANNER) + "head -c " + STREAM_BYTES + " > /dev/null; exec 0<&-; "
                + say(XlHandshake.RECEIVED) + "sleep 5";
        try (ProcessDestination d = destination(deaf, Duration.ofSeconds(30))) {
            d.open().write(stream());
            assertThatThrownBy(() -> d.handOver(() -> {}))
                    .isInstanceOf(HandoverUncertainException.class)
                    .hasMessageStartingWith("lost command '" + deaf + "' after giving it permission to start the guest");
        }
    }

    @Test
    void whenTheSourceCannotLetGoTheReceiverIsNeverToldToStart() throws Exception {
        try (ProcessDestination d = destination(receiver(0), Duration.ofSeconds(30))) {
            d.open().write(stream());
            assertThatThrownBy(() -> d.handOver(() -> {
                throw new IllegalStateException("rename failed");
            })).hasMessage("rename failed");
        }
        assertThat(Files.readAllBytes(dir.resolve("go"))).isEmpty();
    }

    @Test
    void aReceiverThatQuitsDuringTheStreamIsNamedWithItsExitStatus() throws Exception {
        String quitter = say(XlHandshake.BANNER) + "head -c 10 > /dev/null; exit 3";
        try (ProcessDestination d = destination(quitter, Duration.ofSeconds(30))) {
            OutputStream out = d.open();
            assertThatThrownBy(() -> {
                for (int i = 0; i < 64; i++) {
                    out.write(stream());
                }
                out.flush();
            }).isInstanceOf(IOException.class)
                    .hasMessageStartingWith("the receiver command '" + quitter + "' exited with status 3");
            // It did not refuse the stream: it quit, and the write's own error says so.
            assertThat(d.refusal()).isEmpty();
        }
    }

    @Test
    void aCommandThatDoesNotExistFailsAtTheBanner() throws Exception {
        try (ProcessDestination d = destination("exec /nonexistent/xl migrate-receive", Duration.ofSeconds(30))) {
            assertThatThrownBy(d::open).isInstanceOf(XlHandshake.HandshakeException.class)
                    .hasMessageContaining("exited with status 127")
                    .hasMessageContaining("peer closed the connection while we waited for the receiver's banner");
        }
    }

    @Test
    void aSilentReceiverIsKilledWithItsChildrenAfterTheTimeout() throws Exception {
        Path pid = dir.resolve("pid");
        String silent = "sleep 600 & echo $! > " + pid + "; wait";
        try (ProcessDestination d = destination(silent, SHORT)) {
            assertThatThrownBy(d::open).isInstanceOf(XlHandshake.HandshakeException.class)
                    .hasMessage("no answer from command '" + silent + "' within 1 s");
        }
        assertThat(childAlive(pid)).isFalse();
    }

    @Test
    void aReceiverThatStopsReadingIsKilledAndTheWriteFails() throws Exception {
        Path pid = dir.resolve("pid");
        String stuck = say(XlHandshake.BANNER) + "sleep 600 & echo $! > " + pid + "; wait";
        try (ProcessDestination d = destination(stuck, SHORT)) {
            OutputStream out = d.open();
            assertThatThrownBy(() -> {
                for (int i = 0; i < 64; i++) {
                    out.write(stream());
                }
            }).isInstanceOf(IOException.class);
            assertThat(d.refusal()).get().satisfies(r -> {
                assertThat(r.reason()).isEqualTo("it stopped reading for 1 s");
                assertThat(r).hasMessage("peer refused: it stopped reading for 1 s");
            });
        }
        assertThat(childAlive(pid)).isFalse();
    }

    @Test
    void aReceiverThatRefusesEarlyIsNoticedBetweenBatches() throws Exception {
        String refuser = say(XlHandshake.BANNER) + "printf 'sonic receiver error: no room for 4 GiB\\n'; cat > /dev/null";
        try (ProcessDestination d = destination(refuser, Duration.ofSeconds(30))) {
            d.open();
            assertThatThrownBy(() -> {
                for (int i = 0; i < 100; i++) {
                    d.checkPeer();
                    Thread.sleep(50);
                }
            }).isInstanceOfSatisfying(PeerRefusedException.class, r -> assertThat(r.reason()).isEqualTo("no room for 4 GiB"))
                    .hasMessage("peer refused: no room for 4 GiB");
        }
    }

    @Test
    void anEmptyCommandIsRefusedUpFront() {
        assertThatThrownBy(() -> new ProcessDestination(" ", Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("the receiver command is empty");
    }

    private static long bytes(Path file) {
        try {
            return Files.exists(file) ? Files.size(file) : 0;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static boolean childAlive(Path pidFile) throws IOException {
        String text = Files.readString(pidFile, StandardCharsets.US_ASCII).strip();
        Optional<ProcessHandle> child = ProcessHandle.of(Long.parseLong(text));
        if (child.isEmpty()) {
            return false;
        }
        // a killed child of an already reaped shell may linger as a zombie for a moment
        child.get().onExit().orTimeout(10, java.util.concurrent.TimeUnit.SECONDS).exceptionally(t -> null).join();
        return child.get().isAlive();
    }
}
