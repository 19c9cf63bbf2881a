package org.sonicmigration.xen.lib;

import org.sonicmigration.ffi.support.XenLibrary;

/**
 * Checks that Xen libraries load before a binding class is touched, turning "cannot open library" into
 * a {@link XenUnavailableException} that names the Debian package to install.
 */
final class Libraries {
    private Libraries() {}

    static void require(XenLibrary... libraries) {
        for (XenLibrary lib : libraries) {
            var problem = lib.problem();
            if (problem.isPresent()) {
                throw new XenUnavailableException(problem.get());
            }
        }
    }
}
