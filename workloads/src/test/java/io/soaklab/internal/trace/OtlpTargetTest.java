package io.soaklab.internal.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.soaklab.internal.text.InvalidSetting;
import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Where traces go: the flag first, then the standard OTLP variables; http/protobuf only; the headers never shown. */
class OtlpTargetTest {

    @Test
    void theFlagIsACollectorsRootOrItsTracesUrl() {
        assertEquals(URI.create("http://localhost:4318/v1/traces"), OtlpTarget.resolve(URI.create("http://localhost:4318"), Map.of()).url());
        assertEquals(URI.create("http://localhost:4318/v1/traces"), OtlpTarget.resolve(URI.create("http://localhost:4318/"), Map.of()).url());
        assertEquals(URI.create("https://otel.example/v1/traces"),
                OtlpTarget.resolve(URI.create("https://otel.example/v1/traces"), Map.of(OtlpTarget.ENDPOINT, "http://elsewhere:4318")).url(),
                "the flag wins over the environment");
    }

    @Test
    void withoutTheFlagTheVariablesSayWhereAndWithWhichHeaders() {
        assertNull(OtlpTarget.resolve(null, Map.of()), "nothing set: no export");
        OtlpTarget base = OtlpTarget.resolve(null, Map.of(OtlpTarget.ENDPOINT, "http://collector:4318",
                OtlpTarget.HEADERS, "x-api-key=s3cr%3Dt,x-team=lab", OtlpTarget.PROTOCOL, "http/protobuf"));
        assertEquals(URI.create("http://collector:4318/v1/traces"), base.url());
        assertEquals(Map.of("x-api-key", "s3cr=t", "x-team", "lab"), base.headers());
        assertEquals("http://collector:4318/v1/traces (from OTEL_EXPORTER_OTLP_ENDPOINT)", base.toString());
        assertFalse(base.toString().contains("s3cr"), "the headers are never shown");
        OtlpTarget signal = OtlpTarget.resolve(null, Map.of(OtlpTarget.ENDPOINT, "http://collector:4318",
                OtlpTarget.TRACES_ENDPOINT, "http://traces:9999/custom"));
        assertEquals(URI.create("http://traces:9999/custom"), signal.url(), "the traces variable is taken as it is");
    }

    @Test
    void grpcAndJsonAreRefusedInOneLine() {
        InvalidSetting grpc = assertThrows(InvalidSetting.class,
                () -> OtlpTarget.resolve(null, Map.of(OtlpTarget.ENDPOINT, "http://collector:4317", OtlpTarget.PROTOCOL, "grpc")));
        assertTrue(grpc.getMessage().startsWith("OTEL_EXPORTER_OTLP_PROTOCOL must be http/protobuf"), grpc.getMessage());
        assertTrue(grpc.getMessage().endsWith(", was 'grpc'"), grpc.getMessage());
        assertThrows(InvalidSetting.class, () -> OtlpTarget.resolve(URI.create("http://c:4318"), Map.of(OtlpTarget.TRACES_PROTOCOL, "http/json")));
        assertThrows(InvalidSetting.class, () -> OtlpTarget.resolve(null, Map.of(OtlpTarget.ENDPOINT, "collector:4318")));
    }
}
