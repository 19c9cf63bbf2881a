package org.sonicmigration.xen.backend;

import org.sonicmigration.spi.Availability;
import org.sonicmigration.spi.Backend;
import org.sonicmigration.spi.BackendUnavailableException;
import org.sonicmigration.spi.Hypervisor;

/**
 * The Xen 4.17 backend: migrates PVH/HVM guests of a dom0 through libxenctrl, libxenforeignmemory and
 * libxenstore. Its probe only looks at files (device node, libraries), so it is safe on any machine;
 * it outranks the simulator so a real dom0 is used when present.
 */
public final class XenBackend implements Backend {
    public static final int PRIORITY = 100;

    private final XenHost host;

    public XenBackend() {
        this(XenHost.system());
    }

    XenBackend(XenHost host) {
        this.host = host;
    }

    @Override
    public String name() {
        return "xen";
    }

    @Override
    public String description() {
        return "Xen 4.17 dom0 (PVH/HVM guests) via libxenctrl, libxenforeignmemory, libxenstore";
    }

    @Override
    public Availability probe() {
        return host.check();
    }

    @Override
    public int priority() {
        return PRIORITY;
    }

    @Override
    public Hypervisor open() {
        Availability a = probe();
        if (!a.available()) {
            throw new BackendUnavailableException(a.reason());
        }
        return XenHypervisor.open();
    }
}
