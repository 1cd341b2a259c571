package io.soaklab.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.soaklab.protocol.Api;
import io.soaklab.protocol.CallResult;
import io.soaklab.protocol.ClientConfig;
import io.soaklab.protocol.ErrorClass;
import io.soaklab.protocol.ModelClient;
import java.time.Duration;
import org.HdrHistogram.Recorder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** Every fault the endpoint injects reaches a real client as the failure it is. */
class FaultTest {

    private static final long MS = 1_000_000;

    /** Faults with only {@code kind} certain; stalls and slow first bytes last 600 ms. */
    static SimConfig.Faults only(String kind) {
        double[] p = new double[10];
        String[] kinds = {"http_500", "http_502", "http_503", "overloaded", "overloaded_mid_stream", "reset", "stall", "malformed",
            "slow_first_byte", "never_ends"};
        p[java.util.Arrays.asList(kinds).indexOf(kind)] = 1;
        return new SimConfig.Faults(p[0], p[1], p[2], p[3], p[4], p[5], p[6], Duration.ofMillis(600), p[7], p[8],
                Duration.ofMillis(600), p[9], Duration.ZERO, Duration.ZERO);
    }

    private static CallResult call(Api api, String kind, Duration total) {
        SimConfig.Faults faults = only(kind);
        SimConfig sim = SimConfig.builder().baseLatency(Duration.ofMillis(5)).decodeTokensPerSecond(200).outputTokensMedian(20)
                .outputTokensSigma(0).jitter(0).faults(faults).build();
        try (EmbeddedEndpoint endpoint = EmbeddedEndpoint.start(sim);
             ModelClient client = ModelClient.of(api, ClientConfig.builder(endpoint.baseUrl()).totalTimeout(total).build(), new Recorder(3))) {
            CallResult r = client.send(Http.conversation(20, 5, 100), System.nanoTime()).join();
            assertEquals(1, endpoint.count(kind), "the endpoint counts what it injected");
            return r;
        }
    }

    @ParameterizedTest(name = "{0} over {1} is {2}")
    @CsvSource({
        "http_500, OPENAI, HTTP_5XX, 500",
        "http_502, OPENAI, HTTP_5XX, 502",
        "http_503, ANTHROPIC, HTTP_5XX, 503",
        "overloaded, OPENAI, HTTP_5XX, 503",
        "overloaded, ANTHROPIC, HTTP_529, 529",
        "overloaded_mid_stream, OPENAI, STREAM_ERROR, 200",
        "overloaded_mid_stream, ANTHROPIC, STREAM_ERROR, 200",
        "reset, OPENAI, STREAM_RESET, 200",
        "reset, ANTHROPIC, STREAM_RESET, 200",
        "malformed, OPENAI, STREAM_MALFORMED, 200",
        "malformed, ANTHROPIC, STREAM_MALFORMED, 200"})
    void aFaultIsTheFailureItImitates(String fault, Api api, ErrorClass expected, int status) {
        CallResult r = call(api, fault, Duration.ofSeconds(10));
        assertEquals(expected, r.error(), r.errorDetail());
        assertEquals(status, r.status());
        if (status == 200) {
            assertTrue(r.contentChunks() >= 1, "mid-stream faults strike after some tokens");
        }
    }

