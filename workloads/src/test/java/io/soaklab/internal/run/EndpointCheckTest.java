package io.soaklab.internal.run;

import io.soaklab.run.RunConfig;
import io.soaklab.internal.run.EndpointCheck;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.soaklab.protocol.ErrorClass;
import io.soaklab.sim.EmbeddedEndpoint;
import io.soaklab.sim.SimConfig;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The call before a run: a typo, a refused key or an unknown model is one line, not a night. */
class EndpointCheckTest {

    private HttpServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    /** A loopback server answering every request with {@code status} and {@code body}. */
    private URI answering(int status, String body) throws IOException {
        return answering(status, "application/json", body);
    }

    private URI answering(int status, String type, String body) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getRequestBody().readAllBytes();
            exchange.getResponseHeaders().add("Content-Type", type);
            exchange.sendResponseHeaders(status, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        server.start();
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/v1");
    }

    private static EndpointCheck check(URI endpoint) {
        return EndpointCheck.run(RunConfig.builder().endpoint(endpoint).model("gpt-test").priceAs(RunConfig.UNPRICED).build(), Duration.ofSeconds(20));
    }

    @Test
    void anUnreachableEndpointIsFatal() throws IOException {
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        EndpointCheck c = check(URI.create("http://127.0.0.1:" + port + "/v1"));
        assertTrue(c.fatal());
        assertEquals(ErrorClass.CONNECT_ERROR, c.result().error());
        assertTrue(c.line().startsWith("cannot reach http://127.0.0.1:" + port + "/v1: "), c.line());
        assertTrue(c.line().endsWith("check --endpoint (or skip this check with --no-endpoint-check)"), c.line());
    }

    @Test
    void aRefusedKeyAWrongPathAndAnUnknownModelAreFatal() throws IOException {
        EndpointCheck key = check(answering(401, "{\"error\":{\"message\":\"Incorrect API key provided\",\"type\":\"invalid_request_error\"}}"));
        assertTrue(key.fatal());
        assertTrue(key.line().contains("refused no API key (give --api-key-env NAME): HTTP 401: invalid_request_error: Incorrect API key provided"),
                key.line());
        stop();
        EndpointCheck path = check(answering(404, "{\"detail\":\"Not Found\"}"));
        assertTrue(path.fatal());
        assertTrue(path.line().contains("has no such API or model: HTTP 404: Not Found; --endpoint is the API root"), path.line());
        stop();
        EndpointCheck model = check(answering(400, "{\"error\":{\"message\":\"The model `gpt-test` does not exist\",\"code\":\"model_not_found\"}}"));
        assertTrue(model.fatal());
        assertTrue(model.line().contains("refused model 'gpt-test'"), model.line());
    }

    @Test
    void aWebPageWhereTheApiShouldBeIsFatal() throws IOException {
        EndpointCheck page = check(answering(200, "text/html; charset=utf-8", "<!doctype html><title>Dashboard</title>"));
        assertTrue(page.fatal(), page.line());
        assertTrue(page.line().contains("answered, but not with a model's stream (expected text/event-stream, got 'text/html; charset=utf-8')"),
                page.line());
    }

    @Test
    void aReplyThatStallsAfterItsFirstTokenStillAnswersTheCheck() throws IOException {
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        server.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            exchange.getResponseHeaders().add("Content-Type", "text/event-stream");
            exchange.sendResponseHeaders(200, 0);
            exchange.getResponseBody().write("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"re\"}}]}\n\n".getBytes(StandardCharsets.UTF_8));
            exchange.getResponseBody().flush();
            try {
                release.await(60, java.util.concurrent.TimeUnit.SECONDS); // then nothing, for longer than the check would wait
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            exchange.close();
        });
        server.start();
        try {
            EndpointCheck c = check(URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/v1"));
            assertFalse(c.fatal());
            assertEquals(ErrorClass.OK, c.result().error(), "its first token is the answer: the check does not wait for the rest");
            assertTrue(c.line().contains(" answered for model gpt-test (HTTP 200, first token after "), c.line());
        } finally {
            release.countDown();
        }
    }

    @Test
    void aBusyEndpointIsTheSoaksToMeasureNotARefusal() throws IOException {
        EndpointCheck busy = check(answering(429, "{\"error\":{\"message\":\"Rate limit reached\"}}"));
        assertFalse(busy.fatal());
        assertTrue(busy.line().startsWith("endpoint check: http_429 (HTTP 429: Rate limit reached); the endpoint answers"), busy.line());
    }

    @Test
    void aHealthyEndpointAnswersWithItsFirstToken() throws IOException {
        try (EmbeddedEndpoint endpoint = EmbeddedEndpoint.start(SimConfig.builder().baseLatency(Duration.ZERO).build())) {
            EndpointCheck ok = check(endpoint.baseUrl());
            assertFalse(ok.fatal());
            assertEquals(ErrorClass.OK, ok.result().error());
            assertTrue(ok.line().matches("endpoint check: http://127\\.0\\.0\\.1:\\d+/v1 answered for model gpt-test \\(HTTP 200, first token after \\d+ ms\\)"),
                    ok.line());
            assertTrue(ok.result().usage().completionTokens() <= EndpointCheck.MAX_TOKENS, "a check costs almost nothing");
        }
    }
}
