package dev.weft.loris;


import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A container as loris sees it: a network namespace to put an interface in, what the user called
 * it, and a process whose life is the container's (0 when only a namespace path was given: then the
 * container lives as long as that path does). Resolved from a pid, a namespace path, a weft container
 * (weftd's API) or a Docker container (Docker's Engine API), in that order.
 */
record Container(String reference, Path netns, long pid) {

    /** Whether the container still exists. */
    boolean alive() {
        return pid > 0 ? Files.exists(Path.of("/proc", Long.toString(pid))) : Files.exists(netns);
    }

    /** The namespace's identity (device:inode of its nsfs file), the same however it is named. */
    String netnsId() {
        return netnsId(netns, reference);
    }

    static String netnsId(Path netns, String reference) {
        try {
            return Files.getAttribute(netns, "unix:dev") + ":" + Files.getAttribute(netns, "unix:ino");
        } catch (java.io.IOException | RuntimeException e) {
            throw new LorisException("cannot read network namespace " + netns + " of container " + reference + ": " + e.getMessage());
        }
    }

    static Container resolve(String ref, String weftHost, String dockerHost) {
        if (ref.isEmpty()) {
            throw new LorisException("no container given");
        }
        if (ref.chars().allMatch(Character::isDigit)) {
            long pid = Long.parseLong(ref);
            Path ns = Path.of("/proc", ref, "ns", "net");
            if (!Files.exists(ns)) {
                throw new LorisException("no process " + ref);
            }
            return new Container(ref, ns, pid);
        }
        if (ref.startsWith("/")) {
            Path ns = Path.of(ref);
            if (!Files.exists(ns)) {
                throw new LorisException("no network namespace at " + ref);
            }
            return new Container(ref, ns, 0);
        }
        if (!ref.matches("[A-Za-z0-9][A-Za-z0-9_.-]*")) {
            throw new LorisException("bad container name \"" + ref + "\"");
        }
        Optional<Container> c = fromWeft(ref, weftHost).or(() -> fromDocker(ref, dockerHost));
        return c.orElseThrow(() -> new LorisException("no such container: " + ref
                + " (not a pid, a namespace path, a weft container or a Docker container)"));
    }

    private static Optional<Container> fromWeft(String ref, String weftHost) {
        Path socket = socket(weftHost, "unix:///run/weft/weft.sock", "WEFT_HOST");
        if (socket == null || (weftHost == null && !Files.exists(socket))) {
            return Optional.empty();
        }
        return LocalApi.get(socket, "/v1/containers/" + ref, "weftd").map(j -> fromPid(ref, j.path("Pid").asLong(), "weft"));
    }

    private static Optional<Container> fromDocker(String ref, String dockerHost) {
        Path socket = socket(dockerHost, "unix:///var/run/docker.sock", "DOCKER_HOST");
        if (socket == null || (dockerHost == null && !Files.exists(socket))) {
            return Optional.empty();
        }
        return LocalApi.get(socket, "/containers/" + ref + "/json", "dockerd").map(j -> {
            // the pid's namespace first: the SandboxKey is a bind mount that only dockerd's mount namespace may see
            long pid = j.path("State").path("Pid").asLong();
            String key = j.path("NetworkSettings").path("SandboxKey").asText("");
            if (pid <= 0 && !key.isEmpty() && Files.exists(Path.of(key))) {
                return new Container(ref, Path.of(key), 0);
            }
            return fromPid(ref, pid, "Docker");
        });
    }

    private static Container fromPid(String ref, long pid, String kind) {
        Path ns = Path.of("/proc", Long.toString(pid), "ns", "net");
        if (pid <= 0 || !Files.exists(ns)) {
            throw new LorisException(kind + " container " + ref + " is not running");
        }
        return new Container(ref, ns, pid);
    }

    /** unix:///PATH or unix:PATH from the option, else the environment, else the default. */
    private static Path socket(String option, String fallback, String env) {
        String h = option != null ? option : System.getenv().getOrDefault(env, fallback);
        if (h.startsWith("unix://")) {
            return Path.of(h.substring(7));
        }
        if (h.startsWith("unix:")) {
            return Path.of(h.substring(5));
        }
        if (option != null) {
            throw new LorisException("unsupported address \"" + h + "\" for " + env + ": expected unix:///PATH");
        }
        return null;
    }

}
