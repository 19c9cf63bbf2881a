/**
 * The backend service-provider interface: everything the migration engine and the receiver need
 * from a hypervisor (domains, the dirty log, guest frames, the hint channel, suspend and resume), and
 * the {@link org.sonicmigration.spi.Clock} every layer above waits on. The Xen backend implements it
 * over the Xen C libraries; the simulator implements it in-process. Backends are discovered with
 * {@link java.util.ServiceLoader}. This package depends on nothing else of the project.
 */
package org.sonicmigration.spi;
