package dev.weft.daemon.api;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.List;

/**
 * The body of POST /v1/services/publish: service Name on Network, with optional DNS aliases and
 * the IPv4 address it should have (for example the one it had before a forced unpublish).
 */
public record ServicePublish(@JsonProperty("Name") String name,
                             @JsonProperty("Network") String network,
                             @JsonProperty("Aliases") List<String> aliases,
                             @JsonProperty("IPv4Address") String ipv4) {
}
