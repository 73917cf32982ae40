package dev.weft.daemon;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.spi.ContextAwareBase;
import org.slf4j.Logger;

/**
 * weftd's logging as logback starts it (found through {@code META-INF/services}): logfmt lines,
 * one event per line as key=value for journald and log shippers, on standard error, level INFO.
 * Built in code rather than by a logback.xml, whose XML parsing cost weftd about 25 ms of its
 * start-up (docs/design.md, "weftd's start-up"). {@code --log-level} and {@code --log-format}
 * change it afterwards ({@link LogFormat}).
 */
public final class LogfmtConfigurator extends ContextAwareBase implements Configurator {
    /** The appender's name, by which {@link LogFormat} finds it. */
    static final String APPENDER = "STDERR";
    private static final String PATTERN =
            "time=%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} level=%level logger=%logger{0} msg=\"%replace(%msg){'\"', '\\\\\"'}\"%n%ex";

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern(PATTERN);
        encoder.start();
        ConsoleAppender<ILoggingEvent> stderr = new ConsoleAppender<>();
        stderr.setContext(context);
        stderr.setName(APPENDER);
        stderr.setTarget("System.err");
        stderr.setEncoder(encoder);
        stderr.start();
        ch.qos.logback.classic.Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.INFO);
        root.addAppender(stderr);
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }
}
