package org.sonicmigration.receiver;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Optional;

/**
 * The fields of the xl header's domain configuration that the receiver uses (name, memory), read
 * strictly: the configuration is untrusted, so its size claim is bounded before it sizes anything.
 * Fields we do not know are tolerated, as stock Xen writes many.
 */
record ReceivedConfig(Optional<String> name, long maxMemKb) {
    private static final ObjectMapper JSON = new ObjectMapper();
    /**
     * Frames a guest may use beyond its RAM: Xen places special pages and relocated RAM below and
     * above the 4 GiB hole, so accept a 4 GiB frame space on top of the RAM size.
     */
    static final long EXTRA_FRAME_SPACE = 1L << 20;
    /** 16 TiB: far above any guest this tool moves, low enough that a hostile header cannot size us. */
    static final long MAX_MEM_KB = 1L << 34;
    static final ReceivedConfig NONE = new ReceivedConfig(Optional.empty(), 0);

    static ReceivedConfig parse(String json) {
        if (json == null || json.isBlank()) {
            return NONE;
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
            return new ReceivedConfig(name.isTextual() ? Optional.of(name.asText()) : Optional.empty(), memKb);
        } catch (JsonProcessingException e) {
            throw new ReceiveException("the domain configuration in the xl header is not valid JSON: "
                    + e.getOriginalMessage());
        }
    }

    long pfnLimit(int pageSize) {
        long ramPages = maxMemKb * 1024 / pageSize;
        return ramPages + EXTRA_FRAME_SPACE;
    }
}
