/**
 * Hand-written support for the generated bindings in {@code org.sonicmigration.ffi}: which library each
 * binding class loads and how to tell a user to install it. Nothing here calls into Xen.
 */
package org.sonicmigration.ffi.support;
