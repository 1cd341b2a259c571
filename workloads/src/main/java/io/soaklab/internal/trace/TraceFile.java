package io.soaklab.internal.trace;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.common.InstrumentationScopeInfo;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.soaklab.internal.layout.RunFile;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code traces.jsonl}: a run's spans in the OTLP/JSON encoding, one
 * {@code ExportTraceServiceRequest} ({@code {"resourceSpans":[...]}}) per line, one line per batch
 * the SDK exports. Ids are hex, 64-bit integers decimal strings, enums numbers, as the encoding
 * says; {@code otelcol}'s file receiver, or any OTLP/JSON reader, takes the file as it is.
 */
public final class TraceFile implements SpanExporter {

    private static final JsonFactory JSON = new JsonFactory();
    private final OutputStream out;
    private boolean closed;

    private TraceFile(OutputStream out) {
        this.out = out;
    }

    /** Creates (or extends) {@code traces.jsonl} in run folder {@code dir}. */
    static TraceFile open(Path dir) throws IOException {
        return new TraceFile(Files.newOutputStream(RunFile.TRACES.in(dir), StandardOpenOption.CREATE, StandardOpenOption.APPEND));
    }

    @Override
    public synchronized CompletableResultCode export(Collection<SpanData> spans) {
        if (closed) {
            return CompletableResultCode.ofFailure();
        }
        ByteArrayOutputStream line = new ByteArrayOutputStream(1024 * spans.size());
        try {
            try (JsonGenerator g = JSON.createGenerator(line, JsonEncoding.UTF8)) {
                request(g, spans);
            }
            line.write('\n');
            line.writeTo(out);
            out.flush();
            return CompletableResultCode.ofSuccess();
        } catch (IOException e) {
            return CompletableResultCode.ofExceptionalFailure(e);
        }
    }

    private static void request(JsonGenerator g, Collection<SpanData> spans) throws IOException {
        Map<Resource, Map<InstrumentationScopeInfo, List<SpanData>>> grouped = new LinkedHashMap<>();
        for (SpanData s : spans) {
            grouped.computeIfAbsent(s.getResource(), r -> new LinkedHashMap<>())
                    .computeIfAbsent(s.getInstrumentationScopeInfo(), i -> new ArrayList<>()).add(s);
        }
        g.writeStartObject();
        g.writeArrayFieldStart("resourceSpans");
        for (Map.Entry<Resource, Map<InstrumentationScopeInfo, List<SpanData>>> r : grouped.entrySet()) {
            g.writeStartObject();
            g.writeObjectFieldStart("resource");
            attributes(g, r.getKey().getAttributes());
            g.writeEndObject();
            g.writeArrayFieldStart("scopeSpans");
            for (Map.Entry<InstrumentationScopeInfo, List<SpanData>> scope : r.getValue().entrySet()) {
                g.writeStartObject();
                g.writeObjectFieldStart("scope");
                g.writeStringField("name", scope.getKey().getName());
                if (scope.getKey().getVersion() != null) {
                    g.writeStringField("version", scope.getKey().getVersion());
                }
                g.writeEndObject();
                g.writeArrayFieldStart("spans");
                for (SpanData s : scope.getValue()) {
                    span(g, s);
                }
                g.writeEndArray();
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeEndObject();
    }

    private static void span(JsonGenerator g, SpanData s) throws IOException {
        g.writeStartObject();
        g.writeStringField("traceId", s.getTraceId());
        g.writeStringField("spanId", s.getSpanId());
        SpanContext parent = s.getParentSpanContext();
        if (parent.isValid()) {
            g.writeStringField("parentSpanId", parent.getSpanId());
        }
        g.writeStringField("name", s.getName());
        g.writeNumberField("kind", s.getKind().ordinal() + 1); // INTERNAL 1, SERVER 2, CLIENT 3, PRODUCER 4, CONSUMER 5: OTLP's numbers
        g.writeStringField("startTimeUnixNano", Long.toString(s.getStartEpochNanos()));
        g.writeStringField("endTimeUnixNano", Long.toString(s.getEndEpochNanos()));
        attributes(g, s.getAttributes());
        if (!s.getEvents().isEmpty()) {
            g.writeArrayFieldStart("events");
            for (EventData e : s.getEvents()) {
                g.writeStartObject();
                g.writeStringField("timeUnixNano", Long.toString(e.getEpochNanos()));
                g.writeStringField("name", e.getName());
                attributes(g, e.getAttributes());
                g.writeEndObject();
            }
            g.writeEndArray();
        }
        g.writeObjectFieldStart("status");
        switch (s.getStatus().getStatusCode()) {
            case OK -> g.writeNumberField("code", 1);
            case ERROR -> g.writeNumberField("code", 2);
            default -> { // UNSET: 0, left out as protobuf's JSON leaves defaults out
            }
        }
        if (!s.getStatus().getDescription().isEmpty()) {
            g.writeStringField("message", s.getStatus().getDescription());
        }
        g.writeEndObject();
        g.writeEndObject();
    }

    private static void attributes(JsonGenerator g, Attributes attributes) throws IOException {
        if (attributes.isEmpty()) {
            return;
        }
        g.writeArrayFieldStart("attributes");
        for (Map.Entry<AttributeKey<?>, Object> a : attributes.asMap().entrySet()) {
            g.writeStartObject();
            g.writeStringField("key", a.getKey().getKey());
            g.writeObjectFieldStart("value");
            value(g, a.getValue());
            g.writeEndObject();
            g.writeEndObject();
        }
        g.writeEndArray();
    }

    private static void value(JsonGenerator g, Object v) throws IOException {
        if (v instanceof String s) {
            g.writeStringField("stringValue", s);
        } else if (v instanceof Boolean b) {
            g.writeBooleanField("boolValue", b);
        } else if (v instanceof Long || v instanceof Integer) {
            g.writeStringField("intValue", v.toString());
        } else if (v instanceof Double || v instanceof Float) {
            g.writeNumberField("doubleValue", ((Number) v).doubleValue());
        } else if (v instanceof List<?> list) {
            g.writeObjectFieldStart("arrayValue");
            g.writeArrayFieldStart("values");
            for (Object item : list) {
                g.writeStartObject();
                value(g, item);
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        } else {
            g.writeStringField("stringValue", String.valueOf(v));
        }
    }

    @Override
    public CompletableResultCode flush() {
        return CompletableResultCode.ofSuccess();
    }

    @Override
    public synchronized CompletableResultCode shutdown() {
        if (!closed) {
            closed = true;
            try {
                out.close();
            } catch (IOException e) {
                return CompletableResultCode.ofExceptionalFailure(e);
            }
        }
        return CompletableResultCode.ofSuccess();
    }

    /** Merges the shards' files into {@code out}'s, shard after shard: each line is a whole export request of its own ({@code soaklab merge}). */
    public static io.soaklab.internal.record.LineMerge.Result merge(java.util.List<java.nio.file.Path> shardDirs, java.nio.file.Path out)
            throws IOException {
        return io.soaklab.internal.record.LineMerge.merge(shardDirs.stream().map(RunFile.TRACES::in).toList(), RunFile.TRACES.in(out), false,
                io.soaklab.internal.record.LineMerge.Keep.ALL);
    }
}
