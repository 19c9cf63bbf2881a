/**
 * The destination side: reads a stream with bounds on every length, builds the domain on a backend's
 * {@link org.sonicmigration.spi.TargetDomain}, and serves incoming migrations over TCP with xl's
 * handshake ({@link org.sonicmigration.receiver.MigrationServer}).
 */
package org.sonicmigration.receiver;
