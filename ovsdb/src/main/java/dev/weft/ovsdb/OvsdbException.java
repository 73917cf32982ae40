package dev.weft.ovsdb;

/**
 * Something went wrong talking to an OVSDB server. The subclasses say what: the server could not
 * be reached or went away, it answered a request with a JSON-RPC error, or a transaction was
 * refused (then nothing of it was committed, as RFC 7047 promises).
 */
public class OvsdbException extends RuntimeException {
    OvsdbException(String message, Throwable cause) {
        super(message, cause);
    }

    OvsdbException(String message) {
        super(message);
    }

    /** The server is not there (no socket, refused) or the connection broke. */
    public static final class Unavailable extends OvsdbException {
        Unavailable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** The server answered a request with a JSON-RPC error (unknown database, bad params, ...). */
    public static final class RpcError extends OvsdbException {
        private final String error;

        RpcError(String method, String error) {
            super("OVSDB " + method + " failed: " + error);
            this.error = error;
        }

        public String error() {
            return error;
        }
    }

    /**
     * A transaction was refused. {@code error} is the RFC 7047 error string ("constraint violation",
     * "referential integrity violation", "timed out", "not owner", ...); {@code operation} is the
     * index of the failing operation, or -1 when the commit itself failed.
     */
    public static final class TransactionFailed extends OvsdbException {
        private final String error;
        private final String details;
        private final int operation;

        TransactionFailed(String error, String details, int operation, String opName) {
            super("OVSDB transaction failed" + (operation >= 0 ? " at operation " + operation + " (" + opName + ")" : " at commit")
                    + ": " + error + (details == null || details.isEmpty() ? "" : ": " + details));
            this.error = error;
            this.details = details;
            this.operation = operation;
        }

        public String error() {
            return error;
        }

        public String details() {
            return details;
        }

        public int operation() {
            return operation;
        }
    }
}
