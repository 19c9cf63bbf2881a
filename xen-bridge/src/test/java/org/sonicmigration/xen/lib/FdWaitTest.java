package org.sonicmigration.xen.lib;

import java.io.FileInputStream;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Waiting on a descriptor with poll: timeouts, signals (EINTR), errors, interrupts; then poll(2) itself. */
class FdWaitTest {
    static final int EINTR = 4;
    static final int EBADF = 9;
    static final int POLLIN = 1;
    static final int POLLHUP = 16;
    static final int POLLNVAL = 32;

    /** A scripted poll on a fake clock: each answer is given after the time it says it took. */
    static class ScriptedPoll implements FdWait.Poll {
        record Answer(long tookNanos, FdWait.Result result) {}

        final Deque<Answer> script = new ArrayDeque<>();
        final List<Integer> timeouts = new ArrayList<>();
        long now;

        ScriptedPoll then(long tookMillis, int returned, int revents, int errno) {
            script.add(new Answer(tookMillis * 1_000_000, new FdWait.Result(returned, revents, errno)));
            return this;
        }

        @Override
        public FdWait.Result poll(int fd, int timeoutMillis) {
            timeouts.add(timeoutMillis);
            Answer a = script.poll();
            if (a == null) {   // nothing more happens: the whole timeout passes
                now += timeoutMillis * 1_000_000L;
                return new FdWait.Result(0, 0, 0);
            }
            now += a.tookNanos();
            return a.result();
        }
    }

    private static boolean await(ScriptedPoll p, long millis) throws InterruptedException {
        return FdWait.awaitReadable(9, Duration.ofMillis(millis), p, () -> p.now);
    }

    @Test
    void readableEndsTheWait() throws InterruptedException {
        ScriptedPoll p = new ScriptedPoll().then(20, 1, POLLIN, 0);
        assertThat(await(p, 80)).isTrue();
        assertThat(p.timeouts).containsExactly(80);
    }

    @Test
    void aSignalResumesTheWaitWithTheTimeLeft() throws InterruptedException {
        ScriptedPoll p = new ScriptedPoll().then(30, -1, 0, EINTR).then(20, -1, 0, EINTR);
        assertThat(await(p, 80)).isFalse();
        assertThat(p.timeouts).containsExactly(80, 50, 30);
        assertThat(p.now).isEqualTo(80_000_000L);
    }

    @Test
    void longWaitsGoInSlicesAndShortOnesNeverBecomeZeroTimePolls() throws InterruptedException {
        ScriptedPoll p = new ScriptedPoll();
        assertThat(await(p, 250)).isFalse();
        assertThat(p.timeouts).containsExactly(100, 100, 50);
        ScriptedPoll q = new ScriptedPoll();
        assertThat(FdWait.awaitReadable(9, Duration.ofNanos(300_000), q, () -> q.now)).isFalse();
        assertThat(q.timeouts).containsExactly(1);
        ScriptedPoll r = new ScriptedPoll().then(0, 1, POLLIN, 0);
        assertThat(FdWait.awaitReadable(9, Duration.ZERO, r, () -> r.now)).as("a zero timeout still looks once").isTrue();
        assertThat(r.timeouts).containsExactly(0);
    }

    @Test
    void anotherErrorIsNamed() {
        ScriptedPoll p = new ScriptedPoll().then(0, -1, 0, EBADF);
        assertThatThrownBy(() -> await(p, 80)).isInstanceOf(XenCallException.class)
                .hasMessageStartingWith("poll(descriptor 9) failed (returned -1): errno 9");
    }

    @Test
    void anInvalidOrHungUpDescriptorIsAnErrorNotAnEvent() {
        ScriptedPoll nval = new ScriptedPoll().then(0, 1, POLLNVAL, 0);
        assertThatThrownBy(() -> await(nval, 80)).isInstanceOf(XenCallException.class)
                .hasMessageContaining("POLLNVAL: the descriptor is not open");
        ScriptedPoll hup = new ScriptedPoll().then(0, 1, POLLHUP, 0);
        assertThatThrownBy(() -> await(hup, 80)).isInstanceOf(XenCallException.class)
                .hasMessageContaining("revents 0x10: the descriptor is in error or hung up");
    }

    @Test
    void anInterruptIsNoticedBetweenSlices() {
        ScriptedPoll p = new ScriptedPoll() {
            @Override
            public FdWait.Result poll(int fd, int timeoutMillis) {
                Thread.currentThread().interrupt();   // arrives while "in C"
                return super.poll(fd, timeoutMillis);
            }
        };
        assertThatThrownBy(() -> await(p, 10_000)).isInstanceOf(InterruptedException.class);
        assertThat(p.timeouts).hasSize(1);
        assertThat(Thread.interrupted()).isFalse();
    }

    @Test
    void realPollSeesARegularFileReadableAndTimesOutOnNothing(@TempDir Path dir) throws IOException, InterruptedException {
        Path file = Files.writeString(dir.resolve("f"), "x");
        try (FileInputStream in = new FileInputStream(file.toFile())) {
            assertThat(FdWait.awaitReadable(descriptorOf(file), Duration.ofSeconds(5))).isTrue();
            assertThat(in.read()).isEqualTo('x');
        }
        long start = System.nanoTime();
        assertThat(FdWait.awaitReadable(-1, Duration.ofMillis(30))).as("poll ignores a negative descriptor").isFalse();
        assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(29_000_000L);
        assertThatThrownBy(() -> FdWait.awaitReadable(1 << 20, Duration.ofSeconds(1))).isInstanceOf(XenCallException.class)
                .hasMessageContaining("POLLNVAL");
    }

    private static int descriptorOf(Path file) throws IOException {
        Path real = file.toRealPath();
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc/self/fd"))) {
            for (Path fd : fds) {
                try {
                    if (Files.readSymbolicLink(fd).equals(real)) {
                        return Integer.parseInt(fd.getFileName().toString());
                    }
                } catch (IOException gone) {
                    // the listing's own descriptor
                }
            }
        }
        throw new AssertionError("no descriptor open on " + real);
    }
}
