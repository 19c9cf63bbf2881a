package org.sonicmigration.ffi.support;

import java.lang.foreign.Arena;
import java.lang.foreign.SymbolLookup;
import java.util.Optional;

/**
 * The Xen 4.17 shared libraries the bindings load, by their versioned soname (on a dom0 only those
 * exist; the unversioned {@code .so} links come with {@code libxen-dev}), with the Debian package that
 * ships each one. Callers check {@link #problem()} before touching a binding class, because a binding
 * class whose library is missing fails its static initialiser with a bare "cannot open library".
 */
public enum XenLibrary {
    TOOLLOG("libxentoollog.so.1", "libxentoollog1", "xentoollog_h"),
    CTRL("libxenctrl.so.4.17", "libxenmisc4.17", "xenctrl_h"),
    GUEST("libxenguest.so.4.17", "libxenmisc4.17", "xenguest_h"),
    FOREIGNMEMORY("libxenforeignmemory.so.1", "libxenforeignmemory1", "xenforeignmemory_h"),
    GNTTAB("libxengnttab.so.1", "libxengnttab1", "xengnttab_h"),
    EVTCHN("libxenevtchn.so.1", "libxenevtchn1", "xenevtchn_h"),
    STORE("libxenstore.so.4", "libxenstore4", "xenstore_h"),
    LIGHT("libxenlight.so.4.17", "libxenmisc4.17", "libxl_h");

    private final String soname;
    private final String debianPackage;
    private final String bindingClass;

    XenLibrary(String soname, String debianPackage, String bindingClass) {
        this.soname = soname;
        this.debianPackage = debianPackage;
        this.bindingClass = bindingClass;
    }

    /** The file name the dynamic loader is asked for, e.g. {@code libxenctrl.so.4.17}. */
    public String soname() {
        return soname;
    }

    /** The Debian 12 package that installs {@link #soname()}. */
    public String debianPackage() {
        return debianPackage;
    }

    /** Simple name of the binding class in {@code org.sonicmigration.ffi} that loads this library. */
    public String bindingClass() {
        return bindingClass;
    }

    /**
     * Whether the dynamic loader can load this library, without initialising any binding class.
     *
     * @return empty if it loads, else one line naming the library and the package to install
     */
    public Optional<String> problem() {
        return problem(soname);
    }

    /** The same check for any soname (package-visible so a test can ask for one that does not exist). */
    Optional<String> problem(String name) {
        try (Arena probe = Arena.ofConfined()) {
            SymbolLookup.libraryLookup(name, probe);
            return Optional.empty();
        } catch (IllegalArgumentException e) {
            return Optional.of(name + " missing: apt-get install " + debianPackage);
        }
    }
}
