/** The {@code sonic} command line: picocli commands over the engine, the receiver and the backends. */
package org.sonicmigration.cli;
