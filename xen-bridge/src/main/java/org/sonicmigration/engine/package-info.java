/**
 * The migration engine on the source: one generic pre-copy loop over the backend SPI, in the manner of
 * Xen's own saver ({@link org.sonicmigration.engine.PreCopyEngine}), the soft-page advisor that decides
 * which pages may be left unsent, the options it runs with and the report it gives. It writes the stream
 * through {@code stream} and hands it to a destination of {@code transport}; it knows no backend.
 */
package org.sonicmigration.engine;
