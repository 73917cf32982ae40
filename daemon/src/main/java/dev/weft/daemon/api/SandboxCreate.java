package dev.weft.daemon.api;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.List;

/** The body of POST /v1/sandboxes/create: a container's network stack. */
public record SandboxCreate(@JsonProperty("ContainerID") String containerId,
                            @JsonProperty("Hostname") String hostname,
                            @JsonProperty("Domainname") String domainname,
                            @JsonProperty("HostNetwork") Boolean hostNetwork,
                            @JsonProperty("Dns") List<String> dns) {
}
