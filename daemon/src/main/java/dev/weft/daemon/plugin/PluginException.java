package dev.weft.daemon.plugin;

/** A plugin call that fails before weft is asked: its HTTP status and the message for {"Err": ...}. */
final class PluginException extends RuntimeException {
    private final int status;

    PluginException(int status, String message) {
        super(message);
        this.status = status;
    }

    static PluginException badRequest(String message) {
        return new PluginException(400, message);
    }

    static PluginException notFound(String message) {
        return new PluginException(404, message);
    }

    int status() {
        return status;
    }
}
