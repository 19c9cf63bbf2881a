package org.sonicmigration.spi;

import java.util.List;

/**
 * An open connection to one hypervisor: lists domains, opens one as a migration source, or creates
 * an empty one to receive into. Closing it releases every handle it opened.
 */
public interface Hypervisor extends AutoCloseable {

    /** The backend's name, e.g. {@code xen} or {@code sim}. */
    String backendName();

    List<DomainInfo> listDomains();

    /**
     * Opens an existing domain to migrate it away.
     *
     * @throws BackendException if the domain does not exist or cannot be controlled
     */
    SourceDomain openSource(DomainRef ref);

    /**
     * Destroys an existing domain, e.g. the one a received domain replaces.
     *
     * @throws BackendException if there is no such domain or it cannot be destroyed
     */
    default void destroyDomain(DomainRef ref) {
        try (SourceDomain domain = openSource(ref)) {
            domain.destroy();
        }
    }

    /** Creates a paused, empty domain that a stream will be restored into. */
    TargetDomain createTarget(DomainSpec spec);

    @Override
    void close();
}
