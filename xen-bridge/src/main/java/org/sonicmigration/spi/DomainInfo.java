package org.sonicmigration.spi;

/**
 * What the hypervisor reports about a domain.
 *
 * @param domid      the domain id
 * @param name       its name (may be empty where the backend has none)
 * @param pfnLimit   one past the highest guest frame number that may be populated; a migration walks
 *                   pfns {@code [0, pfnLimit)}
 * @param totalPages frames actually populated
 * @param pageSize   bytes per frame (4096 on x86)
 * @param state      lifecycle state
 */
public record DomainInfo(int domid, String name, long pfnLimit, long totalPages, int pageSize, RunState state) {}
