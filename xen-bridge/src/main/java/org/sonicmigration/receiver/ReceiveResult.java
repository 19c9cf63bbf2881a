package org.sonicmigration.receiver;

import java.util.Optional;
import org.sonicmigration.spi.TargetDomain;

/**
 * What a receiver built from a stream.
 *
 * @param domain         the destination domain (paused until handed over)
 * @param replaces       the existing domain it is to replace at handover ({@link NameClash#REPLACE}), if any
 * @param pagesWithData  frames filled with content
 * @param pagesAllocated frames allocated without content
 * @param holes          entries that named no frame
 * @param bytes          stream bytes read
 * @param nanos          time from the first byte to the end of the stream
 */
public record ReceiveResult(TargetDomain domain, long pagesWithData, long pagesAllocated, long holes, long bytes,
                            long nanos, Optional<String> replaces) {
    public ReceiveResult(TargetDomain domain, long pagesWithData, long pagesAllocated, long holes, long bytes, long nanos) {
        this(domain, pagesWithData, pagesAllocated, holes, bytes, nanos, Optional.empty());
    }
}
