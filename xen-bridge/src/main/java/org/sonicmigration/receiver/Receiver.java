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

/**
 * The destination side's core: reads one stream and builds the domain it describes on a hypervisor.
 * Either it returns a complete, paused domain, or it has destroyed what it started and throws.
 */
public final class Receiver {
    private final Hypervisor hypervisor;
    private final StreamLimits limits;
    private final String nameOverride;
    private final NameClash clash;

    public Receiver(Hypervisor hypervisor, StreamLimits limits, String nameOverride) {
        this(hypervisor, limits, nameOverride, NameClash.REFUSE);
    }

    /** @param clash what to do if the stream's domain name is taken here */
    public Receiver(Hypervisor hypervisor, StreamLimits limits, String nameOverride, NameClash clash) {
        this.hypervisor = hypervisor;
        this.limits = limits;
        this.nameOverride = nameOverride;
        this.clash = clash;
    }

    /**
     * Restores from {@code in}, whose framing is detected from its first bytes.
     *
     * @throws StreamFormatException the stream is malformed (nothing is left behind)
     * @throws ReceiveException      the stream cannot be restored here (nothing is left behind)
     */
    public ReceiveResult receive(InputStream in) throws IOException, StreamFormatException {
        BufferedInputStream buffered = in instanceof BufferedInputStream b ? b : new BufferedInputStream(in, 1 << 20);
        Framing framing = StreamReader.detect(buffered);
        return receive(buffered, framing);
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
        DomainBuilder builder = new DomainBuilder(hypervisor, nameOverride, clash);
        StreamReader reader = new StreamReader(in, limits);
        long start = System.nanoTime();
        boolean ok = false;
        try {
            reader.read(framing, builder);
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
