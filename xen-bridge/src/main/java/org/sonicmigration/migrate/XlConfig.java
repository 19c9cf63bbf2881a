package org.sonicmigration.migrate;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Optional;
import org.sonicmigration.bridge.spi.DomainInfo;

/**
 * The domain configuration that travels in the xl header, in libxl's JSON shape. We write what a
 * receiver needs to create the empty domain (type, name, memory); stock Xen writes its full config
 * here. Reading takes only the fields we know and tolerates the rest.
 */
final class XlConfig {
    private static final ObjectMapper JSON = new ObjectMapper();
    /**
     * Frames a guest may use beyond its RAM: Xen places special pages and relocated RAM below and
     * above the 4 GiB hole, so accept a 4 GiB frame space on top of the RAM size.
     */
    static final long EXTRA_FRAME_SPACE = 1L << 20;
    /** 16 TiB: far above any guest this tool moves, low enough that a hostile header cannot size us. */
    static final long MAX_MEM_KB = 1L << 34;

    private XlConfig() {}

    static String json(DomainInfo info) {
        long memKb = info.totalPages() * (info.pageSize() / 1024);
        ObjectNode root = JSON.createObjectNode();
        ObjectNode cInfo = root.putObject("c_info");
        cInfo.put("type", "pvh");
        cInfo.put("name", info.name());
        ObjectNode bInfo = root.putObject("b_info");
        bInfo.put("max_vcpus", 1);
        bInfo.put("max_memkb", memKb);
        bInfo.put("target_memkb", memKb);
        return root.toString();
    }

    static Parsed parse(String json) {
        if (json == null || json.isBlank()) {
            return Parsed.NONE;
        }
        try {
            JsonNode root = JSON.readTree(json);
            JsonNode name = root.path("c_info").path("name");
            JsonNode mem = root.path("b_info").path("max_memkb");
            long memKb = mem.canConvertToLong() && mem.asLong() > 0 ? mem.asLong() : 0;
            if (memKb > MAX_MEM_KB) {
                throw new ReceiveException("the domain configuration claims " + memKb
                        + " KiB of memory, more than the " + MAX_MEM_KB + " KiB a receiver accepts");
            }
            return new Parsed(name.isTextual() ? Optional.of(name.asText()) : Optional.empty(), memKb);
        } catch (JsonProcessingException e) {
            throw new ReceiveException("the domain configuration in the xl header is not valid JSON: "
                    + e.getOriginalMessage());
        }
    }

    /** The fields of a received configuration that the receiver uses. */
    record Parsed(Optional<String> name, long maxMemKb) {
        static final Parsed NONE = new Parsed(Optional.empty(), 0);

        long pfnLimit(int pageSize) {
            long ramPages = maxMemKb * 1024 / pageSize;
            return ramPages + EXTRA_FRAME_SPACE;
        }
    }
}
