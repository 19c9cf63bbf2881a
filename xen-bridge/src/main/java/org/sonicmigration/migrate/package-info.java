/**
 * The migration engine and its peers: the pre-copy loop on the source (one generic loop over the
 * backend SPI, in the manner of Xen's own saver), the receiver that rebuilds a domain from a stream,
 * the xl-compatible handshake over a connection, and the clock and bandwidth cap they share.
 */
package org.sonicmigration.migrate;
