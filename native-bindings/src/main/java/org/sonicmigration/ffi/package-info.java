/**
 * FFM bindings of Xen 4.17's C libraries, in exactly the shape jextract generates: one {@code *_h} class
 * per header (function descriptors and downcall handles in nested holder classes, constants as static
 * methods), one class per struct with its {@code MemoryLayout} and field accessors, and typedef classes
 * extending them. jextract cannot be installed on the build machines, so the checked-in classes were
 * written to that shape; {@code native-bindings/jextract/} holds the arg files that reproduce them with
 * {@code regenerate.sh} wherever jextract exists. Tests keep the two from drifting and prove every
 * layout, constant and signature against the installed headers with gcc, and every symbol against the
 * installed versioned libraries. Change an arg file, not these classes.
 */
package org.sonicmigration.ffi;
