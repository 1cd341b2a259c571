package io.soaklab.load;

import io.soaklab.internal.cost.Cost;
import io.soaklab.protocol.CallResult;
import io.soaklab.protocol.ChatRequest;
import io.soaklab.protocol.ErrorClass;
import io.soaklab.protocol.ModelClient;
import io.soaklab.internal.record.CallInfo;
import io.soaklab.internal.record.RunRecorder;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The one owner of "every call sent is on record". An attempt is registered as it is handed to the
 * client and stays registered until its line is written; a call waiting to retry stays registered
 * through the wait. At the run's end ({@link #end}) nothing more is sent, and every call still
 * registered is written exactly once: as it ended, if it just did, or as
 * {@link io.soaklab.protocol.ErrorClass#OPEN}, with how far it got and its age.
 *
 * <p>Users send and record under the read side of one lock, shared among them; the run's end takes
 * the write side, so it sees every call either before it was sent, or registered, or on record,
 * never in between.
 */
final class Ledger {

    /** A call not yet on record: an attempt in flight (with its future), or a call waiting to retry (without). */
    static final class Entry {
        final CallInfo info;
        final long intended;
        final CompletableFuture<CallResult> future;
        final ChatRequest request;
        final UsageCheck usage;
        private final AtomicBoolean claimed = new AtomicBoolean();

        private Entry(CallInfo info, long intended, CompletableFuture<CallResult> future, ChatRequest request, UsageCheck usage) {
            this.info = info;
            this.intended = intended;
            this.future = future;
            this.request = request;
            this.usage = usage;
        }

        private boolean claim() {
            return claimed.compareAndSet(false, true);
        }
    }

    /** What recording an attempt gave: its cost, and the call's entry for the wait before its retry (null after the last). */
    record Recorded(Cost cost, Entry waiting) {
    }

    private final ModelClient client;
    private final RunRecorder recorder;
    private final Set<Entry> entries = ConcurrentHashMap.newKeySet();
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private boolean ended;

    /** Where every request sent is kept ({@code --record-requests}), or null. */
    private volatile io.soaklab.internal.record.RequestLine.Writer requests;

    Ledger(ModelClient client, RunRecorder recorder) {
        this.client = client;
        this.recorder = recorder;
    }

    /** Keeps every request sent from now in {@code writer}. */
    void recordRequests(io.soaklab.internal.record.RequestLine.Writer writer) {
        this.requests = writer;
    }

    /**
     * Hands {@code request} to the client and registers the attempt, both or neither; the call's
     * entry for its retry wait, if any, gives way to it.
     *
     * @throws InterruptedException when the run has ended: nothing is sent
     */
    Entry send(ChatRequest request, CallInfo info, long intended, UsageCheck usage, Entry waiting) throws InterruptedException {
        lock.readLock().lock();
        try {
            if (ended) {
                throw new InterruptedException(); // the run has ended: nothing more is sent
            }
            if (waiting != null) {
                waiting.claim();
                entries.remove(waiting);
            }
            io.soaklab.internal.record.RequestLine.Writer kept = requests;
            if (kept != null) {
                keep(kept, request, info, intended);
            }
            Entry e = new Entry(info, intended, client.send(request, intended), request, usage); // hands it over, never waits
            entries.add(e);
            return e;
        } finally {
            lock.readLock().unlock();
        }
    }

    /** The request as it goes on the wire: the client's own encoding, a second time (only when requests are recorded). */
    private void keep(io.soaklab.internal.record.RequestLine.Writer kept, ChatRequest request, CallInfo info, long intended) {
        byte[] body;
        try {
            body = client.body(request);
        } catch (java.io.IOException | RuntimeException e) {
            body = null; // the client fails the call itself, as client_error: there is no body to keep
        }
        if (body == null) {
            kept.skip();
        } else {
            kept.write(info, intended, request, body);
        }
    }

    /**
     * Writes an attempt's line, once: {@code entry} (the attempt's, or the retry wait's for an
     * attempt that was never sent; null if neither) leaves the ledger. {@code retry} is the next
     * attempt's place when there is one: the call stays registered while it waits.
     *
     * @throws InterruptedException when the run's end already recorded this call, or ended before an
     *                              attempt never sent: the run is over
     */
    Recorded record(Entry entry, CallResult r, CallInfo info, CallInfo retry) throws InterruptedException {
        lock.readLock().lock();
        try {
            if (entry != null ? !entry.claim() : ended) {
                throw new InterruptedException();
            }
            if (entry != null) {
                entries.remove(entry);
            }
            Cost cost = recorder.recordCall(r, info);
            Entry waiting = null;
            if (retry != null) {
                waiting = new Entry(retry, retry.firstIntended(), null, null, null);
                entries.add(waiting);
            }
            return new Recorded(cost, waiting);
        } finally {
            lock.readLock().unlock();
        }
    }

    /**
     * Ends sending and writes every call not yet on record: one that has just ended as it ended;
     * one in flight as open, as far as it got; one waiting to retry as open, from its first
     * attempt's intended start.
     *
     * @return the calls recorded as open
     */
    List<CallResult> end(long now) {
        List<CallResult> open = new ArrayList<>();
        lock.writeLock().lock();
        try {
            ended = true;
            for (Entry e : entries) {
                if (!e.claim()) {
                    continue;
                }
                CallResult r;
                try {
                    r = result(e, now);
                } catch (RuntimeException unexpected) { // one call's trouble must not cost the others their record
                    r = CallResult.failure(e.intended, -1, now - e.intended, ErrorClass.CLIENT_ERROR, "no outcome at the run's end: " + unexpected);
                }
                recorder.recordCall(r, e.info);
                if (r.error() == ErrorClass.OPEN) {
                    open.add(r);
                }
            }
            entries.clear();
        } finally {
            lock.writeLock().unlock();
        }
        return open;
    }

    /** Every call not yet on record, as far as it has got now; nothing is changed. */
    List<CallResult> open(long now) {
        List<CallResult> out = new ArrayList<>();
        for (Entry e : entries) {
            out.add(e.future == null ? waiting(e, now) : client.inFlight(e.future, e.intended, now));
        }
        return out;
    }

    private CallResult result(Entry e, long now) {
        if (e.future == null) {
            return waiting(e, now);
        }
        if (e.future.isCompletedExceptionally()) { // the watchdog gave up on it (cancelled), or the client failed
            return CallResult.failure(e.intended, -1, now - e.intended, ErrorClass.CLIENT_ERROR, "no outcome from the client");
        }
        CallResult done = e.future.getNow(null);
        return done != null ? e.usage.check(e.request, done) : client.inFlight(e.future, e.intended, now);
    }

    /**
     * A call its episode left (a sibling sub-agent failed, the scenario threw) before its line was
     * written, while the run goes on: its stream is stopped and it is recorded once, as a client
     * error, so that it neither lingers until the run's end nor is lost. Nothing if the run's end
     * already recorded it.
     */
    void abandon(Entry e, String why) {
        lock.readLock().lock();
        try {
            if (e == null || !e.claim()) {
                return;
            }
            entries.remove(e);
            long now = System.nanoTime();
            CallResult r;
            if (e.future == null) {
                r = CallResult.failure(e.info.firstIntended(), -1, now - e.info.firstIntended(), ErrorClass.CLIENT_ERROR, why);
            } else {
                r = client.inFlight(e.future, e.intended, now).withOutcome(ErrorClass.CLIENT_ERROR, why); // as far as it got
                e.future.cancel(false); // stops the stream
            }
            recorder.recordCall(r, e.info);
        } finally {
            lock.readLock().unlock();
        }
    }

    private static CallResult waiting(Entry e, long now) {
        return CallResult.open(e.intended, now - e.intended, "waiting to retry (attempt " + e.info.attempt() + ") when the run ended");
    }
}
