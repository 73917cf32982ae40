package dev.weft.daemon.api;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.List;

/**
 * The body of POST /v1/services/publish: service Name on Network, with optional DNS aliases and
 * the IPv4 address it should have (for example the one it had before a forced unpublish);
 * VirtualIP: the service is a virtual IP balanced across any number of backend containers
 * instead of a named endpoint of one container.
 */
public record ServicePublish(@JsonProperty("Name") String name,
                             @JsonProperty("Network") String network,
                             @JsonProperty("Aliases") List<String> aliases,
                             @JsonProperty("IPv4Address") String ipv4,
                             @JsonProperty("VirtualIP") Boolean virtualIp) {
    boolean vip() {
        return Boolean.TRUE.equals(virtualIp);
    }
}
