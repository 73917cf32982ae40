package dev.weft.daemon.api;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.List;

/** The body of POST /v1/networks/{id}/connect and /disconnect, as in the Docker Engine API. */
@JsonIgnoreProperties(value = {"Links", "NetworkID", "EndpointID", "Gateway", "IPAddress", "IPPrefixLen",
        "IPv6Gateway", "GlobalIPv6Address", "GlobalIPv6PrefixLen", "DriverOpts"})
public record Connect(@JsonProperty("Container") String container,
                      @JsonProperty("EndpointConfig") EndpointConfig endpointConfig,
                      @JsonProperty("Force") Boolean force) {

    @JsonIgnoreProperties(value = {"Links", "NetworkID", "EndpointID", "Gateway", "IPAddress", "IPPrefixLen",
            "IPv6Gateway", "GlobalIPv6Address", "GlobalIPv6PrefixLen", "DriverOpts"})
    public record EndpointConfig(@JsonProperty("IPAMConfig") IpamConfig ipamConfig,
                                 @JsonProperty("Aliases") List<String> aliases,
                                 @JsonProperty("MacAddress") String macAddress) {
    }

    @JsonIgnoreProperties(value = {"LinkLocalIPs"})
    public record IpamConfig(@JsonProperty("IPv4Address") String ipv4Address,
                             @JsonProperty("IPv6Address") String ipv6Address) {
    }
}
