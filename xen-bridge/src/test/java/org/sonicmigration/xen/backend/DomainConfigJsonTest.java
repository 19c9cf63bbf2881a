package org.sonicmigration.xen.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.sonicmigration.spi.BackendException;

/** The configuration a stream carries is libxl's, with the domain id left for the receiver to choose. */
class DomainConfigJsonTest {
    static final ObjectMapper JSON = new ObjectMapper();

    /** Shaped like what libxl_domain_config_to_json gives for the lab's PVH guest. */
    static String libxlConfig(int domid) {
        return """
                {
                    "c_info": {"type": "pvh", "name": "domu", "domid": %d,
                               "uuid": "4c1e1d36-8a7e-4d59-9b1b-2f4c3a0e5d61", "run_hotplug_scripts": "True"},
                    "b_info": {"max_vcpus": 1, "max_memkb": 131072, "target_memkb": 131072,
                               "kernel": "/guest/vmlinuz", "type.pvh": {}},
                    "on_crash": "preserve"
                }""".formatted(domid);
    }

    @Test
    void theDomainIdIsLeftOutAndEverythingElseKept() {
        qt().withExamples(1000).forAll(integers().between(0, 0x7fef)).checkAssert(domid -> {
            try {
                theDomainIdIsLeftOutAndEverythingElseKept(domid);
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
    }

    private static void theDomainIdIsLeftOutAndEverythingElseKept(int domid) throws Exception {
        JsonNode out = JSON.readTree(DomainConfigJson.forNewDomain(libxlConfig(domid)));
        JsonNode in = JSON.readTree(libxlConfig(domid));
        assertThat(out.at("/c_info").has("domid")).isFalse();
        ((com.fasterxml.jackson.databind.node.ObjectNode) in.get("c_info")).remove("domid");
        assertThat(out).isEqualTo(in);
    }

    @Test
    void aConfigurationWithoutDomainIdStaysWithoutOne() throws Exception {
        String config = "{\"c_info\":{\"name\":\"domu\"},\"b_info\":{}}";
        assertThat(JSON.readTree(DomainConfigJson.forNewDomain(config))).isEqualTo(JSON.readTree(config));
    }

    @Test
    void somethingThatIsNotLibxlsJsonIsRefusedWithItsReason() {
        assertThatThrownBy(() -> DomainConfigJson.forNewDomain("name = \"domu\""))
                .isInstanceOf(BackendException.class)
                .hasMessageStartingWith("libxl gave a domain configuration that is not JSON");
        assertThatThrownBy(() -> DomainConfigJson.forNewDomain("[1, 2]"))
                .isInstanceOf(BackendException.class)
                .hasMessage("libxl gave a domain configuration without a c_info object");
        assertThatThrownBy(() -> DomainConfigJson.forNewDomain("{\"c_info\": \"domu\"}"))
                .isInstanceOf(BackendException.class)
                .hasMessage("libxl gave a domain configuration without a c_info object");
    }
}
