/**
 * The Xen backend: the SPI implemented over the wrappers of {@code xen.lib} for PVH guests on a dom0
 * ({@link org.sonicmigration.xen.backend.XenBackend}, found by {@link java.util.ServiceLoader}). It says
 * why it is unavailable where there is no Xen.
 */
package org.sonicmigration.xen.backend;
