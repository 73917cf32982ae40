package dev.weft.http;

import java.io.IOException;

/** The deadline passed before the reply was complete. */
public final class HttpTimeoutException extends IOException {
    public HttpTimeoutException(String message) {
        super(message);
    }
}
