package dev.weft.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.weft.testkit.SimulatedHost;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * weft's CNI plugin executable (the C shim built by the cni module) run the way a runtime runs it:
 * in the runtime's network namespace (a simulated host), with CNI_* variables and the
 * configuration on stdin, talking to the weftd whose socket is {@code socket}.
 */
record CniShim(SimulatedHost host, Path socket) {
    static final Path BINARY = Path.of("../cni/target/weft-cni").toAbsolutePath().normalize();
    static final String CNI_PATH = "/usr/lib/cni";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What the plugin printed and its exit code. */
    record Result(int exit, String stdout) {
        JsonNode json() {
            try {
                return JSON.readTree(stdout);
            } catch (Exception e) {
                throw new AssertionError("not JSON: \"" + stdout + "\"", e);
            }
        }

        /** Asserts success and returns the printed result. */
        JsonNode ok() {
            assertThat(exit).as("plugin failed: " + stdout).isZero();
            return stdout.isBlank() ? JSON.nullNode() : json();
        }

        /** Asserts an error result with {@code code} (exit status non-zero) and returns it. */
        JsonNode error(int code) {
            assertThat(exit).as("expected error " + code + ", got: " + stdout).isNotZero();
            JsonNode e = json();
            assertThat(e.path("code").asInt()).as(stdout).isEqualTo(code);
            assertThat(e.path("msg").asText()).isNotBlank();
            assertThat(e.has("cniVersion")).isTrue();
            return e;
        }
    }

    static boolean built() {
        return Files.isExecutable(BINARY);
    }

    /** An environment of an attachment call: CNI_COMMAND, CNI_CONTAINERID, CNI_NETNS, CNI_IFNAME, CNI_PATH. */
    static Map<String, String> env(String command, String container, Path netns, String ifname) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("CNI_COMMAND", command);
        env.put("CNI_CONTAINERID", container);
        if (netns != null) {
            env.put("CNI_NETNS", netns.toString());
        }
        env.put("CNI_IFNAME", ifname);
        env.put("CNI_PATH", CNI_PATH);
        return env;
    }

    Result add(String config, String container, Path netns) throws Exception {
        return run(env("ADD", container, netns, "eth0"), config);
    }

    Result del(String config, String container, Path netns) throws Exception {
        return run(env("DEL", container, netns, "eth0"), config);
    }

    /** Runs the plugin with exactly {@code env} (plus the socket) and {@code stdin}. */
    Result run(Map<String, String> env, String stdin) throws Exception {
        return exec(BINARY.toString(), env, stdin);
    }

    /** Runs {@code program} inside the host with {@code env} and {@code stdin}, as a runtime does. */
    Result exec(String program, Map<String, String> env, String stdin) throws Exception {
        List<String> argv = new ArrayList<>(host.command(program));
        ProcessBuilder pb = new ProcessBuilder(argv).redirectError(ProcessBuilder.Redirect.DISCARD);
        pb.environment().keySet().removeIf(k -> k.startsWith("CNI_"));
        pb.environment().put("WEFT_CNI_SOCKET", socket.toString());
        pb.environment().putAll(env);
        Process p = pb.start();
        try (OutputStream in = p.getOutputStream()) {
            in.write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            throw new AssertionError(program + " did not finish within 120 s");
        }
        return new Result(p.exitValue(), out);
    }
}
