/**
 * Where a migration stream goes: a file, a socket or a process, with xl's own handshake around the
 * stream, a bandwidth cap, and a watchdog for a peer that stops reading. Knows bytes and the handshake,
 * not pages or domains.
 */
package org.sonicmigration.transport;
