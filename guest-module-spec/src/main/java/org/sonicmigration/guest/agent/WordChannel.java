package org.sonicmigration.guest.agent;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * One file of little-endian 64-bit words, raw or gzip-compressed, read in whole chunks. A raw file is read
 * with plain {@code read(2)} calls of 8-byte multiples from offset 0, which is what {@code /proc/kpageflags}
 * accepts (it refuses unaligned offsets and lengths).
 */
final class WordChannel implements AutoCloseable {

    private final Path path;
    private final String what;
    private final FileChannel file;
    private final ReadableByteChannel in;
    private final ByteBuffer buffer;

    private WordChannel(Path path, String what, FileChannel file, ReadableByteChannel in, int chunkWords) {
        this.path = path;
        this.what = what;
        this.file = file;
        this.in = in;
        this.buffer = ByteBuffer.allocate(chunkWords * 8).order(ByteOrder.LITTLE_ENDIAN);
    }

    static WordChannel open(Path path, String what, int chunkWords) {
        FileChannel fc;
        try {
            fc = FileChannel.open(path, StandardOpenOption.READ);
        } catch (IOException e) {
            throw openFailure(path, e);
        }
        try {
            // an aligned 8-byte probe: gzip starts with 1f 8b, a kernel file accepts nothing shorter
            ByteBuffer probe = ByteBuffer.allocate(8);
            int n = fc.read(probe, 0);
            boolean gzip = n >= 2 && probe.get(0) == (byte) 0x1f && probe.get(1) == (byte) 0x8b;
            ReadableByteChannel in = gzip ? Channels.newChannel(new GZIPInputStream(Channels.newInputStream(fc), 1 << 16)) : fc;
            return new WordChannel(path, what, fc, in, chunkWords);
        } catch (IOException e) {
            closeQuietly(fc);
            throw new AgentException(AgentException.Kind.IO, "cannot read " + path + ": " + oneLine(e));
        }
    }

    /** The one-line failure for a file that cannot be opened; package-visible so its wording is tested. */
    static AgentException openFailure(Path path, IOException e) {
        if (e instanceof AccessDeniedException) {
            if (path.startsWith("/proc")) {
                return new AgentException(AgentException.Kind.NEEDS_ROOT, path + " is readable by root only", e);
            }
            return new AgentException(AgentException.Kind.IO, "permission denied: " + path, e);
        }
        if (e instanceof NoSuchFileException) {
            if (path.startsWith("/proc")) {
                return new AgentException(AgentException.Kind.MISSING, path
                        + " does not exist (not Linux, or a kernel without CONFIG_PROC_PAGE_MONITOR)", e);
            }
            return new AgentException(AgentException.Kind.MISSING, "no such file: " + path, e);
        }
        return new AgentException(AgentException.Kind.IO, "cannot open " + path + ": " + oneLine(e), e);
    }

    Path path() {
        return path;
    }

    /** Reads up to {@code max} words into {@code dst}; fewer only at the end of the file; 0 at the end. */
    int read(long[] dst, int max) {
        buffer.clear().limit(Math.min(max, buffer.capacity() / 8) * 8);
        try {
            while (buffer.hasRemaining()) {
                if (in.read(buffer) < 0) {
                    break;
                }
            }
        } catch (EOFException | ZipException e) {
            throw new AgentException(AgentException.Kind.MALFORMED, path + ": damaged or truncated gzip data ("
                    + oneLine(e) + ")", e);
        } catch (IOException e) {
            throw new AgentException(AgentException.Kind.IO, "cannot read " + path + ": " + oneLine(e), e);
        }
        buffer.flip();
        if (buffer.remaining() % 8 != 0) {
            throw new AgentException(AgentException.Kind.MALFORMED, path + ": " + what
                    + " length is not a multiple of 8 bytes");
        }
        int words = buffer.remaining() / 8;
        buffer.asLongBuffer().get(dst, 0, words);
        return words;
    }

    @Override
    public void close() {
        closeQuietly(in);
        closeQuietly(file);
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // nothing was written; a failed close loses nothing
        }
    }

    static String oneLine(Throwable e) {
        String m = e.getMessage();
        if (m == null || m.isBlank()) {
            return e.getClass().getSimpleName();
        }
        return m.lines().findFirst().orElse(m);
    }
}
