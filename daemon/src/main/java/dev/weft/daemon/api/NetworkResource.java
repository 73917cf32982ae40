package dev.weft.daemon.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.List;
import java.util.Map;

/** A network as GET /v1/networks and /v1/networks/{id} show it, shaped like Docker's NetworkResource. */
public record NetworkResource(@JsonProperty("Name") String name,
                              @JsonProperty("Id") String id,
                              @JsonProperty("Created") String created,
                              @JsonProperty("Scope") String scope,
                              @JsonProperty("Driver") String driver,
                              @JsonProperty("EnableIPv4") boolean enableIpv4,
                              @JsonProperty("EnableIPv6") boolean enableIpv6,
                              @JsonProperty("IPAM") Ipam ipam,
                              @JsonProperty("Internal") boolean internal,
                              @JsonProperty("Containers") Map<String, Attachment> containers,
                              @JsonProperty("Options") Map<String, String> options,
                              @JsonProperty("Labels") Map<String, String> labels) {

    public record Ipam(@JsonProperty("Driver") String driver,
                       @JsonProperty("Options") Map<String, String> options,
                       @JsonProperty("Config") List<Config> config) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Config(@JsonProperty("Subnet") String subnet,
                         @JsonProperty("IPRange") String ipRange,
                         @JsonProperty("Gateway") String gateway,
                         @JsonProperty("AuxiliaryAddresses") Map<String, String> auxiliaryAddresses) {
    }

    /**
     * An endpoint of the network, keyed by its sandbox's container id (or by endpoint id while not
     * joined); {@code Orphaned} (shown only when true) when the sandbox it is joined to is gone.
     */
    public record Attachment(@JsonProperty("Name") String name,
                             @JsonProperty("EndpointID") String endpointId,
                             @JsonProperty("MacAddress") String macAddress,
                             @JsonProperty("IPv4Address") String ipv4Address,
                             @JsonProperty("IPv6Address") String ipv6Address,
                             @JsonInclude(JsonInclude.Include.NON_DEFAULT) @JsonProperty("Orphaned") boolean orphaned) {
        public Attachment(String name, String endpointId, String macAddress, String ipv4Address, String ipv6Address) {
            this(name, endpointId, macAddress, ipv4Address, ipv6Address, false);
        }
    }
}
