package dev.weft.http;

import java.io.IOException;

/** Connecting failed: nothing reached the server, so the request may be retried. */
public final class HttpConnectException extends IOException {
    public HttpConnectException(String message, Throwable cause) {
        super(message, cause);
    }
}
