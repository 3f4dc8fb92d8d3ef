package org.capsync.console;

import java.nio.charset.Charset;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.AppenderBase;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.spi.FilterReply;
import org.slf4j.LoggerFactory;

/**
 * While a progress bar owns the terminal, the console lines that JobLogging configures (same filters, same
 * pattern) go to it instead of straight to stdout, so that they appear above the bar rather than through it. The log
 * file is untouched. {@link #close()} puts the console appenders back.
 */
final class ConsoleRouting implements AutoCloseable {

    /** One console appender taken off a logger, and what stands in for it. */
    private record Swap(Logger logger, Appender<ILoggingEvent> original, Appender<ILoggingEvent> standIn) {
    }

    private final List<Swap> swaps;

    private ConsoleRouting(List<Swap> swaps) {
        this.swaps = swaps;
    }

    /** Routes every console line to {@code sink}, with its level (for colour) and its text without the newline. */
    static ConsoleRouting to(BiConsumer<Level, String> sink) {
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
            return new ConsoleRouting(List.of());
        }
        Map<Appender<ILoggingEvent>, Appender<ILoggingEvent>> standIns = new IdentityHashMap<>();
        List<Swap> swaps = new ArrayList<>();
        for (Logger logger : context.getLoggerList()) {
            for (Iterator<Appender<ILoggingEvent>> it = logger.iteratorForAppenders(); it.hasNext(); ) {
                if (it.next() instanceof ConsoleAppender<ILoggingEvent> console) {
                    swaps.add(new Swap(logger, console, standIns.computeIfAbsent(console, c -> standIn(console, context, sink))));
                }
            }
        }
        for (Swap swap : swaps) {
            swap.logger().detachAppender(swap.original());
            swap.logger().addAppender(swap.standIn());
        }
        return new ConsoleRouting(swaps);
    }

    private static Appender<ILoggingEvent> standIn(ConsoleAppender<ILoggingEvent> console, LoggerContext context,
            BiConsumer<Level, String> sink) {
        AppenderBase<ILoggingEvent> standIn = new AppenderBase<>() {
            @Override
            protected void append(ILoggingEvent event) {
                if (console.getFilterChainDecision(event) == FilterReply.DENY) {
                    return;
                }
                String text = new String(console.getEncoder().encode(event), Charset.defaultCharset());
                sink.accept(event.getLevel(), text.stripTrailing());
            }
        };
        standIn.setName(console.getName() + "_ABOVE_PROGRESS_BAR");
        standIn.setContext(context);
        standIn.start();
        return standIn;
    }

    @Override
    public void close() {
        for (Swap swap : swaps) {
            swap.logger().detachAppender(swap.standIn());
            swap.logger().addAppender(swap.original());
        }
        swaps.stream().map(Swap::standIn).distinct().forEach(Appender::stop);
    }
}
