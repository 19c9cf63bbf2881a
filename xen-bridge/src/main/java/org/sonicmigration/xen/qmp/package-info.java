/**
 * The device model's control channel: a client of QEMU's machine protocol (QMP, JSON objects over the
 * Unix-domain socket libxl opens for each HVM guest's QEMU in dom0), and the few commands a migration
 * needs of it. It knows nothing of the engine; the Xen backend drives it.
 */
package org.sonicmigration.xen.qmp;
