package org.sonicmigration.receiver;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The fields of the xl header's domain configuration that the receiver uses (name, memory), read
 * strictly: the configuration is untrusted, so its size claim is bounded before it sizes anything.
 * Fields we do not know are tolerated, as stock Xen writes many.
 */
record ReceivedConfig(Optional<String> name, long maxMemKb, long videoMemKb) {
    private static final ObjectMapper JSON = new ObjectMapper();
    /**
     * Frames a guest may use beyond its RAM: Xen places special pages and relocated RAM below and
     * above the 4 GiB hole, so accept a 4 GiB frame space on top of the RAM size.
     */
    static final long EXTRA_FRAME_SPACE = 1L << 20;
    /** 16 TiB: far above any guest this tool moves, low enough that a hostile header cannot size us. */
    static final long MAX_MEM_KB = 1L << 34;
    /**
     * What Xen lets a domain hold beyond {@code max_memkb}: libxl sets the domain's maximum to its RAM, its
     * video RAM and a constant 1 MiB of slack (LIBXL_MAXMEM_CONSTANT) for the toolstack's special pages.
     */
    static final long SLACK_KB = 1024;
    static final ReceivedConfig NONE = new ReceivedConfig(Optional.empty(), 0, 0);

    static ReceivedConfig parse(String json) {
        if (json == null || json.isBlank()) {
            return NONE;
        }
        try {
            JsonNode root = JSON.readTree(json);
            JsonNode name = root.path("c_info").path("name");
            JsonNode mem = root.path("b_info").path("max_memkb");
            long memKb = mem.canConvertToLong() && mem.asLong() > 0 ? mem.asLong() : 0;
            JsonNode video = root.path("b_info").path("video_memkb");
            long videoKb = video.canConvertToLong() && video.asLong() > 0 ? Math.min(video.asLong(), MAX_MEM_KB) : 0;
            if (memKb > MAX_MEM_KB) {
                throw new ReceiveException("the domain configuration claims " + memKb
                        + " KiB of memory, more than the " + MAX_MEM_KB + " KiB a receiver accepts");
            }
            // A blank name is no name: the receiver then picks its default rather than a backend refusing "".
            boolean named = name.isTextual() && !name.asText().isBlank();
            return new ReceivedConfig(named ? Optional.of(name.asText()) : Optional.empty(), memKb, videoKb);
        } catch (JsonProcessingException e) {
            throw new ReceiveException("the domain configuration in the xl header is not valid JSON: "
                    + e.getOriginalMessage());
        }
    }

    /**
     * How many frames the domain may populate, as Xen would let it: its RAM, video RAM and slack. Empty without
     * a configured memory size (a bare libxc stream), where only the frame space bounds it.
     */
    OptionalLong pageLimit(int pageSize) {
        if (maxMemKb == 0) {
            return OptionalLong.empty();
        }
        return OptionalLong.of((maxMemKb + videoMemKb + SLACK_KB) * 1024 / pageSize);
    }

    long pfnLimit(int pageSize) {
        long ramPages = maxMemKb * 1024 / pageSize;
        return ramPages + EXTRA_FRAME_SPACE;
    }
}
