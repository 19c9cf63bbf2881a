/**
 * The thin layer over the generated bindings of {@code org.sonicmigration.ffi}: one wrapper per Xen
 * library ({@link org.sonicmigration.xen.lib.XenCtrl}, {@link org.sonicmigration.xen.lib.ForeignMemory},
 * {@link org.sonicmigration.xen.lib.XenStore}, {@link org.sonicmigration.xen.lib.EventChannels},
 * {@link org.sonicmigration.xen.lib.GrantTables}, {@link org.sonicmigration.xen.lib.LibXl}), a wait on a
 * descriptor with a deadline ({@link org.sonicmigration.xen.lib.FdWait}, poll), with errno
 * captured on every call, failures as {@link org.sonicmigration.xen.lib.XenCallException} or
 * {@link org.sonicmigration.xen.lib.XenUnavailableException} (SPI exceptions, so nothing above needs a
 * translation), explicit arenas, and the libraries' messages routed into SLF4J by
 * {@link org.sonicmigration.xen.lib.ToolLogger}. It implements no policy.
 */
package org.sonicmigration.xen.lib;
