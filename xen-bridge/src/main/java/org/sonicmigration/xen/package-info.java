/**
 * The Xen backend and the thin layer it stands on. The layer wraps the generated bindings of
 * {@code org.sonicmigration.ffi} ({@link org.sonicmigration.xen.XenCtrl}, {@link org.sonicmigration.xen.ForeignMemory},
 * {@link org.sonicmigration.xen.XenStore}, {@link org.sonicmigration.xen.EventChannels},
 * {@link org.sonicmigration.xen.GrantTables}, {@link org.sonicmigration.xen.LibXl}): errno captured on every
 * call, failures as {@link org.sonicmigration.xen.XenCallException} / {@link org.sonicmigration.xen.XenUnavailableException}
 * (SPI exceptions, so the engine needs no translation), explicit arenas, and library messages routed
 * into SLF4J by {@link org.sonicmigration.xen.ToolLogger}. The backend ({@link org.sonicmigration.xen.XenBackend})
 * implements the SPI over it.
 */
package org.sonicmigration.xen;
