package dev.weft.daemon.containers;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.List;

/**
 * The body of POST /v1/containers/create: a lightweight container running Cmd from the host's
 * filesystem in a sandbox of its own, on the given networks, with published ports, a published
 * service (SVC.NET, optionally .DRIVER) and extra DNS servers.
 */
public record ContainerCreate(@JsonProperty("Name") String name,
                              @JsonProperty("Hostname") String hostname,
                              @JsonProperty("Cmd") List<String> cmd,
                              @JsonProperty("Networks") List<String> networks,
                              @JsonProperty("Ports") List<String> ports,
                              @JsonProperty("PublishService") String publishService,
                              @JsonProperty("Dns") List<String> dns) {
}
