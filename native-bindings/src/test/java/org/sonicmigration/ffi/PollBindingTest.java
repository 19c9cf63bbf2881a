package org.sonicmigration.ffi;

import java.io.FileInputStream;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The poll binding works as C's: the struct carries the descriptor and the requested and returned
 * events where the kernel reads and writes them, and the timeout is honoured. A regular file is always
 * readable; a negative descriptor is ignored (so poll only times out); a descriptor that is not open
 * comes back with POLLNVAL.
 */
class PollBindingTest {

    @TempDir
    Path dir;

    @Test
    void aRegularFileIsReadableAtOnce() throws IOException {
        Path file = Files.writeString(dir.resolve("readable"), "x");
        try (FileInputStream in = new FileInputStream(file.toFile()); Arena arena = Arena.ofConfined()) {
            int fd = descriptorOf(file);
            MemorySegment p = pollfd.allocate(arena);
            pollfd.fd(p, fd);
            pollfd.events(p, (short) libc_h.POLLIN());
            int ready = libc_h.poll(p, 1, 5_000);
            assertThat(ready).isEqualTo(1);
            assertThat(pollfd.revents(p) & libc_h.POLLIN()).isEqualTo(libc_h.POLLIN());
            assertThat(pollfd.fd(p)).as("the kernel leaves fd alone").isEqualTo(fd);
            assertThat(in.read()).isEqualTo('x');
        }
    }

    @Test
    void aNegativeDescriptorOnlyTimesOut() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment p = pollfd.allocate(arena);
            pollfd.fd(p, -1);
            pollfd.events(p, (short) libc_h.POLLIN());
            pollfd.revents(p, (short) 0x7fff);
            long start = System.nanoTime();
            int ready = libc_h.poll(p, 1, 30);
            long waitedMillis = (System.nanoTime() - start) / 1_000_000;
            assertThat(ready).isZero();
            assertThat(pollfd.revents(p)).as("cleared by the kernel").isZero();
            assertThat(waitedMillis).isGreaterThanOrEqualTo(25);
        }
    }

    @Test
    void aClosedDescriptorComesBackInvalid() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment fds = pollfd.allocateArray(2, arena);
            MemorySegment closed = pollfd.asSlice(fds, 1);
            pollfd.fd(pollfd.asSlice(fds, 0), -1);
            pollfd.fd(closed, 1 << 20);   // above any open descriptor of this process
            pollfd.events(closed, (short) libc_h.POLLIN());
            assertThat(libc_h.poll(fds, 2, 1_000)).isEqualTo(1);
            assertThat(pollfd.revents(closed) & libc_h.POLLNVAL()).isEqualTo(libc_h.POLLNVAL());
        }
    }

    /** The descriptor this process holds open on {@code file}, found through /proc/self/fd. */
    private static int descriptorOf(Path file) throws IOException {
        Path real = file.toRealPath();
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc/self/fd"))) {
            for (Path fd : fds) {
                try {
                    if (Files.readSymbolicLink(fd).equals(real)) {
                        return Integer.parseInt(fd.getFileName().toString());
                    }
                } catch (IOException gone) {
                    // the descriptor of the directory listing itself, closed meanwhile
                }
            }
        }
        throw new AssertionError("no descriptor open on " + real);
    }
}
