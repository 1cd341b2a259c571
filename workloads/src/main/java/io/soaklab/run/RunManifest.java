package io.soaklab.run;

import io.soaklab.internal.run.Versions;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.soaklab.internal.layout.RunFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.URI;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code run.json}: what a run was asked to do and where it is in its life. Written when the run
 * starts, after every window and at the end, always atomically (a reader never sees half a file).
 *
 * @param soaklab          soaklab version
 * @param format           the run folder's format version ({@link RunFile#FORMAT_VERSION}); 1 for a folder written before it had one
 * @param runId            the folder name
 * @param status           running, complete, aborted or crashed
 * @param message          why it ended, when not complete
 * @param created          when the run folder was made (ISO-8601 UTC)
 * @param started          when the load generator started measuring, or null
 * @param ended            when the run ended, or null
 * @param pid              process that launched the run
 * @param loadPid          process that generated the load (the JMH fork), or null
 * @param host             machine name
 * @param versions         java, os, jmh...
 * @param config           the configuration
 * @param endpoint         where the load went
 * @param windowsPlanned   measurement windows planned
 * @param windowsCompleted measurement windows closed
 * @param clock            this machine's clock against the endpoint's, measured when the run started (a shard's), or null
 * @param shards           in a run merged from shards ({@code soaklab merge}): each shard as it ended, or missing; null otherwise
 */
public record RunManifest(
        String soaklab,
        int format,
        String runId,
        RunStatus status,
        String message,
        String created,
        String started,
        String ended,
        Long pid,
        Long loadPid,
        String host,
        Map<String, String> versions,
        RunConfig config,
        Endpoint endpoint,
        int windowsPlanned,
        int windowsCompleted,
        Clock clock,
        List<ShardRun> shards) {

    /** The file name. */
    public static final String FILE = RunFile.RUN.fileName();

    public RunManifest {
        format = Math.max(1, format); // a folder from before the format had a version
        shards = shards == null ? null : List.copyOf(shards);
    }

    /**
     * How far the endpoint's clock was from this machine's when the run started.
     *
     * @param against       what it was measured against, e.g. {@code Date header of http://10.0.0.5:8000}
     * @param offsetMs      the endpoint's clock minus this machine's, in milliseconds
     * @param uncertaintyMs how far the true offset may be from it either way
     * @param samples       answers it was measured from
     */
    public record Clock(String against, long offsetMs, long uncertaintyMs, int samples) {
    }

    /**
     * One shard of a merged run, as {@code soaklab merge} found it.
     *
     * @param index     the shard's number, from 0
     * @param folder    its run folder, as given to the merge; null when it was missing
     * @param status    how it ended; {@link RunStatus#CRASHED} when it never said, null when it was missing
     * @param message   why it ended, when not complete, or why it is missing
     * @param host      the machine it ran on
     * @param started   when its run began (before it waited for --start-at)
     * @param windowsCompleted its measured windows
     * @param clock     its clock against the endpoint's, or null
     */
    public record ShardRun(int index, String folder, RunStatus status, String message, String host, String started, int windowsCompleted,
                           Clock clock) {
    }

    /**
     * The endpoint a run talked to.
     *
     * @param url      its API root
     * @param embedded true when it was soaklab's own
     */
    public record Endpoint(URI url, boolean embedded) {
    }

    /** A new manifest for a run about to start in {@code dir}. */
    public static RunManifest create(Path dir, RunConfig config, Endpoint endpoint) {
        Map<String, String> versions = new LinkedHashMap<>();
        versions.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
        versions.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"));
        versions.put("cpus", Integer.toString(Runtime.getRuntime().availableProcessors()));
        return new RunManifest(Versions.soaklab(), RunFile.FORMAT_VERSION, dir.toAbsolutePath().normalize().getFileName().toString(),
                RunStatus.RUNNING, null, now(), null, null, ProcessHandle.current().pid(), null, hostName(),
                versions, config.pricingResolved(), endpoint, config.schedule().windows(), 0, null, null);
    }

    /** Configuration fields added since the first run.json, with the value runs without them had. */
    private static final Map<String, String> EARLIER_DEFAULTS = Map.of("think_time", "0s", "ramp_up", "0s", "max_in_flight", "1000",
            "billing", "standard", "price_as", RunConfig.UNPRICED, "max_failed_windows", "0");

    /** The flat timeout fields of a format-1 {@code run.json}, and their names in the {@code timeouts} group since. */
    private static final Map<String, String> FLAT_TIMEOUTS = Map.of("connect_timeout", "connect", "first_token_timeout", "first_token",
            "idle_timeout", "idle", "call_timeout", "call");

    /** The groups of the configuration since format 3, and the fields each took from the flat configuration before. */
    private static final Map<String, List<String>> GROUPS = Map.of(
            "workload", List.of("scenario", "concurrency", "arrival", "think_time", "ramp_up", "max_in_flight", "error_backoff", "seed"),
            "schedule", List.of("duration", "window", "warmup", "forks", "max_failed_windows"),
            "target", List.of("endpoint", "api", "model", "api_key_env", "max_tokens_field", "timeouts", "sim"),
            "pricing", List.of("price_as", "prices", "billing", "max_spend"));

    /**
     * A configuration written before format 3 (one flat object) in today's groups: fields added
     * since take the value runs without them had, and format 1's four flat timeouts move into the
     * {@code timeouts} group (what it lacks takes the default).
     */
    private static void migrate(ObjectNode config) {
        if (config.has("workload")) {
            return;
        }
        EARLIER_DEFAULTS.forEach((field, value) -> {
            if (!config.has(field)) {
                config.put(field, value);
            }
        });
        if (!config.has("timeouts")) {
            ObjectNode timeouts = Json.MAPPER.valueToTree(io.soaklab.protocol.Timeouts.DEFAULT);
            FLAT_TIMEOUTS.forEach((flat, grouped) -> {
                JsonNode value = config.remove(flat);
                if (value != null && !value.isNull()) {
                    timeouts.set(grouped, value);
                }
            });
            config.set("timeouts", timeouts);
        }
        GROUPS.forEach((group, fields) -> {
            ObjectNode node = config.putObject(group);
            fields.forEach(field -> {
                JsonNode value = config.remove(field);
                if (value != null) {
                    node.set(field, value);
                }
            });
        });
        ObjectNode pricing = (ObjectNode) config.get("pricing");
        JsonNode endpoint = config.path("target").path("endpoint");
        if ((endpoint.isNull() || endpoint.isMissingNode()) && "anthropic".equals(config.path("target").path("api").asText())) {
            if (pricing.path("price_as").isNull() || pricing.path("price_as").isMissingNode()) {
                pricing.put("price_as", EARLIER_EMBEDDED_PRICE_AS); // what an embedded Anthropic run was priced as then
            }
        }
    }

    /** The model every embedded run was priced as before format 3 (an Anthropic one is priced as an Anthropic model since). */
    private static final String EARLIER_EMBEDDED_PRICE_AS = "gpt-5.4-mini";

    /** True when {@code dir} holds a {@code run.json}: it is a run folder. */
    public static boolean exists(Path dir) {
        return java.nio.file.Files.exists(RunFile.RUN.in(dir));
    }

    /** Reads {@code dir/run.json}, also one written by an earlier soaklab (what it lacks takes today's default). */
    public static RunManifest read(Path dir) throws IOException {
        Path file = RunFile.RUN.in(dir);
        try {
            JsonNode tree = Json.MAPPER.readTree(file.toFile());
            if (tree.get("config") instanceof ObjectNode config) {
                migrate(config);
            }
            return Json.MAPPER.treeToValue(tree, RunManifest.class);
        } catch (NoSuchFileException | java.io.FileNotFoundException e) {
            throw new NoSuchFileException(file.toString(), null, "no " + FILE + ": not a soaklab run folder");
        }
    }

    /**
     * Writes {@code dir/run.json} atomically and durably. Safe on an interrupted thread (JMH
     * interrupts a benchmark that outlives its iteration timeout) and against a concurrent writer.
     */
    public void write(Path dir) {
        Path file = RunFile.RUN.in(dir);
        try {
            // written in today's shape, so it says today's format (a format-1 folder's manifest rewritten, e.g. marked crashed)
            RunManifest current = format == RunFile.FORMAT_VERSION ? this : new RunManifest(soaklab, RunFile.FORMAT_VERSION, runId, status,
                    message, created, started, ended, pid, loadPid, host, versions, config, endpoint, windowsPlanned, windowsCompleted, clock, shards);
            io.soaklab.internal.record.AtomicWrite.replace(file, Json.MAPPER.writeValueAsBytes(current), true);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * A short hash (SHA-256, 16 hex digits) of the configuration as {@code dir/run.json} holds it:
     * which run a projection came from; "unknown" when it cannot be read.
     */
    public static String configHash(Path dir) {
        try {
            JsonNode config = Json.MAPPER.readTree(RunFile.RUN.in(dir).toFile()).path("config");
            byte[] canonical = new com.fasterxml.jackson.databind.ObjectMapper()
                    .enable(com.fasterxml.jackson.databind.SerializationFeature.INDENT_OUTPUT).writeValueAsBytes(config);
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(canonical)).substring(0, 16);
        } catch (IOException | java.security.NoSuchAlgorithmException e) {
            return "unknown";
        }
    }

    /** This manifest with versions added (e.g. the harness's). */
    public RunManifest withVersion(String name, String version) {
        Map<String, String> v = new LinkedHashMap<>(versions);
        v.put(name, version);
        return new RunManifest(soaklab, format, runId, status, message, created, started, ended, pid, loadPid, host, v,
                config, endpoint, windowsPlanned, windowsCompleted, clock, shards);
    }

    /** This manifest once the load generator has started against {@code url}. */
    public RunManifest started(Endpoint where, long loadProcess) {
        return new RunManifest(soaklab, format, runId, status, message, created, now(), ended, pid, loadProcess, host, versions,
                config, where, windowsPlanned, windowsCompleted, clock, shards);
    }

    /** This manifest with the clock measured at the start. */
    public RunManifest withClock(Clock measured) {
        return new RunManifest(soaklab, format, runId, status, message, created, started, ended, pid, loadPid, host, versions,
                config, endpoint, windowsPlanned, windowsCompleted, measured, shards);
    }

    /** This manifest after {@code n} measurement windows. */
    public RunManifest withWindowsCompleted(int n) {
        return new RunManifest(soaklab, format, runId, status, message, created, started, ended, pid, loadPid, host, versions,
                config, endpoint, windowsPlanned, n, clock, shards);
    }

    /** This manifest ended with {@code newStatus}. */
    public RunManifest ended(RunStatus newStatus, String why) {
        return new RunManifest(soaklab, format, runId, newStatus, why, created, started, now(), pid, loadPid, host, versions,
                config, endpoint, windowsPlanned, windowsCompleted, clock, shards);
    }

    /**
     * True when this says running but no process that worked on the run is alive on this machine:
     * it was killed without a chance to say so.
     */
    public boolean orphaned() {
        if (status != RunStatus.RUNNING || !hostName().equals(host)) {
            return false;
        }
        return !alive(pid) && !alive(loadPid);
    }

    /** True when this says running and a process that works on the run is alive on this machine. */
    public boolean runningHere() {
        return status == RunStatus.RUNNING && hostName().equals(host) && (alive(pid) || alive(loadPid));
    }

    private static boolean alive(Long processId) {
        return processId != null && ProcessHandle.of(processId).map(ProcessHandle::isAlive).orElse(false);
    }

    private static String now() {
        return Instant.now().truncatedTo(ChronoUnit.MILLIS).toString();
    }

    private static String hostName() {
        return Host.NAME;
    }

    /** Looked up once: the lookup can be slow where name resolution is. */
    private static final class Host {
        static final String NAME = lookup();

        private static String lookup() {
            try {
                return InetAddress.getLocalHost().getHostName();
            } catch (IOException e) {
                return "unknown";
            }
        }
    }
}
