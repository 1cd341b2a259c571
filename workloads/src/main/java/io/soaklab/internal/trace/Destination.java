package io.soaklab.internal.trace;

import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.time.Duration;
import java.util.Collection;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * One place a run's spans go (a collector, or {@code traces.jsonl}), through a bounded batch
 * processor on the SDK's own thread, and what became of them. An episode is let in whole or not at
 * all: when the spans queued and its own would pass the queue's bound, the whole episode is
 * dropped and counted, so the batch processor never drops a span on its own and a trace is never
 * half exported for want of room.
 */
final class Destination {

    /** What became of the spans let in, at one moment. */
    record Counts(String name, long spans, long sent, long failed, long unconfirmed, long droppedSpans, long droppedEpisodes) {
    }

    private final String name;
    private final int capacity;
    private final SpanProcessor batch;
    private final AtomicLong handed = new AtomicLong();
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicBoolean toldFailure = new AtomicBoolean();
    private final Consumer<String> notice;
    private long admitted;
    private long droppedSpans;
    private long droppedEpisodes;

    /**
     * @param capacity most spans waiting at once (the batch processor's queue)
     * @param timeout  longest one export may take before it counts as failed
     * @param notice   told once, in one line, when an export first fails
     */
    Destination(String name, SpanExporter exporter, int capacity, Duration delay, Duration timeout, Consumer<String> notice) {
        this.name = name;
        this.capacity = capacity;
        this.notice = notice;
        this.batch = BatchSpanProcessor.builder(new Counting(exporter))
                .setMaxQueueSize(capacity)
                .setMaxExportBatchSize(Math.min(512, capacity))
                .setScheduleDelay(delay)
                .setExporterTimeout(timeout)
                .setMeterProvider(io.opentelemetry.api.metrics.MeterProvider.noop())
                .build();
    }

    String name() {
        return name;
    }

    SpanProcessor batch() {
        return batch;
    }

    /** Lets in an episode of {@code spans} spans if the queue has room for all of them; else counts it dropped. */
    synchronized boolean admit(int spans) {
        long waiting = admitted - handed.get(); // at least what the queue holds: spans taken for a batch count until it is sent
        if (waiting + spans > capacity) {
            droppedSpans += spans;
            droppedEpisodes++;
            return false;
        }
        admitted += spans;
        return true;
    }

    /**
     * What became of the spans so far; at the run's {@code end}, the spans never handed to the
     * exporter (the queue's rest) count as dropped.
     */
    synchronized Counts counts(boolean end) {
        if (end) {
            toldFailure.set(true); // the run's last line counts what failed; nothing is said after it
        }
        long notHanded = admitted - handed.get();
        long s = sent.get();
        long f = failed.get();
        long unconfirmed = Math.max(0, handed.get() - s - f);
        return new Counts(name, admitted + droppedSpans, s, f, unconfirmed, droppedSpans + (end ? notHanded : 0), droppedEpisodes);
    }

    /** Counts what the exporter is handed and what it reports back; a failure is told once. */
    private final class Counting implements SpanExporter {
        private final SpanExporter delegate;

        Counting(SpanExporter delegate) {
            this.delegate = delegate;
        }

        @Override
        public CompletableResultCode export(Collection<SpanData> spans) {
            int n = spans.size();
            handed.addAndGet(n);
            CompletableResultCode result;
            try {
                result = delegate.export(spans);
            } catch (RuntimeException e) {
                failed.addAndGet(n);
                tell(e);
                return CompletableResultCode.ofFailure();
            }
            result.whenComplete(() -> {
                if (result.isSuccess()) {
                    sent.addAndGet(n);
                } else {
                    failed.addAndGet(n);
                    tell(result.getFailureThrowable());
                }
            });
            return result;
        }

        private void tell(Throwable why) {
            if (toldFailure.compareAndSet(false, true)) {
                notice.accept("traces: an export to " + name + " failed" + (why == null ? "" : " (" + why.getClass().getSimpleName()
                        + (why.getMessage() == null ? "" : ": " + why.getMessage()) + ")")
                        + "; the run goes on, and spans not delivered are counted at its end");
            }
        }

        @Override
        public CompletableResultCode flush() {
            return delegate.flush();
        }

        @Override
        public CompletableResultCode shutdown() {
            return delegate.shutdown();
        }
    }
}
