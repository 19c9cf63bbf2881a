package org.sonicmigration.cli;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.concurrent.Callable;
import org.sonicmigration.transport.CompressedStreamException;
import org.sonicmigration.transport.Compression;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code sonic decompress lz4|zstd}: a filter in front of a receiver command, for streams sent with
 * {@code sonic migrate --compress}. It restores the compressed stream from standard input to standard
 * output, then passes xl's handshake after it through unchanged, byte by byte as it comes, so that
 * {@code --exec "sonic decompress zstd | xl migrate-receive"} works with stock Xen's receiver.
 */
@Command(name = "decompress", mixinStandardHelpOptions = true, footer = {"", "Examples:",
        "  sonic migrate mydomain --compress zstd --exec \"ssh desthost 'sonic decompress zstd | xl migrate-receive'\"",
        "  sonic migrate sim-guest --compress lz4 --exec \"sonic decompress lz4 | sonic migrate-receive\"  (simulator)"},
        description = "Restore a stream sent with 'sonic migrate --compress' from stdin to stdout, then pass the"
                + " rest of stdin (xl's handshake) through: a filter before a receiver command.")
final class DecompressCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "lz4|zstd", converter = CompressionConverter.class,
            description = "The compression the source used (its --compress).")
    Compression compression;

    @Override
    public Integer call() throws IOException {
        InputStream in = new BufferedInputStream(new FileInputStream(FileDescriptor.in), 1 << 20);
        OutputStream out = new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 1 << 20);
        try (out) {
            filter(in, out, compression);
        }
        return 0;
    }

    /** The filter itself: the compressed part restored, then everything after it passed on as it arrives. */
    static void filter(InputStream in, OutputStream out, Compression compression) throws IOException {
        Compression found = Compression.sniff(in);
        if (found != compression) {
            throw new Errors.UserException("standard input is not a " + compression.cliName() + "-compressed sonic"
                    + " stream (" + (found == Compression.NONE ? "it is not compressed: drop the filter, or migrate"
                    + " with --compress " + compression.cliName() : "it is " + found.cliName() + "-compressed") + ")");
        }
        try {
            compression.decompressing(in).transferTo(out);
        } catch (CompressedStreamException e) {
            throw new Errors.UserException(e.getMessage(), e);
        }
        out.flush();
        byte[] b = new byte[8192];
        for (int n; (n = in.read(b)) >= 0; ) {
            // The handshake is a few small messages, each waited for by the other side: pass each on at once.
            out.write(b, 0, n);
            out.flush();
        }
    }
}
