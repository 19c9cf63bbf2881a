/**
 * The Xen backend: the SPI implemented over the wrappers of {@code xen.lib} for PVH guests on a dom0
 * ({@link org.sonicmigration.xen.backend.XenBackend}, found by {@link java.util.ServiceLoader}), with the
 * dom0 side of a guest's soft-page hint channel (SPEC §7: the {@code data/sonic} advertisement read
 * strictly in one xenstore transaction, the area mapped read-only, the event channel bound). It says
 * why it is unavailable where there is no Xen, and why a guest's hints are, when they are.
 */
package org.sonicmigration.xen.backend;
