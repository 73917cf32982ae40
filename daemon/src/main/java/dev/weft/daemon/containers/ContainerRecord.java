package dev.weft.daemon.containers;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.List;

/** A container as weftd keeps it on disk (RUNDIR/containers/ID.json): what runs, where, and its process. */
public record ContainerRecord(@JsonProperty("Id") String id,
                              @JsonProperty("Name") String name,
                              @JsonProperty("Hostname") String hostname,
                              @JsonProperty("Cmd") List<String> cmd,
                              @JsonProperty("Networks") List<String> networks,
                              @JsonProperty("Pid") long pid,
                              @JsonProperty("StartTime") String startTime,
                              @JsonProperty("Created") String created) {
}
