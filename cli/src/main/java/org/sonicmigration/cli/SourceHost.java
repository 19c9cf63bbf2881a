package org.sonicmigration.cli;

import java.time.Duration;
import org.sonicmigration.sim.SimHypervisor;
import org.sonicmigration.sim.guest.SimGuest;
import org.sonicmigration.spi.Backend;
import org.sonicmigration.spi.DomainRef;
import org.sonicmigration.spi.Hypervisor;
import org.sonicmigration.spi.SourceDomain;

/**
 * The host a guest leaves from: the chosen backend, opened. On Xen its domains are the host's own; the
 * simulator starts empty in every process, so there the host gets the one simulated guest that
 * {@code --name}, {@code --memory} and {@code --workload} describe, prepared before it is used, and a
 * DOMAIN that names another guest is as unknown as on Xen.
 */
final class SourceHost implements AutoCloseable {
    private static final Duration PREPARE_LIMIT = Duration.ofHours(1);

    private final Backend backend;
    private final Hypervisor hypervisor;

    private SourceHost(Backend backend, Hypervisor hypervisor) {
        this.backend = backend;
        this.hypervisor = hypervisor;
    }

    static SourceHost open(BackendOption backendOption, GuestOptions guest) throws InterruptedException {
        Backend b = backendOption.select();
        Hypervisor hv = b.open();
        try {
            if (hv instanceof SimHypervisor sim) {
                createGuest(sim, guest);
            }
        } catch (InterruptedException | RuntimeException e) {
            hv.close();
            throw e;
        }
        return new SourceHost(b, hv);
    }

    /** Boots the described guest on {@code host} and runs its preparation to the end; running workloads keep going. */
    static SimGuest createGuest(SimHypervisor host, GuestOptions guest) throws InterruptedException {
        Workloads.Plan plan = Workloads.parse(guest.workloads, true);
        SimGuest g = host.createGuest(guest.config());
        for (var w : plan.prepare()) {
            g.start(w);
            g.awaitReady(PREPARE_LIMIT);
        }
        plan.during().forEach(g::start);
        return g;
    }

    String backendName() {
        return backend.name();
    }

    /** Opens DOMAIN (an id or a name) to migrate it away; an unknown one is a one-line error. */
    SourceDomain openSource(String domain) {
        return hypervisor.openSource(DomainRef.parse(domain));
    }

    @Override
    public void close() {
        hypervisor.close();
    }
}
