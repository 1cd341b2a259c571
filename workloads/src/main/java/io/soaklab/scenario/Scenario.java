package io.soaklab.scenario;

/**
 * A kind of agent work: one {@link #run} is one episode, an agent task from its first model call to
 * its last. The scenario makes its calls through the {@link Episode} it is handed, which records
 * them, applies the resilience policy and keeps each call's intended start; the same seed always
 * makes the same requests, given the same replies.
 *
 * <p>A scenario of one's own, for a {@code @Benchmark} or a soak:
 * <pre>{@code
 * Scenario lookup = new Scenario() {
 *     public String name() { return "lookup"; }
 *     public String description() { return "one question, one answer"; }
 *     public void run(Episode episode) throws InterruptedException {
 *         CallResult r = episode.call(new ChatRequest(List.of(Message.user("What is 2 + 2?")), 20));
 *         if (!r.ok()) episode.fail("model_" + r.error().wireName());
 *     }
 * };
 * }</pre>
 * Built-in scenarios are YAML files: see {@link Scenarios}.
 */
public interface Scenario {

    /** Short name, used on the command line and in file names. */
    String name();

    /** One line saying what the scenario exercises. */
    String description();

    /**
     * Runs one episode. Returning ends it, successful unless {@link Episode#fail} was called.
     *
     * @throws InterruptedException when the load stops mid-episode; the episode is not recorded
     */
    void run(Episode episode) throws InterruptedException;
}
