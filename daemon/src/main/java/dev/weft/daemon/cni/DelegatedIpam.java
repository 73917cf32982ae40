package dev.weft.daemon.cni;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs the IPAM plugin an {@code ipam} section names (Section 4 of the specification): found in
 * CNI_PATH, given the same configuration on stdin and the call's CNI_* variables with the verb at
 * hand. Its errors are handed on with their own code.
 */
final class DelegatedIpam {
    private static final long TIMEOUT_SECONDS = 60;

    private DelegatedIpam() {
    }

    /** Runs {@code command} of the delegate; its result (null when it printed nothing). */
    static ObjectNode run(String command, CniRequest req, CniConfig cfg) {
        Path exe = find(cfg.ipamType(), req.path());
        ProcessBuilder pb = new ProcessBuilder(exe.toString()).redirectError(ProcessBuilder.Redirect.DISCARD);
        Map<String, String> env = pb.environment();
        env.keySet().removeIf(k -> k.startsWith("CNI_"));
        env.put("CNI_COMMAND", command);
        put(env, "CNI_CONTAINERID", req.containerId());
        put(env, "CNI_NETNS", req.netns());
        put(env, "CNI_IFNAME", req.ifname());
        put(env, "CNI_PATH", req.path());
        if (!req.args().isEmpty()) {
            StringBuilder args = new StringBuilder();
            req.args().forEach((k, v) -> args.append(args.isEmpty() ? "" : ";").append(k).append('=').append(v));
            env.put("CNI_ARGS", args.toString());
        }
        try {
            Process p = pb.start();
            try (OutputStream in = p.getOutputStream()) {
                in.write(req.stdin());
            }
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new CniError(CniError.IPAM_FAILED, "IPAM plugin timed out", cfg.ipamType() + " " + command);
            }
            JsonNode answer = out.length == 0 ? null : CniConfig.JSON.readTree(out);
            if (p.exitValue() != 0) {
                throw failure(cfg.ipamType(), command, answer, new String(out, StandardCharsets.UTF_8));
            }
            return answer instanceof ObjectNode o ? o : null;
        } catch (IOException e) {
            throw new CniError(CniError.IPAM_FAILED, "IPAM plugin failed", cfg.ipamType() + " " + command + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CniError(CniError.TRY_AGAIN_LATER, "try again later", "interrupted while running " + cfg.ipamType());
        }
    }

    private static CniError failure(String type, String command, JsonNode answer, String raw) {
        if (answer != null && answer.path("code").canConvertToInt()) {
            return new CniError(answer.get("code").asInt(), answer.path("msg").asText("IPAM plugin failed"),
                    type + " " + command + ": " + answer.path("details").asText(""));
        }
        return new CniError(CniError.IPAM_FAILED, "IPAM plugin failed", type + " " + command + ": " + raw.strip());
    }

    private static void put(Map<String, String> env, String key, String value) {
        if (value != null) {
            env.put(key, value);
        }
    }

    /** The plugin's executable in CNI_PATH; code 7 when it is in none of its directories. */
    private static Path find(String type, String cniPath) {
        if (type.contains("/")) {
            throw CniError.config("ipam.type \"" + type + "\" must be a plugin name, not a path");
        }
        if (cniPath != null) {
            for (String dir : cniPath.split(":")) {
                Path p = Path.of(dir.isEmpty() ? "." : dir, type);
                if (Files.isExecutable(p)) {
                    return p;
                }
            }
        }
        throw CniError.config("IPAM plugin \"" + type + "\" is not in CNI_PATH (" + cniPath + ")");
    }
}
