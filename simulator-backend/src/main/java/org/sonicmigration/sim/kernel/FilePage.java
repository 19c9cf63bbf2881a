package org.sonicmigration.sim.kernel;

/**
 * A page of a file on the guest's disk at a content version: what a page-cache frame caches.
 *
 * @param fileId  the file (ids are never reused)
 * @param offset  the page's offset in the file, in pages
 * @param version the content version the frame holds
 */
public record FilePage(long fileId, long offset, int version) {}
