package dev.weft.daemon;

import java.nio.file.Path;

/** weftd's settings, parsed once from its command line. */
public record WeftdOptions(Path socket, Path dataDir, Path runDir, String logLevel) {
    public static final Path DEFAULT_SOCKET = Path.of("/run/weft/weft.sock");
    public static final Path DEFAULT_DATA_DIR = Path.of("/var/lib/weft");
    public static final Path DEFAULT_RUN_DIR = Path.of("/run/weft");

    public static WeftdOptions defaults() {
        return new WeftdOptions(DEFAULT_SOCKET, DEFAULT_DATA_DIR, DEFAULT_RUN_DIR, "info");
    }
}
