package org.sonicmigration.sim;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.sonicmigration.sim.guest.GuestConfig;
import org.sonicmigration.sim.guest.SimGuest;
import org.sonicmigration.sim.kernel.PageContent;
import org.sonicmigration.sim.kernel.SimulatorException;
import org.sonicmigration.spi.BackendException;
import org.sonicmigration.spi.DomainInfo;
import org.sonicmigration.spi.DomainRef;
import org.sonicmigration.spi.DomainSpec;
import org.sonicmigration.spi.Hypervisor;
import org.sonicmigration.spi.SourceDomain;
import org.sonicmigration.spi.TargetDomain;

/**
 * An in-process Xen host: it holds simulated guests (created with {@link #createGuest}) and destination
 * domains (created by a receiver through {@link #createTarget}). Two instances in one JVM are two hosts.
 * Domain ids start at 1 (0 is dom0) and are never reused on a host.
 */
public final class SimHypervisor implements Hypervisor {

    /** Default limit of pages all destination domains of a host may populate: 64 GiB + Xen's extra pages. */
    public static final long DEFAULT_MAX_TARGET_PAGES = (64L << 30) / 4096 + 65536;
    /** Default bytes a destination domain keeps as page bytes before switching to fingerprints only. */
    public static final long DEFAULT_TARGET_BYTE_BUDGET = 1L << 30;

    private final String hostName;
    private final long maxTargetPages;
    private final long targetByteBudget;
    private final Map<Integer, SimGuest> guests = new LinkedHashMap<>();
    private final Map<Integer, SimTargetDomain> targets = new LinkedHashMap<>();
    /** Guests with a source handle open: one migration of a guest at a time. */
    private final Set<Integer> openSources = new HashSet<>();
    private int nextDomid = 1;
    private boolean closed;

    public SimHypervisor() {
        this("sim");
    }

    public SimHypervisor(String hostName) {
        this(hostName, DEFAULT_MAX_TARGET_PAGES, DEFAULT_TARGET_BYTE_BUDGET);
    }

    /**
     * @param maxTargetPages   pages a destination domain may populate at most
     * @param targetByteBudget bytes of page content a destination domain keeps (0: fingerprints only)
     */
    public SimHypervisor(String hostName, long maxTargetPages, long targetByteBudget) {
        if (maxTargetPages <= 0 || targetByteBudget < 0) {
            throw new SimulatorException("host limits must be positive");
        }
        this.hostName = hostName;
        this.maxTargetPages = maxTargetPages;
        this.targetByteBudget = targetByteBudget;
    }

    public String hostName() {
        return hostName;
    }

    /** Creates and boots a guest; with the real-time clock it starts running at once. */
    public synchronized SimGuest createGuest(GuestConfig config) {
        checkOpen();
        if (nameTaken(config.name())) {
            throw new SimulatorException("a domain named '" + config.name() + "' already exists on host " + hostName);
        }
        SimGuest g = new SimGuest(nextDomid++, config, this::forget);
        guests.put(g.domid(), g);
        return g;
    }

    public synchronized Optional<SimGuest> guest(String name) {
        return guests.values().stream().filter(g -> g.name().equals(name)).findFirst();
    }

    public synchronized Optional<SimGuest> guest(int domid) {
        return Optional.ofNullable(guests.get(domid));
    }

    public synchronized List<SimGuest> guests() {
        return List.copyOf(guests.values());
    }

    public synchronized Optional<SimTargetDomain> target(String name) {
        return targets.values().stream().filter(t -> t.name().equals(name)).findFirst();
    }

    public synchronized List<SimTargetDomain> targets() {
        return List.copyOf(targets.values());
    }

    @Override
    public String backendName() {
        return SimBackend.NAME;
    }

    @Override
    public synchronized List<DomainInfo> listDomains() {
        List<DomainInfo> out = new ArrayList<>();
        guests.values().forEach(g -> out.add(g.info()));
        targets.values().forEach(t -> out.add(t.info()));
        return out;
    }

