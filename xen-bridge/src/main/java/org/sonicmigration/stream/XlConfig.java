package org.sonicmigration.stream;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.sonicmigration.spi.DomainInfo;

/**
 * The domain configuration a sender puts in the xl header when the backend has no toolstack
 * configuration of its own, in libxl's JSON shape: what a receiver needs to create the empty domain
 * (type, name, memory). Stock Xen writes its full configuration there.
 */
public final class XlConfig {
    private static final ObjectMapper JSON = new ObjectMapper();

    private XlConfig() {}

    /** libxl-shaped JSON for a domain of this size and name. */
    public static String json(DomainInfo info) {
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
}
