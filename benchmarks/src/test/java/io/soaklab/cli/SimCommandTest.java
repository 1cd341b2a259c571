package io.soaklab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code soaklab sim} serves until stopped, then says what it served. */
class SimCommandTest {

    @TempDir
    Path tmp;

    @Test
    void servesUntilStopped() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process sim = new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"), SoakLab.class.getName(),
                "sim", "--port", "0", "--sim-base-latency", "0s"))
                .redirectError(tmp.resolve("err.log").toFile()).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(sim.getInputStream(), StandardCharsets.UTF_8));
            URI base = URI.create(out.readLine());
            assertTrue(base.toString().matches("http://127\\.0\\.0\\.1:\\d+/v1"), base.toString());
            HttpResponse<String> models = HttpClient.newHttpClient().send(HttpRequest.newBuilder(base.resolve("/v1/models")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, models.statusCode());
            sim.destroy();
            assertTrue(sim.waitFor(10, TimeUnit.SECONDS));
            String err = Files.readString(tmp.resolve("err.log"));
            assertTrue(err.contains("soaklab sim: listening on " + base + " (profile default, model soaklab-sim); Ctrl-C to stop"), err);
            assertTrue(err.contains("soaklab sim: stopped after 1 requests"), err);
        } finally {
            sim.destroyForcibly();
        }
    }
}
