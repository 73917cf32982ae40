package dev.weft.engine.plugin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.weft.engine.EngineObserver;
import dev.weft.engine.WeftException;
import dev.weft.http.HttpConnectException;
import dev.weft.http.HttpReply;
import dev.weft.http.HttpTimeoutException;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;

/**
 * Calls one Docker plugin: every RPC is an HTTP POST of JSON to {@code /Method} at the plugin's
 * {@link PluginAddress} (a Unix socket, or TCP in plain HTTP or HTTPS), answered with JSON. The
 * address is looked up again for every call (a restarted plugin may have moved it). One deadline
 * bounds each try: connecting, the TLS handshake, sending and reading. Only failures to connect are retried, with backoff, since then
 * nothing reached the plugin; a call that was sent is never repeated. Every failure becomes a
 * {@link WeftException} naming the plugin and the call: a refusal ({@code {"Err": "..."}}, or
 * {@code "Error"}) carries the plugin's text and a {@link Refusal} as its cause.
 */
public final class PluginClient {
    /** The media type of Docker's plugin protocol, version 1.2. */
    public static final String ACCEPT = "application/vnd.docker.plugins.v1.2+json";
    static final ObjectMapper JSON = new ObjectMapper();
    private final String plugin;
    private final Supplier<PluginAddress> address;
    private final Duration timeout;
    private final List<Duration> backoff;
    private final EngineObserver observer;

    /** The plugin's own words when it refused a call: {@code {"Err": text}}. */
    public static final class Refusal extends Exception {
        Refusal(String text) {
            super(text);
        }
    }

    /** The plugin answered 404: it does not implement the call (some calls are optional). */
    public static final class NotImplemented extends Exception {
        NotImplemented(String method) {
            super(method);
        }
    }

    /**
     * A client of plugin {@code plugin} whose address {@code address} finds; each call waits at most
     * {@code timeout}, and a failed connection is retried after each delay of {@code backoff}.
     */
    public PluginClient(String plugin, Supplier<PluginAddress> address, Duration timeout, List<Duration> backoff) {
        this(plugin, address, timeout, backoff, EngineObserver.NONE);
    }

    private PluginClient(String plugin, Supplier<PluginAddress> address, Duration timeout, List<Duration> backoff,
                         EngineObserver observer) {
        this.plugin = plugin;
        this.address = address;
        this.timeout = timeout;
        this.backoff = List.copyOf(backoff);
        this.observer = observer;
    }

    /** This client, telling {@code o} of every call: its method, outcome and time. */
    public PluginClient observedBy(EngineObserver o) {
        return new PluginClient(plugin, address, timeout, backoff, o);
    }

    /** 10 seconds per call; connections retried after 100, 200 and 400 ms. */
    public static PluginClient withDefaults(String plugin, Supplier<PluginAddress> address) {
        return new PluginClient(plugin, address, Duration.ofSeconds(10),
                List.of(Duration.ofMillis(100), Duration.ofMillis(200), Duration.ofMillis(400)));
    }

    public String plugin() {
        return plugin;
    }

    /**
     * Activates the plugin ({@code Plugin.Activate}) and checks that it implements {@code api}
     * ("NetworkDriver", "IpamDriver"); else UNAVAILABLE, saying the plugin is not {@code what}.
     */
    public void activate(String api, String what) {
        JsonNode reply = call("Plugin.Activate", null);
        JsonNode impl = reply.get("Implements");
        if (impl != null && impl.isArray()) {
            for (JsonNode i : impl) {
                if (api.equals(i.asText())) {
                    return;
                }
            }
        }
        throw WeftException.unavailable("plugin " + plugin + " is not " + what + " (it implements "
                + (impl == null ? "nothing" : impl.toString()) + ", not \"" + api + "\")", null);
    }

