package dev.weft.engine.driver.remote;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.weft.engine.WeftException;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds a plugin's socket the way Docker's v1 plugin registry does (pkg/plugins/discovery.go):
 * first a socket {@code NAME.sock} or {@code NAME/NAME.sock} in the socket directories, then in
 * the spec directories a {@code NAME.spec} (or {@code NAME/NAME.spec}) holding a URL, or a
 * {@code NAME.json} holding {@code {"Name","Addr","TLSConfig"}}. Only {@code unix://} addresses
 * are supported; a {@code tcp://} plugin is refused with a message saying so. The directories
 * are parameters so tests can use their own.
 */
public record PluginDiscovery(List<Path> socketDirs, List<Path> specDirs) {
    private static final ObjectMapper JSON = new ObjectMapper();

    public PluginDiscovery {
        socketDirs = List.copyOf(socketDirs);
        specDirs = List.copyOf(specDirs);
    }

    /** Docker's places: sockets in /run/docker/plugins, specs in /etc/docker/plugins and /usr/lib/docker/plugins. */
    public static PluginDiscovery defaults() {
        return new PluginDiscovery(List.of(Path.of("/run/docker/plugins")),
                List.of(Path.of("/etc/docker/plugins"), Path.of("/usr/lib/docker/plugins")));
    }

    /** The socket of plugin {@code name}; NOT_FOUND naming every place looked at when there is none. */
    public Path socket(String name) {
        if (name.isEmpty() || name.contains("/") || name.equals(".") || name.equals("..")) {
            throw WeftException.invalid("invalid plugin name \"" + name + "\"");
        }
        List<Path> looked = new ArrayList<>();
        for (Path dir : socketDirs) {
            for (Path p : candidates(dir, name, ".sock")) {
                looked.add(p);
                if (Files.exists(p) && !Files.isDirectory(p) && !Files.isRegularFile(p)) {
                    return p; // a socket (or something else special that connecting will judge)
                }
            }
        }
        for (Path dir : specDirs) {
            for (String ext : List.of(".spec", ".json")) {
                for (Path p : candidates(dir, name, ext)) {
                    looked.add(p);
                    if (Files.isRegularFile(p)) {
                        return ext.equals(".spec") ? fromSpec(name, p) : fromJson(name, p);
                    }
                }
            }
        }
        throw WeftException.notFound("network plugin " + name + " not found (looked for " + looked.stream()
                .map(Path::toString).reduce((a, b) -> a + ", " + b).orElse("nothing: no plugin directories") + ")");
    }

    private static List<Path> candidates(Path dir, String name, String ext) {
        return List.of(dir.resolve(name + ext), dir.resolve(name).resolve(name + ext));
    }

    private static Path fromSpec(String name, Path spec) {
        try {
            return address(name, spec, Files.readString(spec).trim());
        } catch (IOException e) {
            throw WeftException.unavailable("cannot read spec " + spec + " of network plugin " + name + ": " + e.getMessage(), e);
        }
    }

    private static Path fromJson(String name, Path spec) {
        JsonNode doc;
        try {
            doc = JSON.readTree(spec.toFile());
        } catch (IOException e) {
            throw WeftException.invalid("spec " + spec + " of network plugin " + name + " is not valid JSON: " + e.getMessage());
        }
        JsonNode addr = doc == null ? null : doc.get("Addr");
        if (addr == null || !addr.isTextual()) {
            throw WeftException.invalid("spec " + spec + " of network plugin " + name + " has no \"Addr\"");
        }
        return address(name, spec, addr.asText());
    }

    /** The socket path of a unix:// address; other schemes are refused clearly. */
    private static Path address(String name, Path spec, String url) {
        String where = " (in " + spec + ", network plugin " + name + ")";
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw WeftException.invalid("plugin address \"" + url + "\" is not a URL" + where);
        }
        if (uri.getScheme() == null) {
            throw WeftException.invalid("plugin address \"" + url + "\" has no scheme (unix://PATH)" + where);
        }
        if (!uri.getScheme().equals("unix")) {
            throw WeftException.invalid("plugin address \"" + url + "\": " + uri.getScheme()
                    + ":// plugins are not supported yet, only unix:// sockets" + where);
        }
        String path = uri.getPath();
        if (path == null || !path.startsWith("/") || uri.getAuthority() != null) {
            throw WeftException.invalid("plugin address \"" + url + "\" needs an absolute socket path" + where);
        }
        return Path.of(path);
    }
}
