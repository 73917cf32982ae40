package dev.weft.daemon.api;

/** A request that fails with an HTTP status and a message for the {"message": ...} body. */
public final class ApiException extends RuntimeException {
    private final int status;

    public ApiException(int status, String message) {
        super(message);
        this.status = status;
    }

    public int status() {
        return status;
    }
}
