package dev.weft.daemon.api;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.List;
import java.util.Map;

/**
 * The body of POST /v1/networks/create, as in the Docker Engine API. Docker fields weft has no
 * use for (Attachable, Ingress, Scope, ConfigOnly, ConfigFrom, CheckDuplicate) are accepted and
 * ignored; any other unknown field is an error.
 */
@JsonIgnoreProperties(value = {"Attachable", "Ingress", "Scope", "ConfigOnly", "ConfigFrom", "CheckDuplicate"})
public record NetworkCreate(@JsonProperty("Name") String name,
                            @JsonProperty("Driver") String driver,
                            @JsonProperty("Internal") Boolean internal,
                            @JsonProperty("EnableIPv4") Boolean enableIpv4,
                            @JsonProperty("EnableIPv6") Boolean enableIpv6,
                            @JsonProperty("IPAM") Ipam ipam,
                            @JsonProperty("Options") Map<String, String> options,
                            @JsonProperty("Labels") Map<String, String> labels) {

    /** IPAM settings: the driver (only "default") and one config per subnet. */
    public record Ipam(@JsonProperty("Driver") String driver,
                       @JsonProperty("Config") List<IpamConfig> config,
                       @JsonProperty("Options") Map<String, String> options) {
    }

    /** One subnet. */
    public record IpamConfig(@JsonProperty("Subnet") String subnet,
                             @JsonProperty("IPRange") String ipRange,
                             @JsonProperty("Gateway") String gateway,
                             @JsonProperty("AuxiliaryAddresses") Map<String, String> auxiliaryAddresses) {
    }
}
