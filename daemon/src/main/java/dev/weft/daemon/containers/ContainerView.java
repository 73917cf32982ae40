package dev.weft.daemon.containers;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.List;

/** A container as the API shows it: "running" with its pid, or "exited" (with its exit code when known). */
public record ContainerView(@JsonProperty("Id") String id,
                            @JsonProperty("Name") String name,
                            @JsonProperty("Hostname") String hostname,
                            @JsonProperty("Cmd") List<String> cmd,
                            @JsonProperty("Networks") List<String> networks,
                            @JsonProperty("Status") String status,
                            @JsonProperty("Pid") long pid,
                            @JsonProperty("ExitCode") Integer exitCode) {
}
