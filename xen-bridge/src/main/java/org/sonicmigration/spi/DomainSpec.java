package org.sonicmigration.spi;

/**
 * What a receiver needs to create the empty destination domain.
 *
 * @param name       name for the new domain
 * @param pfnLimit   size of the guest frame space to accept
 * @param pageSize   bytes per frame
 * @param domainType the stream's domain type (1 = x86 PV, 2 = x86 HVM/PVH)
 */
public record DomainSpec(String name, long pfnLimit, int pageSize, int domainType) {}
