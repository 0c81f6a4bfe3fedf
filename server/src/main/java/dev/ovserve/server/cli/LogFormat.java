package dev.ovserve.server.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import java.util.function.Consumer;
import net.logstash.logback.encoder.LogstashEncoder;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;

/**
 * How `serve` writes its logs. TEXT leaves everything as it was (java.util.logging's format for
 * the engine, plain lines for the server's own messages). JSON writes one JSON object per line on
 * stderr (logstash-logback-encoder: @timestamp, level, logger_name, thread_name, message,
 * stack_trace) for log collectors: java.util.logging is bridged into logback and the server's own
 * messages go through a logger too.
 */
enum LogFormat {
    TEXT, JSON;

    /** Applies the format to the process; returns where the server's own messages go. */
    Consumer<String> install() {
        if (this == TEXT) {
            return System.err::println;
        }
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        context.reset();
        LogstashEncoder encoder = new LogstashEncoder();
        encoder.setContext(context);
        encoder.start();
        ConsoleAppender<ILoggingEvent> stderr = new ConsoleAppender<>();
        stderr.setContext(context);
        stderr.setName("json");
        stderr.setTarget("System.err");
        stderr.setEncoder(encoder);
        stderr.start();
        ch.qos.logback.classic.Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.INFO);
        root.addAppender(stderr);
        // Libraries stay at warnings, as in the text format.
        context.getLogger("ai.djl").setLevel(Level.WARN);
        context.getLogger("io.netty").setLevel(Level.WARN);
        SLF4JBridgeHandler.removeHandlersForRootLogger();
        SLF4JBridgeHandler.install();
        java.util.logging.Logger.getLogger("").setLevel(java.util.logging.Level.INFO);
        org.slf4j.Logger server = LoggerFactory.getLogger("dev.ovserve.server");
        return server::info;
    }
}
