package dev.weft.daemon.cni;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One CNI call as the shim hands it over: the CNI_* variables (null when unset) and the
 * configuration from stdin, checked the way the reference plugins' skeleton checks them.
 */
record CniRequest(String command, String containerId, String netns, String ifname, Map<String, String> args,
                  String path, byte[] stdin) {
    static final Set<String> COMMANDS = Set.of("ADD", "DEL", "CHECK", "GC", "STATUS", "VERSION");
    private static final Pattern CONTAINER_ID = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.\\-]*");

    CniRequest {
        args = args == null ? Map.of() : Map.copyOf(args);
    }

    /** Reads and checks the variables; {@code cniArgs} is CNI_ARGS unparsed. */
    static CniRequest of(String command, String containerId, String netns, String ifname, String cniArgs, String path,
                         byte[] stdin) {
        if (command == null || command.isEmpty()) {
            throw CniError.environment("CNI_COMMAND is not set");
        }
        if (!COMMANDS.contains(command)) {
            throw CniError.environment("unknown CNI_COMMAND: " + command);
        }
        boolean attachment = command.equals("ADD") || command.equals("DEL") || command.equals("CHECK");
        if (attachment) {
            require(containerId, "CNI_CONTAINERID");
            require(ifname, "CNI_IFNAME");
            if (!command.equals("DEL")) {
                require(netns, "CNI_NETNS");
            }
            if (!CONTAINER_ID.matcher(containerId).matches()) {
                throw CniError.environment("CNI_CONTAINERID \"" + containerId
                        + "\" must start with a letter or digit, then letters, digits, '_', '.' or '-'");
            }
            checkIfname(ifname);
        }
        if (command.equals("GC")) {
            require(path, "CNI_PATH");
        }
        return new CniRequest(command, containerId, empty(netns), ifname, parseArgs(cniArgs), path, stdin);
    }

    private static String empty(String s) {
        return s == null || s.isEmpty() ? null : s;
    }

    private static void require(String value, String name) {
        if (value == null || value.isEmpty()) {
            throw CniError.environment(name + " is required");
        }
    }

    /** Linux interface names: 1-15 bytes, no '/', ':' or white space, not "." or "..". */
    private static void checkIfname(String ifname) {
        if (ifname.length() > 15 || ifname.equals(".") || ifname.equals("..") || !ifname.matches("[^/:\\s]+")) {
            throw CniError.environment("CNI_IFNAME \"" + ifname
                    + "\" is not an interface name (1-15 characters, no '/', ':' or white space)");
        }
        if (!ifname.matches("[a-zA-Z0-9_.\\-]+")) {
            throw CniError.environment("CNI_IFNAME \"" + ifname + "\": weft names interfaces with letters, digits, '_', '.' and '-'");
        }
    }

    /** CNI_ARGS: "KEY=VALUE;KEY=VALUE". */
    private static Map<String, String> parseArgs(String raw) {
        Map<String, String> out = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return out;
        }
        for (String pair : raw.split(";")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                throw CniError.environment("CNI_ARGS: \"" + pair + "\" is not KEY=VALUE");
            }
            out.put(pair.substring(0, eq), pair.substring(eq + 1));
        }
        return out;
    }

    /** The attachment's key: the sandbox weft keeps for it is named after it. */
    String attachment() {
        return attachmentKey(containerId, ifname);
    }

    static String attachmentKey(String containerId, String ifname) {
        return "cni:" + containerId + ":" + ifname;
    }

    /** The name of the attachment's endpoint on its network. */
    String endpointName() {
        return endpointName(containerId, ifname);
    }

    static String endpointName(String containerId, String ifname) {
        String name = "cni." + containerId + "." + ifname;
        return name.length() <= 128 ? name : "cni." + Integer.toHexString(name.hashCode()) + "." + containerId.substring(0, 100);
    }
}