    @Override
    public synchronized SourceDomain openSource(DomainRef ref) {
        checkOpen();
        SimGuest g = switch (ref) {
            case DomainRef.ById(int id) -> guests.get(id);
            case DomainRef.ByName(String n) -> guest(n).orElse(null);
        };
        if (g == null) {
            boolean isTarget = switch (ref) {
                case DomainRef.ById(int id) -> targets.containsKey(id);
                case DomainRef.ByName(String n) -> target(n).isPresent();
            };
            throw new BackendException(isTarget
                    ? "domain " + ref + " on host " + hostName + " is a migration target, not a simulated guest"
                    : "no domain " + ref + " on host " + hostName);
        }
        if (!openSources.add(g.domid())) {
            throw new BackendException("domain " + ref + " is already open for migration");
        }
        return new SimSourceDomain(g, () -> releaseSource(g.domid()));
    }

    @Override
    public synchronized TargetDomain createTarget(DomainSpec spec) {
        checkOpen();
        if (spec.name() == null || spec.name().isBlank()) {
            throw new BackendException("target domain needs a name");
        }
        if (nameTaken(spec.name())) {
            throw new BackendException("a domain named '" + spec.name() + "' already exists on host " + hostName);
        }
        if (spec.pageSize() != PageContent.PAGE_SIZE) {
            throw new BackendException("page size " + spec.pageSize() + " is not supported (only 4096)");
        }
        if (spec.pfnLimit() <= 0 || spec.pfnLimit() > (1L << 40)) {
            throw new BackendException("frame space of " + spec.pfnLimit() + " frames is out of range (1..2^40)");
        }
        if (spec.domainType() != 1 && spec.domainType() != 2) {
            throw new BackendException("unknown domain type " + spec.domainType() + " (1 = PV, 2 = HVM/PVH)");
        }
        SimTargetDomain t = new SimTargetDomain(this, nextDomid++, spec, maxTargetPages, targetByteBudget);
        targets.put(t.domid(), t);
        return t;
    }

    /** Destroys every guest and target of this host and stops their threads. */
    @Override
    public void close() {
        List<SimGuest> gs;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            gs = List.copyOf(guests.values());
        }
        gs.forEach(SimGuest::destroy);
        synchronized (this) {
            targets.clear();
        }
    }

    private synchronized void forget(SimGuest g) {
        guests.remove(g.domid());
    }

    private synchronized void releaseSource(int domid) {
        openSources.remove(domid);
    }

    synchronized void rename(SimTargetDomain t, String name) {
        checkOpen();
        if (nameTaken(name)) {
            throw new BackendException("a domain named '" + name + "' already exists on host " + hostName);
        }
        t.renameTo(name);
    }

    /** Destroys a simulated guest or a received domain of this host. */
    @Override
    public void destroyDomain(DomainRef ref) {
        Optional<SimGuest> g;
        Optional<SimTargetDomain> t;
        synchronized (this) {
            checkOpen();
            g = switch (ref) {
                case DomainRef.ById(int id) -> guest(id);
                case DomainRef.ByName(String n) -> guest(n);
            };
            t = switch (ref) {
                case DomainRef.ById(int id) -> Optional.ofNullable(targets.get(id));
                case DomainRef.ByName(String n) -> target(n);
            };
        }
        // Outside the host's lock: a guest's destroy waits for its threads, which may call back into the host.
        if (g.isPresent()) {
            g.get().destroy();
        } else if (t.isPresent()) {
            t.get().destroy();
        } else {
            throw new BackendException("no domain " + ref + " on host " + hostName);
        }
    }

    synchronized void forget(SimTargetDomain t) {
        targets.remove(t.domid());
    }

    private boolean nameTaken(String name) {
        return guest(name).isPresent() || target(name).isPresent();
    }

    private void checkOpen() {
        if (closed) {
            throw new BackendException("sim host " + hostName + " is closed");
        }
    }
}
