package org.sonicmigration.guest.agent;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.sonicmigration.guest.HintAreaGeometry;

/**
 * A hint area kept in a file and mapped shared, for a user-space agent: the writer publishes into the
 * mapping, and whatever shares it with dom0 (granting the pages through {@code /dev/xen/gntalloc}, which is not
 * this class's job) or a local reader sees the same bytes. The mapped pages are file pages mapped by the
 * agent, so the agent's own classification never counts them as soft (SPEC.md §3).
 */
public final class HintAreaFile {

    private HintAreaFile() {
    }

    /**
     * Creates (or truncates) {@code file} to the geometry's size and maps it read-write for the lifetime of
     * {@code arena}. Initialise it with {@link org.sonicmigration.guest.HintAreaWriter#initialize} before use.
     */
    public static MemorySegment create(Path file, HintAreaGeometry geometry, Arena arena) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            ch.truncate(0);
            // write the last byte so the whole area is backed before it is mapped
            ch.write(java.nio.ByteBuffer.allocate(1), geometry.areaBytes() - 1);
            return ch.map(FileChannel.MapMode.READ_WRITE, 0, geometry.areaBytes(), arena);
        } catch (IOException e) {
            throw new AgentException(AgentException.Kind.IO, "cannot create hint area file " + file + ": "
                    + WordChannel.oneLine(e), e);
        }
    }

    /** Maps an existing area file read-only (the reader's view), its whole length. */
    public static MemorySegment openReadOnly(Path file, Arena arena) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            return ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena);
        } catch (IOException e) {
            throw WordChannel.openFailure(file, e);
        }
    }
}
