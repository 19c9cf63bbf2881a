package org.sonicmigration.receiver;

import org.sonicmigration.spi.TargetDomain;

/**
 * What a receiver built from a stream.
 *
 * @param domain         the destination domain (paused until handed over)
 * @param pagesWithData  frames filled with content
 * @param pagesAllocated frames allocated without content
 * @param holes          entries that named no frame
 * @param bytes          stream bytes read
 * @param nanos          time from the first byte to the end of the stream
 */
public record ReceiveResult(TargetDomain domain, long pagesWithData, long pagesAllocated, long holes, long bytes,
                            long nanos) {}
