package io.soaklab.cli;

import io.soaklab.scenario.Scenarios;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code soaklab replay SOURCE}: a run whose workload is recorded traffic, sent again at its recorded
 * times: a soaklab run folder made with {@code --record-requests} (each call's first attempt, the
 * same bytes at the same intended offsets), a Mooncake trace or a chat-completions request log. The
 * same as {@code soaklab run --scenario replay:SOURCE?...}, with the options spelled out and the
 * duration, unless given, the replay's own length.
 */
@Command(name = "replay", mixinStandardHelpOptions = true, sortOptions = false, defaultValueProvider = Defaults.Run.class,
        description = {"Send recorded traffic again at its recorded times: a run made with --record-requests, or a trace (docs/replay.md).",
            "The new run is a run folder like any other: soaklab compare OLD NEW. A trace is a Mooncake trace, a chat-completions request log",
            "or OpenTelemetry GenAI spans (OTLP JSON).",
            "Example: soaklab replay results/20261203-010000-coding-agent --endpoint http://gpu-box:8000/v1 --model my-model"})
final class ReplayCommand extends RunOptions {

    /** Time given after the last recorded start for the last calls to end, when the duration is not given. */
    static final Duration TAIL = Duration.ofSeconds(30);

    @Parameters(index = "0", paramLabel = "SOURCE", description = "A run folder made with --record-requests, or a trace file.")
    Path source;

    @Option(names = "--speed", paramLabel = "F|max", description = "Times divided by F (2: twice as fast), or max: back to back at the concurrency.")
    String speed;

    @Option(names = "--from", paramLabel = "DURATION", description = "Replay from this far into the recording.")
    String from;

    @Option(names = "--to", paramLabel = "DURATION", description = "Replay up to this far into the recording.")
    String to;

    @Option(names = "--episode", paramLabel = "USER:EPISODE",
            description = "A run folder's one episode (as in calls.jsonl), its calls again at their recorded offsets.")
    String episode;

    @Override
    public Integer call() throws Exception {
        if (!Files.exists(source)) {
            throw new SoakLab.UsageException(source + " does not exist");
        }
        if (spec.commandLine().getParseResult().hasMatchedOption("--scenario")) {
            throw new SoakLab.UsageException("--scenario is the replay's own: give the source instead");
        }
        StringBuilder replay = new StringBuilder("replay:").append(source.toAbsolutePath().normalize());
        char sep = '?';
        for (String[] option : new String[][] {{"speed", speed}, {"from", from}, {"to", to}, {"episode", episode}}) {
            if (option[1] != null) {
                replay.append(sep).append(option[0]).append('=').append(option[1]);
                sep = '&';
            }
        }
        scenario = replay.toString();
        if (!spec.commandLine().getParseResult().hasMatchedOption("--duration")) {
            Duration span;
            try {
                span = Scenarios.replaySpan(scenario);
            } catch (IllegalArgumentException e) {
                throw new SoakLab.UsageException(e.getMessage());
            }
            duration = span.plus(TAIL); // the recording's length at its speed, and time for its last calls to end
        }
        return super.call();
    }
}
