package io.soaklab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.soaklab.internal.record.RequestLine;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run recorded with {@code --record-requests} and sent again with {@code soaklab replay}: another
 * endpoint receives the same bytes, each request at its recorded offset from the first.
 */
class ReplayRunTest {

    @TempDir
    Path tmp;

    private HttpServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    @Test
    void aRecordedRunReplayedSendsTheSameBodiesAtTheRecordedOffsets() throws Exception {
        Path recorded = tmp.resolve("recorded");
        SoakLabTest.Result first = SoakLabTest.run("run", "--forks", "0", "--scenario", "coding-agent", "--concurrency", "2", "--duration", "3s",
                "--window", "1s", "--price-as", "none", "--no-server-metrics", "--record-requests", "--sim-decode-tps", "2000",
                "--out", recorded.toString());
        assertTrue(first.code() == 0 || first.code() == 3, first.out() + first.err());
        List<RequestLine.Recorded> sent = new ArrayList<>();
        RequestLine.read(recorded, r -> {
            if (r.attempt() == 1) {
                sent.add(r);
            }
        });
        assertTrue(sent.size() >= 4, sent.size() + " requests recorded");
        assertTrue(sent.stream().anyMatch(r -> r.body().contains("\"tool_calls\"")), "an agent's bodies carry its tool calls and results");

        // another endpoint: answers every request at once, and keeps each body as it arrived
        List<String> bodies = new CopyOnWriteArrayList<>();
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext("/", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            if (!"POST".equals(exchange.getRequestMethod())) {
                exchange.sendResponseHeaders(404, -1);
                exchange.close();
                return;
            }
            bodies.add(new String(body, StandardCharsets.UTF_8));
            byte[] reply = ("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Done.\"},\"finish_reason\":\"stop\"}],"
                    + "\"usage\":{\"prompt_tokens\":50,\"completion_tokens\":2}}\n\ndata: [DONE]\n\n").getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "text/event-stream");
            exchange.sendResponseHeaders(200, reply.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(reply);
            }
        });
        server.start();
        long span = sent.stream().mapToLong(RequestLine.Recorded::intendedMicros).max().orElseThrow()
                - sent.stream().mapToLong(RequestLine.Recorded::intendedMicros).min().orElseThrow();
        Path replayed = tmp.resolve("replayed");
        SoakLabTest.Result again = SoakLabTest.run("replay", recorded.toString(), "--forks", "0", "--endpoint",
                "http://127.0.0.1:" + server.getAddress().getPort() + "/v1", "--model", "soaklab-sim", "--no-endpoint-check", "--no-server-metrics",
                "--price-as", "none", "--window", "1s", "--duration", (span / 1_000_000 + 3) + "s", "--record-requests", "--out", replayed.toString());
        assertEquals(0, again.code(), again.out() + again.err());

        List<String> expected = new ArrayList<>(sent.stream().map(RequestLine.Recorded::body).toList());
        List<String> arrived = new ArrayList<>(bodies);
        Collections.sort(expected);
        Collections.sort(arrived);
        assertEquals(expected.size(), arrived.size(), "every recorded call once, nothing else");
        for (int i = 0; i < expected.size(); i++) {
            assertEquals(expected.get(i), arrived.get(i), "byte for byte");
        }

        // each sent at its recorded offset from the first: the replay's intended starts are the recording's
        List<Long> before = offsets(sent);
        List<RequestLine.Recorded> resent = new ArrayList<>();
        RequestLine.read(replayed, resent::add);
        List<Long> after = offsets(resent);
        assertEquals(before.size(), after.size());
        for (int i = 0; i < before.size(); i++) {
            assertTrue(Math.abs(before.get(i) - after.get(i)) <= 2, "request " + i + ": recorded at +" + before.get(i) + " us, replayed at +"
                    + after.get(i) + " us");
        }
        String calls = Files.readString(replayed.resolve("calls.jsonl"));
        assertEquals(expected.size(), calls.lines().filter(l -> l.contains("\"error\":\"ok\"")).count(), "and every one answered");

        // against the embedded endpoint, as recorded: the same bodies from the replaying client, every one received by it
        Path embedded = tmp.resolve("embedded");
        SoakLabTest.Result onEmbedded = SoakLabTest.run("replay", recorded.toString(), "--forks", "0", "--no-server-metrics", "--price-as", "none",
                "--window", "1s", "--duration", (span / 1_000_000 + 3) + "s", "--record-requests", "--sim-decode-tps", "2000",
                "--out", embedded.toString());
        assertTrue(onEmbedded.code() == 0 || onEmbedded.code() == 3, onEmbedded.out() + onEmbedded.err());
        List<RequestLine.Recorded> toEmbedded = new ArrayList<>();
        RequestLine.read(embedded, toEmbedded::add);
        assertEquals(expected, toEmbedded.stream().filter(r -> r.attempt() == 1).map(RequestLine.Recorded::body).sorted().toList(),
                "the embedded endpoint was sent the recorded bodies, byte for byte");
        List<Long> onEmbeddedOffsets = offsets(toEmbedded.stream().filter(r -> r.attempt() == 1).toList());
        for (int i = 0; i < before.size(); i++) {
            assertTrue(Math.abs(before.get(i) - onEmbeddedOffsets.get(i)) <= 2, "request " + i + " on the embedded endpoint");
        }
        long served = Files.readAllLines(embedded.resolve("sim-truth.jsonl")).stream().filter(l -> !l.isBlank()).count();
        assertEquals(toEmbedded.size(), served, "each request sent reached the endpoint: its own log has as many");

        // one episode again: exactly its calls, the tool outputs it had recorded in them
        RequestLine.Recorded one = sent.get(0);
        List<String> itsBodies = new ArrayList<>(sent.stream().filter(r -> r.user() == one.user() && r.episode() == one.episode())
                .map(RequestLine.Recorded::body).sorted().toList());
        bodies.clear();
        SoakLabTest.Result episode = SoakLabTest.run("replay", recorded.toString(), "--episode", one.user() + ":" + one.episode(), "--forks", "0",
                "--endpoint", "http://127.0.0.1:" + server.getAddress().getPort() + "/v1", "--model", "soaklab-sim", "--no-endpoint-check",
                "--no-server-metrics", "--price-as", "none", "--window", "1s", "--duration", (span / 1_000_000 + 3) + "s",
                "--out", tmp.resolve("episode").toString());
        assertEquals(0, episode.code(), episode.out() + episode.err());
        List<String> episodeArrived = new ArrayList<>(bodies);
        Collections.sort(episodeArrived);
        assertEquals(itsBodies, episodeArrived, "episode " + one.user() + ":" + one.episode() + "'s " + itsBodies.size() + " calls, no other");

        SoakLabTest.Result none = SoakLabTest.run("replay", recorded.toString(), "--episode", "99:99", "--forks", "0", "--out",
                tmp.resolve("none").toString());
        assertEquals(2, none.code());
        assertEquals("soaklab replay: run " + recorded.toAbsolutePath().normalize() + " recorded no call of episode 99:99", none.err().strip());
    }

    private static List<Long> offsets(List<RequestLine.Recorded> requests) {
        long first = requests.stream().mapToLong(RequestLine.Recorded::intendedMicros).min().orElseThrow();
        return requests.stream().map(r -> r.intendedMicros() - first).sorted().toList();
    }
}
