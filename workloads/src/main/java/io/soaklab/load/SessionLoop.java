package io.soaklab.load;

import io.soaklab.protocol.CallResult;
import io.soaklab.protocol.ChatRequest;
import io.soaklab.protocol.ErrorClass;
import io.soaklab.protocol.Message;
import io.soaklab.protocol.ModelClient;
import io.soaklab.protocol.Usage;
import io.soaklab.record.RunRecorder;
import io.soaklab.scenario.Scenario;
import io.soaklab.scenario.Session;
import io.soaklab.scenario.Step;
import io.soaklab.text.TokenEstimator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;

/**
 * One virtual user of a closed-loop load: it runs sessions of a {@link Scenario} back to back, one
 * call per {@link #step()}. Each call's intended start is the previous call's end plus the step's
 * pause (tool time), or plus {@code errorBackoff} after a failure; latency is measured from there,
 * so a generator that falls behind shows it as schedule lag instead of hiding it.
 *
 * <p>Driven by one thread (see {@link ClosedLoad}), which waits for each call.
 *
 * <pre>{@code
 * SessionLoop user = new SessionLoop(scenario, client, recorder, seed, 0, Duration.ofSeconds(1), Duration.ofMinutes(11));
 * while (running) {
 *     user.step();
 * }
 * }</pre>
 */
public final class SessionLoop {

    private final Scenario scenario;
    private final ModelClient client;
    private final RunRecorder recorder;
    private final long seed;
    private final int user;
    private final long errorBackoffNanos;
    private final long watchdogNanos;

    private Session session;
    private Step pending;
    private long sessionIndex = -1;
    private long sessionStart;
    private int sessionSteps;
    private long sessionPromptTokens;
    private long sessionCompletionTokens;
    private long nextStart = Long.MIN_VALUE;

    /**
     * @param seed         run seed; user {@code u}'s {@code k}-th session is seeded from (seed, u, k)
     * @param user         this user's number, from 0
     * @param errorBackoff pause after a failed call before the next session starts
     * @param watchdog     longest to wait for any call before declaring the client stuck (zero: forever)
     */
    public SessionLoop(Scenario scenario, ModelClient client, RunRecorder recorder, long seed, int user,
                       Duration errorBackoff, Duration watchdog) {
        this.scenario = scenario;
        this.client = client;
        this.recorder = recorder;
        this.seed = seed;
        this.user = user;
        this.errorBackoffNanos = errorBackoff.toNanos();
        this.watchdogNanos = watchdog.toNanos();
    }

    /**
     * Makes the next call of the current session (opening a new session when needed) and records it.
     *
     * @return the call, or {@code null} when the thread was interrupted while waiting for the
     *         call's intended start: the load is stopping, and nothing was sent
     */
    public CallResult step() {
        if (pending == null) {
            openSession();
        }
        Step step = pending;
        long intended = nextStart == Long.MIN_VALUE ? System.nanoTime() : nextStart + step.pause().toNanos();
        if (step.index() == 0) {
            sessionStart = intended;
        }
        if (!waitUntil(intended)) {
            return null;
        }
        CallResult result = await(client.send(step.request(), intended), intended);
        if (!result.usage().known() && (result.ok() || result.contentChunks() > 0)) {
            result = result.withUsage(estimate(step.request(), result.content()));
        }
        recorder.recordCall(result, user, sessionIndex, step.index());
        sessionSteps++;
        sessionPromptTokens += result.usage().promptTokens();
        sessionCompletionTokens += result.usage().completionTokens();
        session.complete(result);
        long end = intended + result.e2eNanos();
        nextStart = result.ok() ? end : end + errorBackoffNanos;
        pending = session.next();
        if (pending == null) {
            recorder.recordSession(user, sessionIndex, sessionSteps, result.ok(), sessionStart, end,
                    sessionPromptTokens, sessionCompletionTokens);
        }
        return result;
    }

    /** Drops the current session (after a failure inside soaklab); the next step opens a new one. */
    public void abandonSession() {
        session = null;
        pending = null;
        nextStart = Long.MIN_VALUE;
    }

    private void openSession() {
        sessionIndex++;
        session = scenario.newSession(mix(seed, user, sessionIndex));
        sessionSteps = 0;
        sessionPromptTokens = 0;
        sessionCompletionTokens = 0;
        pending = session.next();
        if (pending == null) {
            throw new IllegalStateException("scenario " + scenario.name() + " opened a session with no steps");
        }
    }

    /** Waits for the call; an interrupt does not abandon it (the result is real), it is kept for later. */
    private CallResult await(java.util.concurrent.CompletableFuture<CallResult> call, long intended) {
        boolean interrupted = false;
        long deadline = System.nanoTime() + watchdogNanos;
        try {
            while (true) {
                try {
                    if (watchdogNanos <= 0) {
                        return call.get();
                    }
                    return call.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (TimeoutException e) {
                    call.cancel(false);
                    return stuck(intended, "no outcome from the client within " + Duration.ofNanos(watchdogNanos).toSeconds() + " s");
                } catch (ExecutionException e) {
                    return stuck(intended, "client failed: " + e.getCause());
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static CallResult stuck(long intended, String why) {
        long now = System.nanoTime() - intended;
        return new CallResult(intended, -1, -1, -1, -1, now, 0, ErrorClass.CLIENT_ERROR, why, Usage.NONE, "", 0, 0, 0, null, null, java.util.List.of(), -1, null);
    }

    /** Counts usage locally for a server that reported none; marked estimated. */
    private static Usage estimate(ChatRequest request, String reply) {
        List<String> contents = new ArrayList<>(request.messages().size());
        for (Message m : request.messages()) {
            contents.add(m.content());
        }
        return new Usage(TokenEstimator.countChat(contents), TokenEstimator.count(reply), 0, 0, Usage.Source.ESTIMATED);
    }

    /** Parks until {@code deadline}; false if interrupted first. */
    private static boolean waitUntil(long deadline) {
        long remaining;
        while ((remaining = deadline - System.nanoTime()) > 0) {
            LockSupport.parkNanos(remaining);
            if (Thread.currentThread().isInterrupted()) {
                return false;
            }
        }
        return !Thread.currentThread().isInterrupted();
    }

    /** A well-mixed seed from three numbers (SplitMix64 finaliser). */
    static long mix(long seed, long a, long b) {
        long z = seed + 0x9E3779B97F4A7C15L * (a + 1) + 0xC2B2AE3D27D4EB4FL * (b + 1);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
