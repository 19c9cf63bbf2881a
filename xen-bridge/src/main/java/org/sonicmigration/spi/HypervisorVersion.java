package org.sonicmigration.spi;

/**
 * The version of the hypervisor a domain runs on, as a migration stream's domain header records it
 * (Xen's {@code xen_major}/{@code xen_minor}): a receiver may treat a stream from an older Xen
 * differently, so a sender states its real one.
 *
 * @param major e.g. 4
 * @param minor e.g. 17
 */
public record HypervisorVersion(int major, int minor) {
    /** The Xen the simulator models and the project is proven against. */
    public static final HypervisorVersion XEN_4_17 = new HypervisorVersion(4, 17);

    public HypervisorVersion {
        if (major < 0 || major > 0xffff || minor < 0 || minor > 0xffff) {
            throw new IllegalArgumentException("hypervisor version " + major + "." + minor + " out of range");
        }
    }

    @Override
    public String toString() {
        return major + "." + minor;
    }
}
