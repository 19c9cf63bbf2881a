package org.sonicmigration.receiver;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import org.sonicmigration.spi.BackendException;
import org.sonicmigration.spi.DomainRef;
import org.sonicmigration.spi.Hypervisor;
import org.sonicmigration.stream.Framing;
import org.sonicmigration.stream.StreamFormatException;
import org.sonicmigration.stream.StreamLimits;
import org.sonicmigration.stream.StreamReader;
import org.sonicmigration.transport.CompressedStreamException;
import org.sonicmigration.transport.Compression;

/**
 * The destination side's core: reads one stream and builds the domain it describes on a hypervisor.
 * Either it returns a complete, paused domain, or it has destroyed what it started and throws.
 */
public final class Receiver {
    private final Hypervisor hypervisor;
    private final StreamLimits limits;
    private final String nameOverride;
    private final NameClash clash;
    private final Compression accepted;

    public Receiver(Hypervisor hypervisor, StreamLimits limits, String nameOverride) {
        this(hypervisor, limits, nameOverride, NameClash.REFUSE);
    }

    /** @param clash what to do if the stream's domain name is taken here */
    public Receiver(Hypervisor hypervisor, StreamLimits limits, String nameOverride, NameClash clash) {
        this(hypervisor, limits, nameOverride, clash, Compression.NONE);
    }

    private Receiver(Hypervisor hypervisor, StreamLimits limits, String nameOverride, NameClash clash,
                     Compression accepted) {
        this.hypervisor = hypervisor;
        this.limits = limits;
        this.nameOverride = nameOverride;
        this.clash = clash;
        this.accepted = accepted;
    }

    /**
     * This receiver, also taking streams compressed with {@code compression} ({@code sonic receive --compress}).
     * Uncompressed streams are always taken; a stream compressed otherwise is refused before anything is built.
     */
    public Receiver accepting(Compression compression) {
        return new Receiver(hypervisor, limits, nameOverride, clash, compression);
    }

    /**
     * Restores from {@code in}, whose framing is detected from its first bytes.
     *
     * @throws StreamFormatException the stream is malformed (nothing is left behind)
     * @throws ReceiveException      the stream cannot be restored here (nothing is left behind)
     */
    public ReceiveResult receive(InputStream in) throws IOException, StreamFormatException {
        // A stream that can mark is already buffered (a socket channel's reader is, and reads pages directly).
        InputStream buffered = in.markSupported() ? in : new BufferedInputStream(in, 1 << 20);
        Compression compression = Compression.sniff(buffered);
        if (compression == Compression.NONE) {
            return receive(buffered, StreamReader.detect(buffered));
        }
        if (compression != accepted) {
            String c = compression.cliName();
            throw new ReceiveException("the source compresses its stream with " + c + " (sonic migrate --compress " + c
                    + ") and this receiver was not started with --compress " + c + ": start it so, or migrate without"
                    + " --compress");
        }
        InputStream plain = new BufferedInputStream(compression.decompressing(buffered), 1 << 20);
        try {
            return receive(plain, StreamReader.detect(plain), () -> {
                // The compressed part must end with the stream: the handshake follows it in plain bytes.
                if (plain.read() >= 0) {
                    throw new ReceiveException("the compressed part goes on after the stream's last record");
                }
            });
        } catch (CompressedStreamException e) {
            throw new ReceiveException(e.getMessage());
        }
    }

    /**
     * Makes a received domain this host's, once its source has let go: with {@link NameClash#REPLACE}, the
     * domain it replaces is destroyed only now and the new one takes its name.
     *
     * @throws BackendException if the old domain cannot be destroyed or the new one renamed
     */
    public void takeOver(ReceiveResult received) {
        if (received.replaces().isEmpty()) {
            return;
        }
        String name = received.replaces().get();
        boolean stillThere = hypervisor.listDomains().stream().anyMatch(d -> name.equals(d.name()));
        if (stillThere) {
            hypervisor.destroyDomain(new DomainRef.ByName(name));
        }
        received.domain().rename(name);
    }

    public ReceiveResult receive(InputStream in, Framing framing) throws IOException, StreamFormatException {
        return receive(in, framing, () -> { });
    }

    /** What must hold of the input once the stream's last record is read, before the domain counts as built. */
    @FunctionalInterface
    private interface EndCheck {
        void check() throws IOException;
    }

    private ReceiveResult receive(InputStream in, Framing framing, EndCheck atEnd)
            throws IOException, StreamFormatException {
        DomainBuilder builder = new DomainBuilder(hypervisor, nameOverride, clash);
        StreamReader reader = new StreamReader(in, limits);
        long start = System.nanoTime();
        boolean ok = false;
        try {
            reader.read(framing, builder);
            atEnd.check();
            var domain = builder.finish();
            ok = true;
            return new ReceiveResult(domain, builder.pagesWithData, builder.pagesAllocated, builder.holes,
                    reader.bytesRead(), System.nanoTime() - start, builder.replaces());
        } catch (BackendException e) {
            throw new ReceiveException("the destination backend failed: " + e.getMessage());
        } finally {
            if (!ok) {
                builder.discard();
            }
        }
    }
}
