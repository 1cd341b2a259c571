package io.soaklab.internal.trace;

import io.soaklab.internal.text.InvalidSetting;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Where a run's traces go over OTLP/HTTP (protobuf): {@code --otlp-endpoint}, or else the standard
 * {@code OTEL_EXPORTER_OTLP_*} variables. The headers (which may hold a key) are kept here only, and
 * never logged, written nor shown: {@link #toString()} names the URL alone.
 *
 * @param url     the traces URL, {@code .../v1/traces}
 * @param headers headers sent with every export
 * @param from    where the URL came from: {@code otlp_endpoint} (the flag) or the variable's name
 */
public record OtlpTarget(URI url, Map<String, String> headers, String from) {

    /** The setting's name in {@code run.json} (the command line's {@code --otlp-endpoint}). */
    static final String FLAG = "otlp_endpoint";
    static final String ENDPOINT = "OTEL_EXPORTER_OTLP_ENDPOINT";
    static final String TRACES_ENDPOINT = "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT";
    static final String HEADERS = "OTEL_EXPORTER_OTLP_HEADERS";
    static final String TRACES_HEADERS = "OTEL_EXPORTER_OTLP_TRACES_HEADERS";
    static final String PROTOCOL = "OTEL_EXPORTER_OTLP_PROTOCOL";
    static final String TRACES_PROTOCOL = "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL";
    /** The one protocol soaklab sends. */
    static final String HTTP_PROTOBUF = "http/protobuf";
    private static final String TRACES_PATH = "/v1/traces";

    public OtlpTarget {
        headers = Map.copyOf(headers);
    }

    /**
     * The target of a run: {@code flag} ({@code --otlp-endpoint}, a collector's root or its traces
     * URL) if given, else the environment's, else null (no OTLP export).
     *
     * @throws InvalidSetting for a URL that is not http(s), or a protocol other than http/protobuf
     */
    public static OtlpTarget resolve(URI flag, Map<String, String> env) {
        URI url;
        String from;
        if (flag != null) {
            url = traces(flag);
            from = FLAG;
        } else if (present(env, TRACES_ENDPOINT)) {
            url = URI.create(env.get(TRACES_ENDPOINT).strip()); // the signal's own URL is taken as it is
            from = TRACES_ENDPOINT;
        } else if (present(env, ENDPOINT)) {
            url = traces(URI.create(env.get(ENDPOINT).strip()));
            from = ENDPOINT;
        } else {
            return null;
        }
        check(url, from);
        String protocol = present(env, TRACES_PROTOCOL) ? env.get(TRACES_PROTOCOL) : env.get(PROTOCOL);
        if (protocol != null && !protocol.isBlank() && !HTTP_PROTOBUF.equals(protocol.strip().toLowerCase(Locale.ROOT))) {
            throw new InvalidSetting("%s must be http/protobuf: soaklab exports traces over OTLP/HTTP in protobuf only (grpc and"
                    + " http/json are refused; a collector's OTLP/HTTP port is 4318)", ", was '" + protocol.strip() + "'",
                    present(env, TRACES_PROTOCOL) ? TRACES_PROTOCOL : PROTOCOL);
        }
        Map<String, String> headers = new LinkedHashMap<>(parse(env.get(HEADERS)));
        headers.putAll(parse(env.get(TRACES_HEADERS)));
        return new OtlpTarget(url, headers, from);
    }

    /** {@code root} with {@code /v1/traces} added, unless it ends so already. */
    static URI traces(URI root) {
        String s = root.toString();
        if (s.endsWith(TRACES_PATH)) {
            return root;
        }
        return URI.create((s.endsWith("/") ? s.substring(0, s.length() - 1) : s) + TRACES_PATH);
    }

    private static void check(URI url, String from) {
        String scheme = url.getScheme();
        if (scheme == null || !(scheme.equals("http") || scheme.equals("https")) || url.getHost() == null) {
            throw new InvalidSetting("%s must be an http:// or https:// URL with a host", ", was '" + url + "'", from);
        }
    }

    /** {@code key1=value1,key2=value2}, values percent-encoded (W3C baggage style), as the variables are written. */
    static Map<String, String> parse(String headers) {
        Map<String, String> out = new LinkedHashMap<>();
        if (headers == null || headers.isBlank()) {
            return out;
        }
        for (String pair : headers.split(",")) {
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                continue; // malformed: left out, and not shown (it may be a key)
            }
            String name = pair.substring(0, eq).strip();
            String value = URLDecoder.decode(pair.substring(eq + 1).strip(), StandardCharsets.UTF_8);
            if (!name.isEmpty()) {
                out.put(name, value);
            }
        }
        return out;
    }

    private static boolean present(Map<String, String> env, String name) {
        String v = env.get(name);
        return v != null && !v.isBlank();
    }

    /** The URL and where it came from; never the headers. */
    @Override
    public String toString() {
        return url + (from.equals(FLAG) ? "" : " (from " + from + ")");
    }
}
