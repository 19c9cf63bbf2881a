package org.sonicmigration.xen.backend;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.sonicmigration.spi.BackendException;

/**
 * Turns the configuration libxl keeps for a running domain into the one a save or migration stream
 * carries, the way {@code xl save} does: the same JSON without {@code c_info.domid} (xl sets it to 0,
 * which libxl's JSON leaves out), so that the receiving toolstack picks a free domain id — the source's
 * id is still taken during a migration on one host, and a restore must not depend on it being free.
 */
final class DomainConfigJson {
    private static final ObjectMapper JSON = new ObjectMapper();

    private DomainConfigJson() {}

    /**
     * @throws BackendException if {@code json} is not a JSON object with a {@code c_info} object (libxl
     *                          always writes one; anything else would be refused by the receiver anyway)
     */
    static String forNewDomain(String json) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new BackendException("libxl gave a domain configuration that is not JSON: " + e.getOriginalMessage());
        }
        if (!(root instanceof ObjectNode object) || !(object.get("c_info") instanceof ObjectNode cInfo)) {
            throw new BackendException("libxl gave a domain configuration without a c_info object");
        }
        cInfo.remove("domid");
        return object.toString();
    }

    /** Whether libxl's configuration passes PCI devices through ({@code pcidevs}, libxl's name for them). */
    static boolean hasPassthrough(String json) {
        try {
            JsonNode pci = JSON.readTree(json).path("pcidevs");
            return pci.isArray() && !pci.isEmpty();
        } catch (JsonProcessingException e) {
            throw new BackendException("libxl gave a domain configuration that is not JSON: " + e.getOriginalMessage());
        }
    }
}
