package dev.weft.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import dev.weft.daemon.journal.Intent;
import dev.weft.daemon.journal.Journal;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The intent journal at chosen crash points: weftd stopped with the state an operation's first
 * steps leave and its entry still in the journal, then started again: the operation is finished
 * or undone before the API answers. Also {@code disconnect --force}, the operator's escape hatch.
 */
class IntentJournalTest {
    private static final String HALF_ID = "ab".repeat(32);
    private DaemonFixture daemon;

    @BeforeEach
    void start() throws Exception {
        daemon = new DaemonFixture("jrnl");
        created(daemon.api.call("POST", "/v1/networks/create", "{\"Name\": \"dev\", \"IPAM\": {\"Config\": [{\"Subnet\": \"192.0.2.0/24\"}]}}"));
    }

    @AfterEach
    void stop() throws Exception {
        daemon.close();
    }

    private Path runDir() {
        return daemon.runDir.path().resolve("run");
    }

    /** Stops weftd, leaves {@code intents} in its journal as a crash would, and starts it again. */
    private void crashWith(Intent... intents) throws Exception {
        daemon.restart(() -> {
            Journal journal = new Journal(runDir());
            for (Intent i : intents) {
                journal.begin(i);
            }
        });
    }

    @Test
    void anInterruptedRunIsUndoneAndAFinishedOneKept() throws Exception {
        var whole = daemon.api.call("POST", "/v1/containers/create", "{\"Name\": \"whole\", \"Networks\": [\"dev\"], \"Cmd\": [\"sleep\", \"60\"]}");
        created(whole);
        // "half" got as far as its sandbox, its endpoint (joined) and a log file
        created(daemon.api.call("POST", "/v1/sandboxes/create", "{\"ContainerID\": \"half\"}"));
        created(daemon.api.call("POST", "/v1/services/publish", "{\"Name\": \"half\", \"Network\": \"dev\"}"));
        assertThat(daemon.api.call("POST", "/v1/services/half.dev/attach", "{\"Container\": \"half\"}").status()).isEqualTo(200);
        Files.writeString(runDir().resolve("containers/" + HALF_ID + ".log"), "started\n");

        crashWith(Intent.of("run", "name", "half", "id", HALF_ID, "networks", "dev"),
                Intent.of("run", "name", "whole", "id", whole.body().path("Id").asText(), "networks", "dev"));

        assertThat(names("/v1/sandboxes", "ContainerID")).containsExactly("whole");
        assertThat(names("/v1/services", "Name")).containsExactly("whole");
        assertThat(daemon.api.call("GET", "/v1/containers/whole", null).body().path("Status").asText()).isEqualTo("running");
        assertThat(runDir().resolve("containers/" + HALF_ID + ".log")).doesNotExist();
        assertThat(pendingIntents()).isEmpty();
    }

    @Test
    void anInterruptedRmIsFinished() throws Exception {
        var r = daemon.api.call("POST", "/v1/containers/create", "{\"Name\": \"gone\", \"Networks\": [\"dev\"], \"Cmd\": [\"sleep\", \"60\"]}");
        created(r);
        long pid = r.body().path("Pid").asLong();
        String id = r.body().path("Id").asText();
        crashWith(Intent.of("rm", "name", "gone", "id", id, "pid", Long.toString(pid), "startTime",
                ProcessHandle.of(pid).orElseThrow().info().startInstant().orElseThrow().toString()));
        assertThat(daemon.api.call("GET", "/v1/containers", null).body()).isEmpty();
        assertThat(daemon.api.call("GET", "/v1/sandboxes", null).body()).isEmpty();
        assertThat(names("/v1/services", "Name")).isEmpty();
        assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive)).isEmpty();
        assertThat(runDir().resolve("containers/" + id + ".json")).doesNotExist();
        assertThat(daemon.api.call("DELETE", "/v1/networks/dev", null).status()).isEqualTo(204);
    }

    @Test
    void anInterruptedConnectIsUndoneUnlessJoinedAndADisconnectFinished() throws Exception {
        created(daemon.api.call("POST", "/v1/networks/create", "{\"Name\": \"side\", \"IPAM\": {\"Config\": [{\"Subnet\": \"198.51.100.0/24\"}]}}"));
        for (String c : List.of("a", "b", "c")) {
            created(daemon.api.call("POST", "/v1/sandboxes/create", "{\"ContainerID\": \"" + c + "\"}"));
            created(daemon.api.call("POST", "/v1/services/publish", "{\"Name\": \"" + c + "\", \"Network\": \"side\"}"));
        }
        // a: created, not joined; b: created and joined; c: disconnect left it, not yet deleted
        assertThat(daemon.api.call("POST", "/v1/services/b.side/attach", "{\"Container\": \"b\"}").status()).isEqualTo(200);
        String side = daemon.api.call("GET", "/v1/networks/side", null).body().path("Id").asText();
        crashWith(Intent.of("connect", "network", side, "endpoint", "a"), Intent.of("connect", "network", side, "endpoint", "b"),
                Intent.of("disconnect", "network", side, "endpoint", "c"));
        assertThat(names("/v1/services?network=side", "Name")).containsExactly("b");
        assertThat(daemon.api.call("GET", "/v1/sandboxes/b", null).body().path("Networks").has("side")).isTrue();
        assertThat(pendingIntents()).isEmpty();
    }

    @Test
    void forceDisconnectRemovesAnEndpointWhoseContainerIsGone() throws Exception {
        created(daemon.api.call("POST", "/v1/services/publish", "{\"Name\": \"ghost\", \"Network\": \"dev\"}"));
        var refused = daemon.api.call("POST", "/v1/networks/dev/disconnect", "{\"Container\": \"ghost\"}");
        assertThat(refused.status()).isEqualTo(404);
        assertThat(refused.message()).isEqualTo("no such container: ghost");
        assertThat(daemon.api.call("POST", "/v1/networks/dev/disconnect", "{\"Container\": \"ghost\", \"Force\": true}").status())
                .isEqualTo(200);
        assertThat(names("/v1/services", "Name")).isEmpty();
        var none = daemon.api.call("POST", "/v1/networks/dev/disconnect", "{\"Container\": \"ghost\", \"Force\": true}");
        assertThat(none.status()).isEqualTo(404);
        assertThat(none.message()).isEqualTo("network dev has no endpoint ghost");

        created(daemon.api.call("POST", "/v1/sandboxes/create", "{\"ContainerID\": \"live\"}"));
        created(daemon.api.call("POST", "/v1/services/publish", "{\"Name\": \"web\", \"Network\": \"dev\"}"));
        assertThat(daemon.api.call("POST", "/v1/services/web.dev/attach", "{\"Container\": \"live\"}").status()).isEqualTo(200);
        var attached = daemon.api.call("POST", "/v1/networks/dev/disconnect", "{\"Container\": \"web\", \"Force\": true}");
        assertThat(attached.status()).as(attached.body().toString()).isEqualTo(409);
        assertThat(daemon.api.call("GET", "/v1/networks/dev", null).body().path("Containers").path("live").has("Orphaned"))
                .as("a live endpoint is not marked").isFalse();
    }

    private List<String> names(String path, String field) throws Exception {
        List<String> out = new ArrayList<>();
        for (JsonNode n : daemon.api.call("GET", path, null).body()) {
            out.add(n.path(field).asText());
        }
        return out;
    }

    private List<Intent> pendingIntents() {
        return new Journal(runDir()).pending();
    }

    private static void created(ApiClient.Reply r) {
        assertThat(r.status()).as(r.body().toString()).isEqualTo(201);
    }
}
