package org.sonicmigration.ffi.support;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class XenLibraryTest {

    @Test
    void aMissingLibraryNamesItselfAndTheDebianPackage() {
        assertThat(XenLibrary.CTRL.problem("libxenctrl.so.9.99"))
                .hasValue("libxenctrl.so.9.99 missing: apt-get install libxenmisc4.17");
    }

    @Test
    void theInstalledLibrariesLoadByTheirVersionedNames() {
        for (XenLibrary lib : XenLibrary.values()) {
            assertThat(lib.soname()).matches("lib[a-z]+\\.so\\.[0-9.]+");
            assertThat(lib.problem()).as(lib.soname()).isEmpty();
        }
    }
}
