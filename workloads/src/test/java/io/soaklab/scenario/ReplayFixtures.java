package io.soaklab.scenario;

import io.soaklab.protocol.CallResult;
import io.soaklab.protocol.ChatRequest;
import io.soaklab.protocol.ErrorClass;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Plays a scenario's episodes without an endpoint: what each would send, and when, each call taking no time. */
final class ReplayFixtures {

    /** A request episode {@code episode} sent, due {@code dueMillis} after its start. */
    record Sent(long episode, long dueMillis, ChatRequest request) {
    }

    private ReplayFixtures() {
    }

    /** Episodes 0 to {@code episodes} - 1 of {@code scenario}, one after the other; every call fails at once (a replay goes on). */
    static List<Sent> play(Scenario scenario, int episodes) {
        List<Sent> sent = new ArrayList<>();
        for (int k = 0; k < episodes; k++) {
            try {
                scenario.run(new Played(k, sent));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }
        return sent;
    }

    private static final class Played implements Episode {
        private final long index;
        private final List<Sent> sent;
        private long elapsed;
        private String failed;

        Played(long index, List<Sent> sent) {
            this.index = index;
            this.sent = sent;
        }

        @Override
        public int user() {
            return 0;
        }

        @Override
        public long index() {
            return index;
        }

        @Override
        public <T> List<T> parallel(List<String> roles, Branch<T> branch) {
            throw new IllegalStateException("a replay has no sub-agents");
        }

        @Override
        public void fail(String reason) {
            failed = failed == null ? reason : failed;
        }

        @Override
        public boolean failed() {
            return failed != null;
        }

        @Override
        public String role() {
            return "agent";
        }

        @Override
        public Agent as(String role) {
            return this;
        }

        @Override
        public SplittableRandom random() {
            return new SplittableRandom(index);
        }

        @Override
        public CallResult call(ChatRequest request) {
            sent.add(new Sent(index, elapsed / 1_000_000, request));
            return CallResult.failure(elapsed, 0, 0, ErrorClass.CLIENT_ERROR, "played without an endpoint");
        }

        @Override
        public void pause(Duration time) {
            elapsed += time.toNanos();
        }

        @Override
        public long elapsedNanos() {
            return elapsed;
        }

        @Override
        public void event(String type, Object... fields) {
        }

        @Override
        public void count(String metric, double amount) {
        }
    }
}
