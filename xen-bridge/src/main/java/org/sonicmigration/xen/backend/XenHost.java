package org.sonicmigration.xen.backend;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;

import org.sonicmigration.spi.Availability;
import org.sonicmigration.ffi.support.XenLibrary;

/**
 * What decides whether the Xen backend can run here, checked without touching the hypervisor: the
 * privcmd device node, the versioned libraries, and access to the device. Injectable so that every
 * verdict can be tested on a machine without Xen.
 *
 * @param privcmd        the device node ({@code /dev/xen/privcmd})
 * @param libraryProblem why a library would not load, if it would not
 * @param accessible     whether this process may open the device read-write
 */
record XenHost(Path privcmd, Function<XenLibrary, Optional<String>> libraryProblem, Predicate<Path> accessible) {

    /** The libraries a migration source opens. */
    static final List<XenLibrary> REQUIRED = List.of(XenLibrary.TOOLLOG, XenLibrary.CTRL, XenLibrary.GUEST,
            XenLibrary.FOREIGNMEMORY, XenLibrary.STORE);

    static XenHost system() {
        return new XenHost(Path.of("/dev/xen/privcmd"), XenLibrary::problem,
                p -> Files.isReadable(p) && Files.isWritable(p));
    }

    /** The verdict, first failing check first: device, libraries, permission. */
    Availability check() {
        if (!Files.exists(privcmd)) {
            return Availability.no("no " + privcmd + ": not a Xen dom0");
        }
        for (XenLibrary lib : REQUIRED) {
            Optional<String> problem = libraryProblem.apply(lib);
            if (problem.isPresent()) {
                return Availability.no(problem.get());
            }
        }
        if (!accessible.test(privcmd)) {
            return Availability.no("not root: no read-write access to " + privcmd);
        }
        return Availability.yes("Xen dom0: " + privcmd + " and the Xen 4.17 libraries are usable");
    }
}
