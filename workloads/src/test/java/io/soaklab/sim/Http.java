package io.soaklab.sim;

import io.soaklab.protocol.Api;
import io.soaklab.protocol.ChatRequest;
import io.soaklab.protocol.ClientConfig;
import io.soaklab.protocol.Message;
import io.soaklab.protocol.ModelClient;
import io.soaklab.internal.text.SyntheticText;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import org.HdrHistogram.Recorder;

/** Small helpers for talking to the endpoint in tests: raw HTTP for what the clients do not send. */
final class Http {

    static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private Http() {
    }

    static ModelClient client(Api api, EmbeddedEndpoint endpoint, Recorder itl) {
        return ModelClient.of(api, ClientConfig.builder(endpoint.baseUrl()).model("m").apiKey(endpoint.config().apiKey())
                .totalTimeout(Duration.ofSeconds(30)).build(), itl);
    }

    static ChatRequest conversation(int systemTokens, int userTokens, int maxTokens) {
        return new ChatRequest(List.of(
                Message.system(SyntheticText.words(new SplittableRandom(1), systemTokens)),
                Message.user(SyntheticText.words(new SplittableRandom(2), userTokens))), maxTokens);
    }

    static HttpResponse<String> post(URI base, String path, String json, String... headers) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString(json));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> anthropic(URI base, String json) throws IOException, InterruptedException {
        return post(base, "/messages", json, "anthropic-version", "2023-06-01", "content-type", "application/json");
    }
}
