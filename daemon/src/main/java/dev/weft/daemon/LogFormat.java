package dev.weft.daemon;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;

/**
 * weftd's log format ({@code --log-format}): logfmt, as {@link LogfmtConfigurator} sets it up, or json: logback's
 * own JSON encoder, one object a line with the time (milliseconds since the epoch), level, thread,
 * logger, the formatted message, key-value pairs and MDC, and a thrown exception as an object.
 * The engine's System.Logger reaches logback through slf4j-jdk-platform-logging.
 */
final class LogFormat {
    private LogFormat() {
    }

    /**
     * Switches to {@code format}; false if it is neither logfmt nor json. Either way what is logged
     * through java.util.logging (gRPC) goes through logback too, so that every line has the format.
     */
    static boolean apply(String format) {
        SLF4JBridgeHandler.removeHandlersForRootLogger();
        SLF4JBridgeHandler.install();
        return switch (format) {
            case "logfmt" -> true;
            case "json" -> {
                json();
                yield true;
            }
            default -> false;
        };
    }

    @SuppressWarnings("unchecked") // LogfmtConfigurator makes STDERR a ConsoleAppender of logging events
    private static void json() {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        ch.qos.logback.classic.Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        OutputStreamAppender<ILoggingEvent> stderr = (OutputStreamAppender<ILoggingEvent>) root.getAppender(LogfmtConfigurator.APPENDER);
        JsonEncoder encoder = new JsonEncoder();
        encoder.setContext(context);
        encoder.setWithSequenceNumber(false);
        encoder.setWithNanoseconds(false);
        encoder.setWithContext(false);
        encoder.setWithMessage(false); // the pattern with its {} ...
        encoder.setWithArguments(false); // ... and its arguments: the formatted message says it all
        encoder.setWithFormattedMessage(true);
        encoder.start();
        stderr.stop();
        stderr.setEncoder(encoder);
        stderr.start();
    }
}
