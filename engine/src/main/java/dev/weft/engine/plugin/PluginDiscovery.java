package dev.weft.engine.plugin;

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
 * Finds a plugin's address the way Docker's v1 plugin registry does (pkg/plugins/discovery.go):
 * first a socket {@code NAME.sock} or {@code NAME/NAME.sock} in the socket directories, then in
 * the spec directories a {@code NAME.spec} (or {@code NAME/NAME.spec}) holding a URL, or a
 * {@code NAME.json} holding {@code {"Name","Addr","TLSConfig"}}. As in Docker, the scheme
 * decides: {@code unix:///PATH} is a socket, {@code tcp://HOST:PORT} and {@code http://HOST:PORT}
 * are plain HTTP (whatever the {@code TLSConfig}), {@code https://HOST:PORT} is HTTPS with the
 * {@code TLSConfig} ({@code {"InsecureSkipVerify","CAFile","CertFile","KeyFile"}}) of a
 * {@code .json} file. Unlike Docker, which skips verification when there is no {@code CAFile},
 * the server is then verified against the JDK's default certificates unless
 * {@code InsecureSkipVerify} is set. The TLS files are read at each call.
 * The directories are parameters so tests can use their own.
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

    /** The address of plugin {@code name}; NOT_FOUND naming every place looked at when there is none. */
    public PluginAddress address(String name) {
        if (name.isEmpty() || name.contains("/") || name.equals(".") || name.equals("..")
                || name.chars().anyMatch(ch -> ch < 0x20 || ch == 0x7f)) { // no NUL: it is part of file names
            throw WeftException.invalid("invalid plugin name \"" + name + "\"");
        }
        List<Path> looked = new ArrayList<>();
        for (Path dir : socketDirs) {
            for (Path p : candidates(dir, name, ".sock")) {
                looked.add(p);
                if (Files.exists(p) && !Files.isDirectory(p) && !Files.isRegularFile(p)) {
                    return new PluginAddress.Unix(p); // a socket (or something else special that connecting will judge)
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

    private static PluginAddress fromSpec(String name, Path spec) {
        try {
            return address(name, spec, Files.readString(spec).trim(), null);
        } catch (IOException e) {
            throw WeftException.unavailable("cannot read spec " + spec + " of network plugin " + name + ": " + e.getMessage(), e);
        }
    }

    private static PluginAddress fromJson(String name, Path spec) {
        JsonNode doc;
        try {
            doc = JSON.readTree(spec.toFile());
        } catch (IOException e) {
            throw WeftException.invalid("spec " + spec + " of network plugin " + name + " is not valid JSON: " + e.getMessage());
        }
        String where = " (in " + spec + ", network plugin " + name + ")";
        JsonNode addr = doc == null ? null : doc.get("Addr");
        if (addr == null || !addr.isTextual()) {
            throw WeftException.invalid("spec " + spec + " of network plugin " + name + " has no \"Addr\"");
        }
        JsonNode tls = doc.get("TLSConfig");
        if (tls == null || tls.isNull()) {
            return address(name, spec, addr.asText(), null);
        }
        if (!tls.isObject()) {
            throw WeftException.invalid("\"TLSConfig\" is not an object" + where);
        }
        JsonNode skip = tls.path("InsecureSkipVerify");
        if (!skip.isMissingNode() && !skip.isNull() && !skip.isBoolean()) {
            throw WeftException.invalid("\"TLSConfig\".\"InsecureSkipVerify\" is not true or false" + where);
        }
        Path cert = file(tls, "CertFile", where);
        Path key = file(tls, "KeyFile", where);
        if ((cert == null) != (key == null)) {
            throw WeftException.invalid("\"TLSConfig\" needs both \"CertFile\" and \"KeyFile\" for a client certificate, or"
                    + " neither" + where);
        }
        return address(name, spec, addr.asText(), new PluginAddress.Tls(skip.asBoolean(false), file(tls, "CAFile", where),
                cert, key));
    }

    /** The path in TLSConfig's {@code field}; null when it is absent or empty. */
    private static Path file(JsonNode tls, String field, String where) {
        JsonNode v = tls.get(field);
        if (v == null || v.isNull() || v.isTextual() && v.asText().isEmpty()) {
            return null;
        }
        if (!v.isTextual()) {
            throw WeftException.invalid("\"TLSConfig\".\"" + field + "\" is not a file path" + where);
        }
        return Path.of(v.asText());
    }

    /** The address {@code url} names: a unix:// socket path or a tcp:// host and port; anything else is refused clearly. */
    private static PluginAddress address(String name, Path spec, String url, PluginAddress.Tls tls) {
        String where = " (in " + spec + ", network plugin " + name + ")";
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw WeftException.invalid("plugin address \"" + url + "\" is not a URL" + where);
        }
        if (uri.getScheme() == null) {
            throw WeftException.invalid("plugin address \"" + url + "\" has no scheme (unix://PATH, tcp://HOST:PORT or https://HOST:PORT)" + where);
        }
        switch (uri.getScheme()) {
            case "unix" -> {
                String path = uri.getPath();
                if (path == null || !path.startsWith("/") || uri.getAuthority() != null) {
                    throw WeftException.invalid("plugin address \"" + url + "\" needs an absolute socket path" + where);
                }
                return new PluginAddress.Unix(Path.of(path));
            }
            case "tcp", "http", "https" -> {
                if (uri.getHost() == null || uri.getPort() < 0) {
                    throw WeftException.invalid("plugin address \"" + url + "\" needs a host and a port ("
                            + uri.getScheme() + "://HOST:PORT)" + where);
                }
                String host = uri.getHost().startsWith("[") ? uri.getHost().substring(1, uri.getHost().length() - 1)
                        : uri.getHost();
                boolean https = uri.getScheme().equals("https");
                return new PluginAddress.Tcp(host, uri.getPort(), !https ? null
                        : tls != null ? tls : new PluginAddress.Tls(false, null, null, null));
            }
            default -> throw WeftException.invalid("plugin address \"" + url + "\": " + uri.getScheme()
                    + ":// is not supported, only unix://PATH, tcp:// or http://HOST:PORT, and https://HOST:PORT" + where);
        }
    }
}
