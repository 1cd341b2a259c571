package io.soaklab.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.soaklab.protocol.Api;
import io.soaklab.protocol.CallResult;
import io.soaklab.protocol.ErrorClass;
import io.soaklab.protocol.ModelClient;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.HdrHistogram.Recorder;
import org.junit.jupiter.api.Test;

class SimProfilesTest {

    @Test
    void everyProfileBuildsAndSaysWhatItRehearses() {
        assertEquals(List.of("default", "frontier-api", "self-hosted", "overloaded", "degrading", "flaky-network"), SimProfiles.names());
        for (String name : SimProfiles.names()) {
            SimConfig c = SimProfiles.get(name).build();
            assertEquals(name, c.profile());
            assertTrue(SimProfiles.describe(name).length() > 20);
        }
        assertEquals(32, SimProfiles.get("self-hosted").build().serving().maxBatch());
        assertEquals(0.5, SimProfiles.get("degrading").build().drift().latencyPerHour());
        assertEquals("unknown endpoint profile 'gpu'; profiles: default, frontier-api, self-hosted, overloaded, degrading, flaky-network",
                assertThrows(IllegalArgumentException.class, () -> SimProfiles.get("gpu")).getMessage());
    }

    @Test
    void aRefusedSettingIsNamedAsRunJsonNamesIt() {
        assertEquals("latency.decode_tokens_per_second must be positive, was 0.0", assertThrows(IllegalArgumentException.class,
                () -> SimConfig.builder().decodeTokensPerSecond(0).build()).getMessage());
        assertEquals("faults.server_stall_for must be shorter than faults.server_stall_every", assertThrows(IllegalArgumentException.class,
                () -> new SimConfig.Faults(0, 0, 0, 0, 0, 0, 0, java.time.Duration.ofSeconds(5), 0, 0, java.time.Duration.ofSeconds(3), 0,
                        java.time.Duration.ofSeconds(10), java.time.Duration.ofSeconds(10))).getMessage());
    }

    @Test
    void theOverloadedProfileRefusesWhatItCannotServe() {
        SimConfig sim = SimProfiles.get("overloaded").baseLatency(java.time.Duration.ZERO).decodeTokensPerSecond(1000).build();
        try (EmbeddedEndpoint endpoint = EmbeddedEndpoint.start(sim);
             ModelClient client = Http.client(Api.ANTHROPIC, endpoint, new Recorder(3))) {
            List<CompletableFuture<CallResult>> calls = new ArrayList<>();
            long started = System.nanoTime();
            for (int i = 0; i < 80; i++) {
                calls.add(client.send(Http.conversation(200, 1 + i, 50), System.nanoTime()));
            }
            List<ErrorClass> outcomes = calls.stream().map(c -> c.join().error()).toList();
            double seconds = (System.nanoTime() - started) / 1e9;
            assertTrue(outcomes.contains(ErrorClass.HTTP_429), "60 requests a minute: " + outcomes);
            assertTrue(outcomes.contains(ErrorClass.OK));
            // a bucket of 60 that refills one a second: 20 of 80 are refused, fewer by one for each second the test took
            long refilled = (long) Math.ceil(seconds);
            assertTrue(endpoint.count("rate_limited") >= 20 - refilled, "80 requests against a bucket of 60 in " + seconds + " s: "
                    + endpoint.count("rate_limited") + " refused");
            assertTrue(outcomes.stream().filter(o -> o == ErrorClass.HTTP_429).count() >= endpoint.count("rate_limited"),
                    "every rate limit the endpoint applied is a 429 the client counted");
        }
    }
}
