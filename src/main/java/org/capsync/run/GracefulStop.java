package org.capsync.run;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * SIGTERM, Ctrl-C or SIGHUP (an ssh session dropped, a terminal closed) during a run: ask Spring Batch to stop the execution (the chunk in flight finishes, so no copy is
 * cut off), and let the run record itself as {@code STOPPED}, print its summary and exit 1 (restartable). This takes
 * the signal instead of the JVM's shutdown, because a shutdown would close the H2 repository under the running job.
 * A second signal ends the process at once; the next run then recovers the execution.
 */
public final class GracefulStop implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger("capsync.run");
    private static final List<String> SIGNALS = List.of("TERM", "INT", "HUP");

    private final String stopping;
    private final AtomicReference<Runnable> stopAction = new AtomicReference<>();
    private final AtomicInteger signals = new AtomicInteger();
    private final List<Previous> previous = new ArrayList<>();

    private record Previous(Signal signal, SignalHandler handler) {
    }

    private GracefulStop(String stopping) {
        this.stopping = stopping;
    }

    public static GracefulStop install() {
        return install("finishing the copies in flight and recording the run as STOPPED; the next run resumes it");
    }

    /** With {@code stopping}: what the first signal does, for the log. */
    public static GracefulStop install(String stopping) {
        GracefulStop stop = new GracefulStop(stopping);
        for (String name : SIGNALS) {
            try {
                Signal signal = new Signal(name);
                stop.previous.add(new Previous(signal, Signal.handle(signal, stop::onSignal)));
            } catch (IllegalArgumentException unsupported) {
                // this platform has no such signal (or the JVM reserves it): its default stays
            }
        }
        return stop;
    }

    /** What stopping means once a run is under way. */
    public void onSignal(Runnable action) {
        stopAction.set(action);
    }

    private void onSignal(Signal signal) {
        Runnable action = stopAction.get();
        if (action == null || signals.incrementAndGet() > 1) {
            log.warn("SIG{} again: ending now; the next run recovers and resumes this one", signal.getName());
            Runtime.getRuntime().halt(RunSummary.EXIT_FAILED);
        }
        log.warn("SIG{}: {}", signal.getName(), stopping);
        action.run();
    }

    @Override
    public void close() {
        for (Previous p : previous) {
            Signal.handle(p.signal(), p.handler());
        }
    }
}
