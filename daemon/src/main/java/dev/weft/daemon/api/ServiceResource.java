package dev.weft.daemon.api;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.List;

/**
 * A service: a named endpoint on a network, attached to at most one container; or, with
 * VirtualIP, a virtual IP whose Backends (the backend containers' endpoint names) share its new
 * connections.
 */
public record ServiceResource(@JsonProperty("Name") String name,
                              @JsonProperty("Network") String network,
                              @JsonProperty("Id") String id,
                              @JsonProperty("Container") String container,
                              @JsonProperty("IPv4Address") String ipv4Address,
                              @JsonProperty("IPv6Address") String ipv6Address,
                              @JsonProperty("MacAddress") String macAddress,
                              @JsonProperty("Aliases") List<String> aliases,
                              @JsonProperty("VirtualIP") boolean virtualIp,
                              @JsonProperty("Backends") List<String> backends) {
}
