package org.sonicmigration.cli;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.sonicmigration.receiver.NameClash;
import org.sonicmigration.receiver.Receiver;
import org.sonicmigration.receiver.XlReceiveSession;
import org.sonicmigration.spi.Backend;
import org.sonicmigration.spi.Hypervisor;
import org.sonicmigration.stream.StreamLimits;
import org.sonicmigration.transport.Compression;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code sonic migrate-receive}: {@code xl migrate-receive}'s counterpart, for a destination without
 * xl: reads one migration on standard input, answers xl's handshake on standard output, builds the
 * domain on this host's backend and starts it once the source has let go. Messages go to standard
 * error, because standard output is the protocol.
 */
@Command(name = "migrate-receive", mixinStandardHelpOptions = true, footer = {"", "Examples:",
        "  sonic xl-migrate -s 'ssh' mydomain desthost      (runs 'xl migrate-receive' there)",
        "  sonic migrate mydomain --exec 'ssh desthost sonic migrate-receive'"},
        description = "Receive one migration on stdin/stdout with xl's handshake (as xl migrate-receive does) and"
                + " start the guest here.")
final class MigrateReceiveCommand implements Callable<Integer> {
    @Option(names = "-e", description = "Accepted for xl's syntax: this receiver never runs in the background.")
    boolean noDaemon;

    @Option(names = "-F", description = "Accepted for xl's syntax, as -e.")
    boolean foreground;

    @Option(names = "-d", description = "Accepted for xl's syntax: debug logs (as --debug).")
    boolean xlDebug;

    @Option(names = "-p", description = "Leave the received domain paused instead of starting it.")
    boolean paused;

    @Option(names = "--replace", description = "If a domain with the incoming guest's name exists here, receive the"
            + " guest as NAME--incoming and replace the existing domain (destroy it, rename the new one) only once the"
            + " whole stream has arrived and the source has let go. Without it such a stream is refused before any page.")
    boolean replace;

    @Option(names = "--compress", paramLabel = "lz4|zstd", converter = CompressionConverter.class,
            description = "Also take a stream the source compresses with lz4 or zstd (its --compress); without it such a"
                    + " stream is refused. Uncompressed streams are always taken.")
    Compression compress;

    @Mixin
    BackendOption backend;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (xlDebug) {
            Logging.debug(true);
        }
        PrintWriter err = spec.commandLine().getErr();
        Backend b = backend.select();
        InputStream in = new BufferedInputStream(new FileInputStream(FileDescriptor.in), 1 << 20);
        OutputStream out = new BufferedOutputStream(new FileOutputStream(FileDescriptor.out));
        try (Hypervisor hv = b.open()) {
            err.println("migration target: Ready to receive domain.");
            err.flush();
            XlReceiveSession session = new XlReceiveSession(in, out, new XlReceiveSession.Link() {
                @Override
                public void shutdownOutput() throws IOException {
                    out.close();
                }

                @Override
                public void drainTimeout(int millis) {
                    // a pipe cannot time out a read: the drain ends when the source closes its end
                }
            }, Duration.ZERO);
            var result = session.receive(new Receiver(hv, StreamLimits.defaults(), null,
                    replace ? NameClash.REPLACE : NameClash.REFUSE).accepting(compress == null ? Compression.NONE : compress), paused);
            if (!result.started()) {
                throw new Errors.UserException("migration not received: " + result.error());
            }
            var r = result.received();
            err.printf("migration target: received %s: %d pages with data, %d allocated without data; %s%n",
                    r.domain().info().name(), r.pagesWithData(), r.pagesAllocated(),
                    paused ? "left paused (-p)" : "guest started");
            err.flush();
            return 0;
        } finally {
            out.flush();
        }
    }
}