    /** The text of {@code field} in a reply, "" when it is absent or null. */
    public static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? "" : v.asText();
    }

    /** Calls {@code method} (such as "NetworkDriver.Join") with {@code body}; returns the reply object. */
    public JsonNode call(String method, JsonNode body) {
        long start = System.nanoTime();
        String outcome = "failed";
        try {
            JsonNode reply = callOnce(method, body);
            outcome = "ok";
            return reply;
        } catch (WeftException e) {
            outcome = e.getCause() instanceof Refusal ? "refused" : e.getCause() instanceof NotImplemented ? "not_implemented"
                    : "failed";
            throw e;
        } finally {
            observer.pluginCall(plugin, method, outcome, System.nanoTime() - start);
        }
    }

    private JsonNode callOnce(String method, JsonNode body) {
        byte[] request;
        try {
            request = JSON.writeValueAsBytes(body == null ? JSON.createObjectNode() : body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        HttpReply reply = send(method, request);
        JsonNode doc = parse(method, reply);
        String err = refusal(doc);
        if (err != null) {
            throw new WeftException(WeftException.Kind.UNAVAILABLE, "network plugin " + plugin + " refused " + method + ": "
                    + err, new Refusal(err));
        }
        if (reply.status() == 404) {
            throw WeftException.unavailable("network plugin " + plugin + " does not implement " + method + " (HTTP 404)",
                    new NotImplemented(method));
        }
        if (reply.status() / 100 != 2) {
            throw WeftException.unavailable("network plugin " + plugin + " failed " + method + " with HTTP "
                    + reply.status() + excerpt(reply.text()), null);
        }
        if (!doc.isObject()) {
            throw WeftException.unavailable("network plugin " + plugin + " answered " + method
                    + " with JSON that is not an object" + excerpt(reply.text()), null);
        }
        return doc;
    }

    private HttpReply send(String method, byte[] request) {
        for (int attempt = 0; ; attempt++) {
            PluginAddress to = address.get();
            try {
                return PluginHttp.post(to, "/" + method, ACCEPT, request, timeout);
            } catch (HttpConnectException e) {
                if (attempt >= backoff.size()) {
                    throw WeftException.unavailable("network plugin " + plugin + " is not answering (" + method + ", "
                            + (attempt + 1) + " tries): " + e.getMessage(), e);
                }
                pause(backoff.get(attempt), method, e);
            } catch (HttpTimeoutException e) {
                throw WeftException.unavailable("network plugin " + plugin + " did not answer " + method + " within "
                        + seconds(timeout) + ": " + e.getMessage(), e);
            } catch (IOException e) {
                throw WeftException.unavailable("network plugin " + plugin + ": " + method + " failed: " + e.getMessage(), e);
            }
        }
    }

    private void pause(Duration delay, String method, Exception cause) {
        try {
            Thread.sleep(delay);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw WeftException.unavailable("network plugin " + plugin + ": " + method + " interrupted while retrying: "
                    + cause.getMessage(), e);
        }
    }

    /** The reply as JSON; an empty body is an empty object; junk (with any status) is an error. */
    private JsonNode parse(String method, HttpReply reply) {
        String text = reply.text();
        if (text.isBlank()) {
            return JSON.createObjectNode();
        }
        try {
            return JSON.readTree(text);
        } catch (JsonProcessingException e) {
            String status = reply.status() / 100 == 2 ? "" : " (HTTP " + reply.status() + ")";
            throw WeftException.unavailable("network plugin " + plugin + " answered " + method
                    + " with invalid JSON" + status + excerpt(text), null);
        }
    }

    /** The plugin's error text in "Err" (Docker's field) or "Error", or null when it has none. */
    private static String refusal(JsonNode doc) {
        for (String field : List.of("Err", "Error")) {
            JsonNode v = doc.get(field);
            if (v != null && v.isTextual() && !v.asText().isEmpty()) {
                return v.asText();
            }
        }
        return null;
    }

    private static String excerpt(String text) {
        String t = text.strip();
        return t.isEmpty() ? "" : ": \"" + (t.length() > 200 ? t.substring(0, 200) + "..." : t) + "\"";
    }

    private static String seconds(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }

    /** A fresh JSON object for a request body. */
    public static ObjectNode object() {
        return JSON.createObjectNode();
    }
}
