package io.soaklab.internal.trace;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.soaklab.internal.layout.RunFile;
import io.soaklab.internal.record.AtomicWrite;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * {@code trace-export.json}: what became of a run's traces, written once at its end: episodes
 * traced and sampled out, and for each destination the spans sent, failed, still unconfirmed and
 * dropped. The same in one line for the user ({@link #line()}).
 *
 * @param sample       the fraction of episodes traced ({@code --trace-sample})
 * @param traced       episodes that ended and were traced (each whole)
 * @param sampledOut   episodes the sample left out
 * @param unfinished   episodes the sample took that had not ended when the run did: never exported, being incomplete
 * @param destinations each destination's counts
 */
record ExportSummary(double sample, long traced, long sampledOut, long unfinished, List<Destination.Counts> destinations) {

    static final String SAMPLE = "sample";
    static final String EPISODES_TRACED = "episodes_traced";
    static final String EPISODES_SAMPLED_OUT = "episodes_sampled_out";
    static final String EPISODES_UNFINISHED = "episodes_unfinished";
    static final String DESTINATIONS = "destinations";
    static final String TO = "to";
    static final String SPANS = "spans";
    static final String SENT = "sent";
    static final String FAILED = "failed";
    static final String UNCONFIRMED = "unconfirmed";
    static final String DROPPED_SPANS = "dropped_spans";
    static final String DROPPED_EPISODES = "dropped_episodes";

    private static final JsonFactory JSON = new JsonFactory();

    /** Writes it into run folder {@code dir}, atomically. */
    void write(Path dir) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator g = JSON.createGenerator(out, JsonEncoding.UTF8).useDefaultPrettyPrinter()) {
            g.writeStartObject();
            g.writeNumberField(SAMPLE, sample);
            g.writeNumberField(EPISODES_TRACED, traced);
            g.writeNumberField(EPISODES_SAMPLED_OUT, sampledOut);
            g.writeNumberField(EPISODES_UNFINISHED, unfinished);
            g.writeArrayFieldStart(DESTINATIONS);
            for (Destination.Counts c : destinations) {
                g.writeStartObject();
                g.writeStringField(TO, c.name());
                g.writeNumberField(SPANS, c.spans());
                g.writeNumberField(SENT, c.sent());
                g.writeNumberField(FAILED, c.failed());
                g.writeNumberField(UNCONFIRMED, c.unconfirmed());
                g.writeNumberField(DROPPED_SPANS, c.droppedSpans());
                g.writeNumberField(DROPPED_EPISODES, c.droppedEpisodes());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        }
        out.write('\n');
        AtomicWrite.replace(RunFile.TRACE_EXPORT.in(dir), out.toByteArray(), false);
    }

    /** One line: {@code traces: 40 episodes (10 sampled out); http://...: 812 spans sent, 0 failed, 0 dropped}. */
    String line() {
        StringBuilder s = new StringBuilder(String.format(Locale.ROOT, "traces: %d episodes", traced));
        if (sampledOut > 0) {
            s.append(" (").append(sampledOut).append(" sampled out)");
        }
        if (unfinished > 0) {
            s.append(", ").append(unfinished).append(" unfinished at the end (not traced)");
        }
        for (Destination.Counts c : destinations) {
            s.append("; ").append(c.name()).append(": ").append(c.sent()).append(" of ").append(c.spans()).append(" spans sent");
            if (c.failed() > 0) {
                s.append(", ").append(c.failed()).append(" failed");
            }
            if (c.unconfirmed() > 0) {
                s.append(", ").append(c.unconfirmed()).append(" unconfirmed");
            }
            s.append(", ").append(c.droppedSpans()).append(" dropped");
            if (c.droppedEpisodes() > 0) {
                s.append(" (").append(c.droppedEpisodes()).append(" whole episodes: the queue was full)");
            }
        }
        return s.toString();
    }
}
