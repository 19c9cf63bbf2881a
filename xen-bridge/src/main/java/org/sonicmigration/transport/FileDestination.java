package org.sonicmigration.transport;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * A stream file, like the one {@code xl save} writes. It is written under a temporary name and renamed
 * into place only when complete and synced, so a failed save never leaves a file that looks whole.
 */
public final class FileDestination implements StreamDestination {
    private final Path target;
    private final Path partial;
    private FileChannel channel;
    private OutputStream out;
    private boolean done;

    public FileDestination(Path target) {
        this.target = target;
        this.partial = target.resolveSibling(target.getFileName() + ".partial");
    }

    @Override
    public OutputStream open() throws IOException {
        channel = FileChannel.open(partial, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING);
        out = new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 20);
        return out;
    }

    @Override
    public void handOver() throws IOException {
        out.flush();
        channel.force(true);
        channel.close();
        Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        done = true;
    }

    @Override
    public String describe() {
        return target.toString();
    }

    @Override
    public void close() throws IOException {
        if (channel != null && channel.isOpen()) {
            channel.close();
        }
        if (!done) {
            Files.deleteIfExists(partial);
        }
    }
}
