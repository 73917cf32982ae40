package dev.weft.cli;

/** A failure to report as one line, "weft: MESSAGE", with exit status 1. */
final class CliException extends RuntimeException {
    CliException(String message) {
        super(message);
    }
}
