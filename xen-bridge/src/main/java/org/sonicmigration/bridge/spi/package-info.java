/**
 * The backend service-provider interface: everything the migration engine and the receiver need
 * from a hypervisor, and nothing else. The Xen backend implements it over the Xen C libraries; the
 * simulator implements it in-process. Backends are discovered with {@link java.util.ServiceLoader}.
 */
package org.sonicmigration.bridge.spi;