    @ParameterizedTest(name = "{0} without streaming")
    @CsvSource({
        "reset, -1",
        "overloaded_mid_stream, 529",
        "malformed, 200",
        "stall, 200"})
    void faultsStrikeWholeRepliesToo(String fault, int status) throws Exception {
        SimConfig sim = SimConfig.builder().baseLatency(Duration.ofMillis(5)).decodeTokensPerSecond(2000).outputTokensMedian(20)
                .outputTokensSigma(0).jitter(0).faults(only(fault)).build();
        String body = "{\"model\":\"c\",\"max_tokens\":100,\"messages\":[{\"role\":\"user\",\"content\":\" the data\"}]}";
        try (EmbeddedEndpoint endpoint = EmbeddedEndpoint.start(sim)) {
            long start = System.nanoTime();
            if (status < 0) {
                assertThrows(java.io.IOException.class, () -> Http.anthropic(endpoint.baseUrl(), body), "the connection is reset");
            } else {
                var r = Http.anthropic(endpoint.baseUrl(), body);
                assertEquals(status, r.statusCode(), r.body());
                boolean json;
                try {
                    new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.body());
                    json = true;
                } catch (java.io.IOException e) {
                    json = false;
                }
                assertEquals(!fault.equals("malformed"), json, "only a malformed reply is not JSON: " + r.body());
            }
            long took = (System.nanoTime() - start) / MS;
            if (fault.equals("stall")) {
                assertTrue(took >= 600, "the reply waited out the 600 ms stall: " + took + " ms");
            }
            assertEquals(1, endpoint.count(fault));
        }
    }

    @Test
    void aWholeReplyThatNeverEndsNeverComes() {
        SimConfig sim = SimConfig.builder().baseLatency(Duration.ZERO).decodeTokensPerSecond(2000).outputTokensMedian(20)
                .faults(only("never_ends")).build();
        try (EmbeddedEndpoint endpoint = EmbeddedEndpoint.start(sim)) {
            var request = java.net.http.HttpRequest.newBuilder(java.net.URI.create(endpoint.baseUrl() + "/chat/completions"))
                    .timeout(Duration.ofMillis(500)).POST(java.net.http.HttpRequest.BodyPublishers.ofString(
                            "{\"model\":\"m\",\"max_tokens\":100,\"messages\":[{\"role\":\"user\",\"content\":\" the data\"}]}"))
                    .build();
            assertThrows(java.net.http.HttpTimeoutException.class,
                    () -> Http.CLIENT.send(request, java.net.http.HttpResponse.BodyHandlers.ofString()));
            assertEquals(1, endpoint.count("never_ends"));
        }
    }

    @Test
    void aStallMidStreamIsAGapBetweenTokens() {
        CallResult r = call(Api.OPENAI, "stall", Duration.ofSeconds(10));
        assertEquals(ErrorClass.OK, r.error(), r.errorDetail());
        assertTrue(r.itlMaxNanos() >= 590 * MS && r.itlMaxNanos() < 900 * MS, "largest gap " + r.itlMaxNanos() / MS + " ms");
    }

    @Test
    void aSlowFirstByteDelaysTheHeaders() {
        CallResult r = call(Api.ANTHROPIC, "slow_first_byte", Duration.ofSeconds(10));
        assertEquals(ErrorClass.OK, r.error(), r.errorDetail());
        long headers = r.headersNanos() - r.lagNanos();
        assertTrue(headers >= 600 * MS && headers < 900 * MS, "headers after " + headers / MS + " ms");
    }

    @Test
    void aReplyThatNeverEndsMeetsTheTotalTimeout() {
        CallResult r = call(Api.OPENAI, "never_ends", Duration.ofMillis(800));
        assertEquals(ErrorClass.TIMEOUT_TOTAL, r.error(), r.errorDetail());
        assertTrue(r.contentChunks() > 100, "it kept streaming: " + r.contentChunks());
    }

    @Test
    void aStalledServerHoldsEveryStreamForTheStall() {
        // the whole server pauses 400 ms every second; a 2 s stream crosses at least one pause
        SimConfig.Faults pauses = new SimConfig.Faults(0, 0, 0, 0, 0, 0, 0, Duration.ofSeconds(1), 0, 0, Duration.ofSeconds(1), 0,
                Duration.ofSeconds(1), Duration.ofMillis(400));
        SimConfig sim = SimConfig.builder().baseLatency(Duration.ZERO).decodeTokensPerSecond(50).outputTokensMedian(100)
                .outputTokensSigma(0).jitter(0).faults(pauses).build();
        try (EmbeddedEndpoint endpoint = EmbeddedEndpoint.start(sim);
             ModelClient client = Http.client(Api.OPENAI, endpoint, new Recorder(3))) {
            CallResult r = client.send(Http.conversation(20, 5, 200), System.nanoTime()).join();
            assertEquals(ErrorClass.OK, r.error(), r.errorDetail());
            assertTrue(r.itlMaxNanos() >= 350 * MS, "largest gap " + r.itlMaxNanos() / MS + " ms");
            long decode = r.e2eNanos() - r.firstTokenNanos();
            assertTrue(decode >= (1980 + 400) * MS, "99 gaps of 20 ms plus at least one pause: " + decode / MS + " ms");
        }
    }

    @Test
    void faultsAreDrawnPerRequestFromTheSeedSoTheSameRunFailsTheSameWay() {
        SimConfig.Faults some = new SimConfig.Faults(0.3, 0, 0, 0, 0, 0, 0, Duration.ofSeconds(1), 0, 0, Duration.ofSeconds(1), 0,
                Duration.ZERO, Duration.ZERO);
        StringBuilder[] outcomes = {new StringBuilder(), new StringBuilder()};
        for (int run = 0; run < 2; run++) {
            SimConfig sim = SimConfig.builder().seed(77).baseLatency(Duration.ZERO).decodeTokensPerSecond(5000).outputTokensMedian(2)
                    .faults(some).build();
            try (EmbeddedEndpoint endpoint = EmbeddedEndpoint.start(sim);
                 ModelClient client = Http.client(Api.OPENAI, endpoint, new Recorder(3))) {
                for (int i = 0; i < 30; i++) {
                    outcomes[run].append(client.send(Http.conversation(5, 1 + i % 10, 5), System.nanoTime()).join().ok() ? '.' : 'x');
                }
            }
        }
        assertEquals(outcomes[0].toString(), outcomes[1].toString());
        long failures = outcomes[0].chars().filter(c -> c == 'x').count();
        assertTrue(failures >= 3 && failures <= 18, "about 30% of 30: " + outcomes[0]);
        // each of the 10 requests was sent three times: a retry draws afresh, so some request fared differently
        String o = outcomes[0].toString();
        boolean mixed = java.util.stream.IntStream.range(0, 10)
                .anyMatch(k -> !(o.charAt(k) == o.charAt(k + 10) && o.charAt(k) == o.charAt(k + 20)));
        assertTrue(mixed, "a retried request draws its faults afresh: " + o);
    }
}
