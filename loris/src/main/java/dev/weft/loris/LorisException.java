package dev.weft.loris;

/** A problem the user can act on: printed as one line, exit status 1. */
final class LorisException extends RuntimeException {
    LorisException(String message) {
        super(message);
    }

    LorisException(String message, Throwable cause) {
        super(message, cause);
    }
}
