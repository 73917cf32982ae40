package dev.weft.daemon.api;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.Map;

/** A sandbox as the API shows it: its key (network namespace path) and its endpoints by network name. */
public record SandboxResource(@JsonProperty("Id") String id,
                              @JsonProperty("ContainerID") String containerId,
                              @JsonProperty("Hostname") String hostname,
                              @JsonProperty("Key") String key,
                              @JsonProperty("Networks") Map<String, NetworkResource.Attachment> networks) {
}
