package io.soaklab.internal.run;

import io.soaklab.run.RunManifest;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * How far this machine's clock is from an endpoint's, as well as its {@code Date} header can tell.
 * A {@code Date} has whole seconds, so one answer places the endpoint's clock within a second of
 * ours; each further request is sent when, by what is known so far, the endpoint's clock is about
 * to turn to a new second, so that the second its answer names halves what is left (a
 * bisection), down to about the round trip. Shards of one soak each measure themselves against
 * the endpoint they share, and {@code soaklab merge} compares them.
 *
 * <p>What is measured is the clock the endpoint's {@code Date} header keeps. A server that formats
 * it on a timer rather than per answer (uvicorn, vLLM's and SGLang's HTTP server, once a second)
 * reads late by the phase of its timer, up to about a second, and that cannot be told from an offset
 * with {@code Date} alone. It is the same for every shard that asks the same server at about the
 * same time, so shards compared with one another (what {@code soaklab merge} does) still agree or
 * differ truly. Answers that cannot all be true of one clock (several servers behind one address,
 * each with its own phase) are said, and the uncertainty is then a second.
 *
 * <pre>{@code
 * RunManifest.Clock c = ClockCheck.against(URI.create("http://10.0.0.5:8000/v1"), Duration.ofSeconds(8));
 * // c.offsetMs(): the endpoint's clock minus ours; c.uncertaintyMs(): how far off that can be
 * }</pre>
 */
public final class ClockCheck {

    /** Requests at most: the eighth halves a second down to about 8 ms, finer than most round trips to a remote endpoint. */
    static final int SAMPLES = 8;

    private final LongSupplier clock;
    private final Sender sender;
    private final Sleeper sleeper;
    private long low = Long.MIN_VALUE;
    private long high = Long.MAX_VALUE;
    private int answers;
    private boolean contradicted;

    /** Sends one request and gives the {@code Date} of its answer, in epoch milliseconds (a whole second), if it had one. */
    interface Sender {
        Optional<Long> date() throws IOException, InterruptedException;
    }

    /** Waits until this machine's clock reads {@code at} (epoch milliseconds). */
    interface Sleeper {
        void until(long at) throws InterruptedException;
    }

    ClockCheck(LongSupplier clock, Sender sender, Sleeper sleeper) {
        this.clock = clock;
        this.sender = sender;
        this.sleeper = sleeper;
    }

    /**
     * Measures this machine's clock against {@code url}'s {@code Date} header: one request, and more within {@code budget}; null when the
     * endpoint cannot be reached or sends no {@code Date} (the run goes on: the clock is then unknown).
     */
    public static RunManifest.Clock against(URI url, Duration budget) throws InterruptedException {
        // the first request is asked for whatever the budget, but never waited for longer than it (or 2 s)
        Duration wait = budget.compareTo(Duration.ofSeconds(2)) > 0 ? Duration.ofSeconds(2)
                : budget.compareTo(Duration.ofMillis(200)) < 0 ? Duration.ofMillis(200) : budget;
        HttpClient http = HttpClient.newBuilder().connectTimeout(wait).followRedirects(HttpClient.Redirect.NEVER).build();
        HttpRequest request = HttpRequest.newBuilder(url).timeout(wait).GET().build();
        ClockCheck check = new ClockCheck(System::currentTimeMillis, () -> {
            HttpResponse<Void> answer = http.send(request, HttpResponse.BodyHandlers.discarding());
            return answer.headers().firstValue("date").flatMap(ClockCheck::parseDate);
        }, at -> {
            long left;
            while ((left = at - System.currentTimeMillis()) > 0) {
                Thread.sleep(Math.min(left, 100));
            }
        });
        return check.run(budget.toMillis(), "Date header of " + url.getScheme() + "://" + url.getHost() + (url.getPort() < 0 ? "" : ":" + url.getPort()));
    }

    /** An HTTP date (RFC 1123, as servers send), in epoch milliseconds. */
    static Optional<Long> parseDate(String text) {
        try {
            return Optional.of(ZonedDateTime.parse(text.strip(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant().toEpochMilli());
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    RunManifest.Clock run(long budgetMillis, String against) throws InterruptedException {
        long deadline = clock.getAsLong() + budgetMillis;
        for (int i = 0; i < SAMPLES; i++) {
            if (i > 0 && clock.getAsLong() >= deadline) {
                break; // the first answer is always asked for; more while the budget lasts
            }
            if (answers > 0) {
                // send when the endpoint's clock, by the middle of what is known, turns to a new second
                long middle = low + (high - low) / 2;
                long now = clock.getAsLong();
                long at = Math.floorDiv(now + middle, 1000) * 1000 + 1000 - middle; // the next such moment, within a second
                if (at >= deadline) {
                    break;
                }
                sleeper.until(at);
            }
            long sent = clock.getAsLong();
            Optional<Long> date;
            try {
                date = sender.date();
            } catch (IOException e) {
                break;
            }
            long received = clock.getAsLong();
            if (date.isEmpty()) {
                break;
            }
            // the endpoint stamped its answer between our send and receipt, its clock then in [date, date + 1 s)
            long lo = date.get() - received;
            long hi = date.get() + 1000 - sent;
            if (lo > high || hi < low) {
                contradicted = true;
                low = lo; // the endpoint's clock moved (or ours did): start again from this answer
                high = hi;
                answers = 1;
                continue;
            }
            low = Math.max(low, lo);
            high = Math.min(high, hi);
            answers++;
        }
        if (answers == 0) {
            return null;
        }
        if (contradicted) {
            // answers that cannot all be true of one clock: several servers behind one address, or a clock stepped meanwhile
            return new RunManifest.Clock(against + " (its answers contradicted each other: several servers behind one address?)",
                    low + (high - low) / 2, Math.max(1000, (high - low + 1) / 2), answers);
        }
        return new RunManifest.Clock(against, low + (high - low) / 2, (high - low + 1) / 2, answers);
    }
}
