package dev.weft.daemon.api;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.List;

/** The body of POST /v1/services/publish: service Name on Network, with optional DNS aliases. */
public record ServicePublish(@JsonProperty("Name") String name,
                             @JsonProperty("Network") String network,
                             @JsonProperty("Aliases") List<String> aliases) {
}
