package io.soaklab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapKeySelector;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.SecretKeySelector;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.soaklab.scenario.Scenarios;
import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * deploy/kubernetes and deploy/container, read as a specification of a sharded soak: every manifest is a Kubernetes
 * object of Kubernetes' own types (fabric8's model) with no field Kubernetes does not have; the shards Job is an Indexed
 * Job of as many shards as its arguments say, none of them ever run twice; the API key comes only from a Secret; both
 * Jobs read and write one ReadWriteMany volume at the paths their arguments use; and soaklab's own command line accepts
 * the arguments the Jobs pass it. The image runs the launcher from a Temurin 17 JRE as a non-root user, and the launcher
 * there runs the jar without trying to rebuild it.
 */
class KubernetesManifestsTest {

    /** The test runs in benchmarks/, the module's folder. */
    private static final Path ROOT = Path.of("..");
    private static final Path DEPLOY = ROOT.resolve("deploy");
    private static final Path KUBERNETES = DEPLOY.resolve("kubernetes");
    private static final Path KUSTOMIZATION = KUBERNETES.resolve("kustomization.yaml");
    private static final Path DOCKERFILE = DEPLOY.resolve("container").resolve("Dockerfile");
    private static final Path DOCKERIGNORE = ROOT.resolve(".dockerignore");
    private static final Path LAUNCHER = ROOT.resolve("soaklab");

    /** The annotation the Job controller puts the completion index in (batch.kubernetes.io/job-completion-index). */
    private static final String COMPLETION_INDEX_FIELD = "metadata.annotations['batch.kubernetes.io/job-completion-index']";
    private static final String SECRET = "soaklab-api-key";
    private static final String SECRET_KEY = "api-key";

    /** The Kubernetes types the manifests may hold, by kind. A Secret is not one of them: no key is ever in a file. */
    private static final Map<String, Class<? extends HasMetadata>> KINDS = Map.of(
            "Job", Job.class,
            "ConfigMap", ConfigMap.class,
            "PersistentVolumeClaim", PersistentVolumeClaim.class);

    /** What an API key looks like: OpenAI's sk-..., sk-proj-..., Anthropic's sk-ant-... */
    private static final Pattern KEY_LIKE = Pattern.compile("\\bsk-[A-Za-z0-9_\\-]{16,}");
    /** A variable whose value must come from a Secret. */
    private static final Pattern SECRET_NAME = Pattern.compile("(?i).*(KEY|TOKEN|SECRET|PASSWORD).*");
    /** $(VAR) in command and args, which the kubelet expands from the container's environment; $$ is a literal $. */
    private static final Pattern REFERENCE = Pattern.compile("\\$\\$|\\$\\(([A-Za-z_][A-Za-z0-9_]*)\\)");

    private static final ObjectMapper JSON = new ObjectMapper();

    /** One YAML document of deploy/kubernetes: its file, its tree as written, and the typed object. */
    record Manifest(Path file, JsonNode tree, HasMetadata object) {
        String name() {
            return file.getFileName() + " (" + object.getKind() + " " + object.getMetadata().getName() + ")";
        }
    }

    private static List<Manifest> manifests;
    private static JsonNode kustomization;
    private static Job shards;
    private static Job merge;

    @BeforeAll
    static void read() throws IOException {
        assertTrue(Files.isDirectory(KUBERNETES), "no manifests at " + KUBERNETES.toAbsolutePath());
        manifests = new ArrayList<>();
        YAMLMapper yaml = new YAMLMapper();
        for (Path file : manifestFiles()) {
            try (MappingIterator<JsonNode> documents = yaml.readerFor(JsonNode.class).readValues(file.toFile())) {
                while (documents.hasNext()) {
                    JsonNode tree = documents.next();
                    if (tree == null || tree.isNull() || tree.isMissingNode()) {
                        continue;
                    }
                    String kind = tree.path("kind").asText();
                    Class<? extends HasMetadata> type = KINDS.get(kind);
                    if (type == null) {
                        fail(file.getFileName() + " holds a " + (kind.isEmpty() ? "document with no kind" : kind)
                                + "; the manifests hold " + new TreeSet<>(KINDS.keySet()) + " (a Secret is never written to a file)");
                    }
                    manifests.add(new Manifest(file, tree, JSON.treeToValue(tree, type)));
                }
            }
        }
        kustomization = yaml.readTree(KUSTOMIZATION.toFile());
        shards = job("soaklab-shards");
        merge = job("soaklab-merge");
    }

    private static List<Path> manifestFiles() throws IOException {
        try (Stream<Path> files = Files.list(KUBERNETES)) {
            return files.filter(f -> f.toString().endsWith(".yaml") || f.toString().endsWith(".yml"))
                    .filter(f -> !f.getFileName().toString().startsWith("kustomization."))
                    .sorted()
                    .collect(Collectors.toList());
        }
    }

    private static <T extends HasMetadata> List<T> all(Class<T> type) {
        return manifests.stream().map(Manifest::object).filter(type::isInstance).map(type::cast).collect(Collectors.toList());
    }

    private static Job job(String name) {
        return all(Job.class).stream().filter(j -> name.equals(j.getMetadata().getName())).findFirst()
                .orElseThrow(() -> new AssertionError("no Job named " + name + " in " + KUBERNETES));
    }

    private static Manifest manifestOf(HasMetadata object) {
        return manifests.stream().filter(m -> m.object() == object).findFirst().orElseThrow();
    }

    private static PodSpec pod(Job job) {
        return job.getSpec().getTemplate().getSpec();
    }

    /** The one container of a Job's pods. */
    private static Container container(Job job) {
        List<Container> containers = pod(job).getContainers();
        assertEquals(1, containers.size(), job.getMetadata().getName() + " runs one container, soaklab");
        return containers.get(0);
    }

    private static List<Container> containersOf(Job job) {
        List<Container> out = new ArrayList<>(pod(job).getContainers());
        if (pod(job).getInitContainers() != null) {
            out.addAll(pod(job).getInitContainers());
        }
        return out;
    }

    private static List<EnvVar> env(Container container) {
        return container.getEnv() == null ? List.of() : container.getEnv();
    }

    private static EnvVar envVar(Container container, String name) {
        List<EnvVar> found = env(container).stream().filter(e -> name.equals(e.getName())).collect(Collectors.toList());
        assertEquals(1, found.size(), "container " + container.getName() + " declares " + name + " once");
        return found.get(0);
    }

    private static List<String> args(Container container) {
        assertTrue(container.getCommand() == null || container.getCommand().isEmpty(), "no command: the image's ENTRYPOINT, the launcher, runs soaklab");
        assertTrue(container.getArgs() != null && !container.getArgs().isEmpty(), "container " + container.getName() + " has args");
        return container.getArgs();
    }

    /**
     * The value of {@code option} in {@code args}, written {@code --option=VALUE} or {@code --option VALUE}; the option must
     * be there exactly once.
     */
    private static String option(List<String> args, String option) {
        List<String> values = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (arg.startsWith(option + "=")) {
                values.add(arg.substring(option.length() + 1));
            } else if (arg.equals(option) && i + 1 < args.size()) {
                values.add(args.get(i + 1));
            }
        }
        assertEquals(1, values.size(), option + " is given once in " + args);
        return values.get(0);
    }

    /** Positional arguments after the subcommand: those that are not options or options' values. */
    private static List<String> positionals(List<String> args) {
        List<String> out = new ArrayList<>();
        for (int i = 1; i < args.size(); i++) {
            String arg = args.get(i);
            if (arg.startsWith("--")) {
                if (!arg.contains("=")) {
                    i++;
                }
                continue;
            }
            out.add(arg);
        }
        return out;
    }

    private static Set<String> references(String text) {
        Set<String> out = new TreeSet<>();
        Matcher m = REFERENCE.matcher(text);
        while (m.find()) {
            if (m.group(1) != null) {
                out.add(m.group(1));
            }
        }
        return out;
    }

    /**
     * What the kubelet makes of {@code text}: each {@code $(VAR)} replaced by the variable's value in the container's
     * environment (a literal value, a ConfigMap's key, the completion index as {@code index}), {@code $$} by {@code $}.
     * A reference to a variable the container does not declare fails the test: the kubelet would leave it as written.
     */
    private static String expand(String text, Container container, String index) {
        Matcher m = REFERENCE.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String replacement;
            if (m.group(1) == null) {
                replacement = "$";
            } else {
                String name = m.group(1);
                List<EnvVar> declared = env(container).stream().filter(e -> name.equals(e.getName())).collect(Collectors.toList());
                assertEquals(1, declared.size(), "'" + text + "' uses $(" + name + "), which container " + container.getName()
                        + " declares once in env (else the kubelet leaves it as written)");
                replacement = value(declared.get(0), index);
            }
            m.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static String value(EnvVar var, String index) {
        if (var.getValueFrom() == null) {
            assertNotNull(var.getValue(), var.getName() + " has a value or a valueFrom");
            return var.getValue();
        }
        if (var.getValueFrom().getFieldRef() != null) {
            assertEquals(COMPLETION_INDEX_FIELD, var.getValueFrom().getFieldRef().getFieldPath(),
                    var.getName() + ": the only field the manifests read is the completion index");
            return index;
        }
        if (var.getValueFrom().getConfigMapKeyRef() != null) {
            return configMapValue(var.getValueFrom().getConfigMapKeyRef());
        }
        throw new AssertionError("$(" + var.getName() + ") in args can only be a literal, a ConfigMap's key or the completion index; "
                + "never a Secret's, which would put it on the command line");
    }

    private static String configMapValue(ConfigMapKeySelector ref) {
        ConfigMap map = all(ConfigMap.class).stream().filter(c -> ref.getName().equals(c.getMetadata().getName())).findFirst()
                .orElseThrow(() -> new AssertionError("no ConfigMap named " + ref.getName() + " among the manifests"));
        String value = map.getData() == null ? null : map.getData().get(ref.getKey());
        assertNotNull(value, "ConfigMap " + ref.getName() + " has the key " + ref.getKey());
        return value;
    }

    private static VolumeMount mount(Container container, String volume) {
        List<VolumeMount> mounts = container.getVolumeMounts() == null ? List.of()
                : container.getVolumeMounts().stream().filter(v -> volume.equals(v.getName())).collect(Collectors.toList());
        assertEquals(1, mounts.size(), "container " + container.getName() + " mounts volume " + volume + " once");
        return mounts.get(0);
    }

    /** The volume of {@code job}'s pods that is the claim {@code claim}. */
    private static Volume claimVolume(Job job, String claim) {
        List<Volume> volumes = pod(job).getVolumes().stream()
                .filter(v -> v.getPersistentVolumeClaim() != null && claim.equals(v.getPersistentVolumeClaim().getClaimName()))
                .collect(Collectors.toList());
        assertEquals(1, volumes.size(), job.getMetadata().getName() + " has one volume of the claim " + claim);
        return volumes.get(0);
    }

    /** {@code path} relative to {@code mountPath}, which it must be under. */
    private static String under(String mountPath, String path, String what) {
        String prefix = mountPath.endsWith("/") ? mountPath : mountPath + "/";
        assertTrue(path.startsWith(prefix) && path.length() > prefix.length(), what + " (" + path + ") is under the volume's mount, " + mountPath);
        assertFalse(path.contains("/../") || path.endsWith("/.."), what + " (" + path + ") stays under the mount");
        return path.substring(prefix.length());
    }

    private static PersistentVolumeClaim results() {
        List<PersistentVolumeClaim> claims = all(PersistentVolumeClaim.class);
        assertEquals(1, claims.size(), "one results volume claim");
        return claims.get(0);
    }

    // --- the manifests as Kubernetes objects -------------------------------------------------------------------------

    @Test
    void everyManifestIsAKubernetesObjectWithNoFieldKubernetesDoesNotHave() {
        assertEquals(List.of("ConfigMap", "ConfigMap", "Job", "Job", "PersistentVolumeClaim"),
                manifests.stream().map(m -> m.object().getKind()).sorted().collect(Collectors.toList()),
                "the run's ConfigMap, the scenario's, the shards and merge Jobs, the results volume");
        for (Manifest m : manifests) {
            assertFalse(m.object().getMetadata().getName() == null || m.object().getMetadata().getName().isBlank(), m.file() + " names its object");
            assertEquals(m.object() instanceof Job ? "batch/v1" : "v1", m.object().getApiVersion(), m.name());
            List<String> unknown = new ArrayList<>();
            unknownFields(m.object(), m.object().getKind(), unknown);
            assertEquals(List.of(), unknown, m.name() + ": fields that Kubernetes' " + m.object().getKind() + " does not have (a typo is silently ignored by the cluster)");
        }
        assertEquals(manifests.size(), manifests.stream().map(m -> m.object().getKind() + "/" + m.object().getMetadata().getName()).distinct().count(),
                "no two manifests name the same object");
    }

    /** Every field fabric8 found no property for lands in an additionalProperties map: collect them, with their path. */
    private static void unknownFields(Object node, String path, List<String> out) {
        if (node == null) {
            return;
        }
        if (node instanceof List<?> list) {
            for (int i = 0; i < list.size(); i++) {
                unknownFields(list.get(i), path + "[" + i + "]", out);
            }
            return;
        }
        if (node instanceof Map<?, ?> map) {
            map.forEach((k, v) -> unknownFields(v, path + "." + k, out));
            return;
        }
        if (!node.getClass().getName().startsWith("io.fabric8.kubernetes.api.model")) {
            return;
        }
        for (Method getter : node.getClass().getMethods()) {
            if (getter.getParameterCount() != 0 || Modifier.isStatic(getter.getModifiers()) || !getter.getName().startsWith("get")
                    || getter.getDeclaringClass() == Object.class) {
                continue;
            }
            Object value;
            try {
                value = getter.invoke(node);
            } catch (ReflectiveOperationException | RuntimeException e) {
                continue; // a computed getter (Quantity's numerical amount of a malformed value is caught where it is read)
            }
            String field = Character.toLowerCase(getter.getName().charAt(3)) + getter.getName().substring(4);
            if (getter.getName().equals("getAdditionalProperties")) {
                if (value instanceof Map<?, ?> extra && !extra.isEmpty()) {
                    extra.keySet().forEach(k -> out.add(path + "." + k));
                }
                continue;
            }
            if (value instanceof List || value instanceof Map || (value != null && value.getClass().getName().startsWith("io.fabric8.kubernetes.api.model"))) {
                unknownFields(value, path + "." + field, out);
            }
        }
    }

    @Test
    void everyArgumentAndValueIsWrittenAsAString() {
        // The API server refuses a number or a boolean in args or in an env value; fabric8 would quietly make it a string.
        for (Manifest m : manifests) {
            for (JsonNode container : m.tree().path("spec").path("template").path("spec").path("containers")) {
                for (String field : List.of("command", "args")) {
                    for (JsonNode arg : container.path(field)) {
                        assertTrue(arg.isTextual(), m.name() + ": " + field + " item " + arg + " is a string (quote it)");
                    }
                }
                for (JsonNode var : container.path("env")) {
                    assertTrue(var.path("value").isMissingNode() || var.path("value").isTextual(),
                            m.name() + ": env " + var.path("name").asText() + "'s value is a string (quote it)");
                }
            }
            if (m.object() instanceof ConfigMap) {
                m.tree().path("data").properties().forEach(e -> assertTrue(e.getValue().isTextual(),
                        m.name() + ": data " + e.getKey() + " is a string (quote it)"));
            }
        }
    }

    @Test
    void theKustomizationListsEveryManifestAndNamesTheImageBothJobsRun() throws IOException {
        assertEquals("Kustomization", kustomization.path("kind").asText(), "kustomization.yaml is a Kustomization");
        List<String> listed = new ArrayList<>();
        kustomization.path("resources").forEach(r -> listed.add(r.asText()));
        assertEquals(manifestFiles().stream().map(f -> f.getFileName().toString()).sorted().collect(Collectors.toList()),
                listed.stream().sorted().collect(Collectors.toList()),
                "kubectl apply -k deploy/kubernetes applies every manifest of the folder, and only those");
        assertEquals(listed.size(), new TreeSet<>(listed).size(), "no manifest listed twice");

        String image = container(shards).getImage();
        assertEquals(image, container(merge).getImage(), "the shards and the merge run the same image");
        String imageName = image.replaceFirst(":[^:/]+$", "");
        JsonNode images = kustomization.path("images");
        assertEquals(1, images.size(), "one images entry: the image you built and pushed");
        assertEquals(imageName, images.get(0).path("name").asText(), "the images entry is the Jobs' image (" + image + ")");
        assertFalse(images.get(0).path("newName").asText().isBlank(), "the images entry says where the image is");
    }

    // --- the shards ---------------------------------------------------------------------------------------------------

    @Test
    void theShardsJobIsAnIndexedJobOfAsManyShardsAsItsArgumentsSay() {
        var spec = shards.getSpec();
        assertEquals("Indexed", spec.getCompletionMode(), "each shard gets its index from an Indexed Job");
        assertNotNull(spec.getCompletions(), "completions: the number of shards");
        assertTrue(spec.getCompletions() >= 2, "a sharded soak has two shards or more, not " + spec.getCompletions());
        assertEquals(spec.getCompletions(), spec.getParallelism(), "all shards run at once: parallelism = completions");
        List<String> args = args(container(shards));
        assertEquals("run", args.get(0), "each shard is one 'soaklab run'");
        assertEquals(String.valueOf(spec.getCompletions()), option(args, "--shards"), "--shards = completions = parallelism");
        assertTrue(spec.getSuspend() == null || !spec.getSuspend(), "the shards start when applied");
    }

    @Test
    void aCrashedShardIsNeverRunAgainAndNeverStopsTheOtherShards() {
        assertEquals("Never", pod(shards).getRestartPolicy(), "the kubelet never restarts a shard's container inside its pod");
        assertEquals(0, shards.getSpec().getBackoffLimitPerIndex(), "the controller never makes a new pod for a failed shard's index");
        // Any backoffLimit makes the controller fail the whole Job, and delete the shards still running, once that many
        // pods have failed; unset, with backoffLimitPerIndex, it defaults to 2147483647.
        assertNull(shards.getSpec().getBackoffLimit(), "backoffLimit is left unset: one failed shard must not stop the others");
        assertNull(shards.getSpec().getMaxFailedIndexes(), "no count of failed shards stops the others");
        assertNull(shards.getSpec().getPodFailurePolicy(), "no pod failure policy: an ignored failure would be run again");
        assertEquals("Never", pod(merge).getRestartPolicy(), "the merge is not restarted in its pod either");
        assertEquals(0, merge.getSpec().getBackoffLimit(), "a failed merge says why in its log; it is not run again");
    }

    @Test
    void theShardsIndexComesFromTheCompletionIndexAnnotationAndNamesItsFolder() {
        Container c = container(shards);
        EnvVar index = envVar(c, "JOB_COMPLETION_INDEX");
        assertNull(index.getValue(), "JOB_COMPLETION_INDEX has no literal value");
        assertNotNull(index.getValueFrom(), "JOB_COMPLETION_INDEX comes from the downward API");
        assertNotNull(index.getValueFrom().getFieldRef(), "JOB_COMPLETION_INDEX comes from a field of the pod");
        assertEquals(COMPLETION_INDEX_FIELD, index.getValueFrom().getFieldRef().getFieldPath(),
                "JOB_COMPLETION_INDEX is the annotation the Job controller sets on every pod of an Indexed Job");
        String out = option(args(c), "--out");
        assertTrue(references(out).contains("JOB_COMPLETION_INDEX"), "--out names the shard's folder by its index: " + out);
        assertEquals("shard-3", Path.of(expand(out, c, "3")).getFileName().toString(), "shard 3 writes into shard-3, where the merge looks");
        assertFalse(references(option(args(c), "--start-at")).contains("JOB_COMPLETION_INDEX"), "every shard reads the same start instant");
        for (Job job : List.of(shards, merge)) {
            Container any = container(job);
            for (String arg : args(any)) {
                String expanded = expand(arg, any, "0"); // every $(VAR) in the args is one the container declares
                assertFalse(expanded.contains("${") || expanded.contains("$("), job.getMetadata().getName()
                        + ": a reference the kubelet does not expand (it expands $(VAR) only, from env): " + arg);
            }
        }
    }

    @Test
    void theShardsStartTogetherAtAnInstantKeptOnTheSharedVolume() {
        Container c = container(shards);
        String startAt = option(args(c), "--start-at");
        Matcher m = Pattern.compile("\\+([0-9]+[a-z]+)@(/.+)").matcher(startAt);
        assertTrue(m.matches(), "--start-at is +DURATION@FILE: the first shard writes now + DURATION into FILE, the others read it: " + startAt);
        assertTrue(io.soaklab.internal.text.Durations.parse(m.group(1)).toSeconds() >= 60,
                "--start-at leaves the shards at least a minute to be scheduled and start: " + m.group(1));
        String relative = under(mount(c, claimVolume(shards, results().getMetadata().getName()).getName()).getMountPath(), m.group(2), "--start-at's file");
        String folder = under(mount(c, claimVolume(shards, results().getMetadata().getName()).getName()).getMountPath(), option(args(c), "--out"), "--out");
        assertEquals(Path.of(folder).getParent(), Path.of(relative).getParent(), "the start-at file sits beside the shards' folders, in the soak's folder");
    }

    @Test
    void theApiKeyComesOnlyFromTheSecretInTheVariableApiKeyEnvNames() {
        Container c = container(shards);
        String name = option(args(c), "--api-key-env");
        assertTrue(name.matches("[A-Z_][A-Z0-9_]*"), "--api-key-env names a variable: " + name);
        EnvVar key = envVar(c, name);
        assertNull(key.getValue(), name + " has no literal value");
        assertNotNull(key.getValueFrom(), name + " comes from elsewhere");
        SecretKeySelector secret = key.getValueFrom().getSecretKeyRef();
        assertNotNull(secret, name + " comes from a Secret");
        assertEquals(SECRET, secret.getName(), "the Secret docs/kubernetes.md has you create");
        assertEquals(SECRET_KEY, secret.getKey(), "the Secret's key");
        assertTrue(secret.getOptional() == null || !secret.getOptional(), "a missing Secret stops the pod from starting, not the run from authenticating");
        for (Job job : List.of(shards, merge)) {
            for (Container any : containersOf(job)) {
                List<String> line = new ArrayList<>();
                line.addAll(any.getCommand() == null ? List.of() : any.getCommand());
                line.addAll(any.getArgs() == null ? List.of() : any.getArgs());
                for (String arg : line) {
                    assertFalse(references(arg).contains(name), job.getMetadata().getName() + ": $(" + name + ") would put the key on the command line: " + arg);
                }
            }
        }
    }

    @Test
    void noManifestAndNoFileInDeployHoldsAKey() throws IOException {
        String made = "sk-" + "proj-" + "0123456789abcdefghij".repeat(2); // what a key looks like, made here, not a real one
        assertTrue(KEY_LIKE.matcher("OPENAI_API_KEY=" + made).find(), "the check finds a key where there is one");
        assertFalse(KEY_LIKE.matcher("--api-key-env=SOAKLAB_API_KEY").find(), "a variable's name is not a key");

        for (Job job : List.of(shards, merge)) {
            for (Container c : containersOf(job)) {
                assertTrue(c.getEnvFrom() == null || c.getEnvFrom().isEmpty(), job.getMetadata().getName() + ": no envFrom, whose variables the manifest does not show");
                for (EnvVar var : env(c)) {
                    String where = job.getMetadata().getName() + " env " + var.getName();
                    if (SECRET_NAME.matcher(var.getName()).matches()) {
                        assertNull(var.getValue(), where + ": a key, token or secret is never a literal value");
                        assertTrue(var.getValueFrom() != null && var.getValueFrom().getSecretKeyRef() != null, where + " comes from a Secret");
                    }
                    if (var.getValue() != null) {
                        assertFalse(KEY_LIKE.matcher(var.getValue()).find(), where + " holds what looks like a key");
                    }
                }
            }
        }
        List<String> holding = new ArrayList<>();
        try (Stream<Path> files = Files.walk(DEPLOY)) {
            for (Path file : files.filter(Files::isRegularFile).sorted().collect(Collectors.toList())) {
                String text;
                try {
                    text = StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(Files.readAllBytes(file))).toString();
                } catch (CharacterCodingException binary) {
                    text = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
                }
                if (KEY_LIKE.matcher(text).find()) {
                    holding.add(ROOT.relativize(file).toString());
                }
            }
        }
        assertEquals(List.of(), holding, "files under deploy/ that hold what looks like an API key");
    }

    @Test
    void bothJobsUseTheOneReadWriteManyVolumeAtThePathsTheirArgumentsUse() {
        PersistentVolumeClaim claim = results();
        assertEquals(List.of("ReadWriteMany"), claim.getSpec().getAccessModes(), "shards on several nodes write the results volume at once");
        Quantity storage = claim.getSpec().getResources().getRequests().get("storage");
        assertNotNull(storage, "the claim asks for a size");
        assertTrue(Quantity.getAmountInBytes(storage).compareTo(java.math.BigDecimal.valueOf(1L << 30)) >= 0, "at least 1 GiB: " + storage);
        String name = claim.getMetadata().getName();

        Container shard = container(shards);
        String shardMount = mount(shard, claimVolume(shards, name).getName()).getMountPath();
        String shardFolder = under(shardMount, option(args(shard), "--out"), "the shards' --out");

        Container merger = container(merge);
        String mergeMount = mount(merger, claimVolume(merge, name).getName()).getMountPath();
        List<String> margs = args(merger);
        assertEquals("merge", margs.get(0), "the merge Job runs 'soaklab merge'");
        List<String> inputs = positionals(margs);
        assertEquals(1, inputs.size(), "the merge reads one folder, the soak's, which holds the shard folders: " + margs);
        String soak = under(mergeMount, inputs.get(0), "the merge's input");
        String merged = under(mergeMount, option(margs, "--out"), "the merge's --out");

        assertEquals(Path.of(soak), Path.of(shardFolder).getParent(), "the merge reads the folder the shards write their folders into");
        assertEquals(Path.of(soak), Path.of(merged).getParent(), "the merged run sits beside the shards' folders");
        assertFalse(Path.of(merged).getFileName().toString().startsWith("shard-"), "the merged folder is not taken for a shard's");
        assertEquals(expand(inputs.get(0), merger, "0"), Path.of(expand(option(args(shard), "--out"), shard, "0")).getParent().toString(),
                "with RUN resolved, the merge reads the very folder the shards wrote into");
    }

    @Test
    void theRunsNameComesFromOneConfigMapAndIsOneFolderName() {
        EnvVar shardRun = envVar(container(shards), "RUN");
        EnvVar mergeRun = envVar(container(merge), "RUN");
        assertNotNull(shardRun.getValueFrom(), "the shards read RUN from the run's ConfigMap");
        assertNotNull(mergeRun.getValueFrom(), "the merge reads RUN from the run's ConfigMap");
        assertEquals(shardRun.getValueFrom().getConfigMapKeyRef(), mergeRun.getValueFrom().getConfigMapKeyRef(),
                "both Jobs read RUN from the same ConfigMap key: one place to name the soak");
        String run = configMapValue(shardRun.getValueFrom().getConfigMapKeyRef());
        assertTrue(run.matches("[A-Za-z0-9][A-Za-z0-9._-]*") && !run.contains(".."), "RUN is one folder name: '" + run + "'");
    }

    @Test
    void theMergeJobWaitsSuspendedUntilTheShardsHaveEnded() {
        assertEquals(Boolean.TRUE, merge.getSpec().getSuspend(),
                "the merge is created suspended and resumed after the shards Job has ended (Kubernetes has no Job-to-Job dependency)");
        assertEquals(1, merge.getSpec().getCompletions(), "one merge");
        assertNull(merge.getSpec().getCompletionMode(), "the merge is a plain Job");
        String text = readString(manifestOf(merge).file());
        assertTrue(text.contains("kubectl patch job " + merge.getMetadata().getName()) && text.contains("\"suspend\":false"),
                "merge-job.yaml says how to resume it");
        assertTrue(text.contains("job " + shards.getMetadata().getName()) && text.contains("@.type==\"Complete\"") && text.contains("@.type==\"Failed\""),
                "merge-job.yaml's wait accepts the shards Job's Complete and its Failed: a failed shard must not stop the merge");
    }

    @Test
    void theScenarioIsMountedWhereTheShardsLookForItAndIsOneSoaklabReads() {
        Container c = container(shards);
        String scenario = option(args(c), "--scenario");
        Volume volume = pod(shards).getVolumes().stream().filter(v -> v.getConfigMap() != null).findFirst()
                .orElseThrow(() -> new AssertionError("the shards mount the scenario's ConfigMap"));
        String key = under(mount(c, volume.getName()).getMountPath(), scenario, "--scenario");
        ConfigMapKeySelector ref = new ConfigMapKeySelector(key, volume.getConfigMap().getName(), false);
        String yaml = configMapValue(ref);
        var spec = Scenarios.parse(yaml, "ConfigMap " + ref.getName() + " key " + key);
        assertEquals(key.replaceFirst("\\.ya?ml$", ""), spec.name(), "the scenario's file is named after it");
        assertEquals(spec.name(), Scenarios.of(spec).name(), "soaklab makes a scenario of it");
        assertTrue(Scenarios.names().contains(spec.name()), "the example scenario is one of soaklab's built-ins");
    }

    @Test
    void theShardsServeTheirLiveMetricsOnTheirPodsPort() {
        Container c = container(shards);
        int port = Integer.parseInt(option(args(c), "--metrics-port"));
        assertTrue(c.getPorts().stream().anyMatch(p -> p.getContainerPort() == port), "the container declares port " + port);
        assertEquals("0.0.0.0", option(args(c), "--metrics-host"), "a Prometheus in another pod reaches the metrics (the default is loopback)");
    }

    @Test
    void everyContainerRequestsItsResources() {
        for (Job job : List.of(shards, merge)) {
            for (Container c : containersOf(job)) {
                String where = job.getMetadata().getName() + " container " + c.getName();
                assertNotNull(c.getResources(), where + " states its resources");
                Map<String, Quantity> requests = c.getResources().getRequests();
                assertNotNull(requests, where + " requests resources");
                assertNotNull(requests.get("cpu"), where + " requests CPU");
                assertNotNull(requests.get("memory"), where + " requests memory");
                Quantity limit = c.getResources().getLimits() == null ? null : c.getResources().getLimits().get("memory");
                assertNotNull(limit, where + " has a memory limit");
                assertTrue(Quantity.getAmountInBytes(limit).compareTo(Quantity.getAmountInBytes(requests.get("memory"))) >= 0,
                        where + ": the memory limit is at least the request");
            }
        }
        Map<String, Quantity> shard = container(shards).getResources().getRequests();
        assertEquals(0, shard.get("cpu").getNumericalAmount().compareTo(java.math.BigDecimal.valueOf(2)),
                "a shard is sized on the README's 2-core measurements: 2 cores");
        assertTrue(Quantity.getAmountInBytes(shard.get("memory")).compareTo(java.math.BigDecimal.valueOf(1_000_000_000L)) >= 0,
                "a shard requests at least the 0.9 GB its generator took at 800 arrivals/s");
        assertTrue(container(shards).getResources().getLimits().get("cpu") == null,
                "no CPU limit on a shard: a CPU quota's throttling would show as schedule lag");
    }

    @Test
    void theJobsRunAsANonRootUserWithNoPrivileges() {
        for (Job job : List.of(shards, merge)) {
            assertEquals(Boolean.TRUE, pod(job).getSecurityContext().getRunAsNonRoot(), job.getMetadata().getName() + " runs as non-root");
            assertTrue(pod(job).getSecurityContext().getRunAsUser() != null && pod(job).getSecurityContext().getRunAsUser() > 0,
                    job.getMetadata().getName() + " names its user");
            for (Container c : containersOf(job)) {
                assertEquals(Boolean.FALSE, c.getSecurityContext().getAllowPrivilegeEscalation(), job.getMetadata().getName() + " cannot escalate");
            }
        }
    }

    // --- soaklab's own command line -----------------------------------------------------------------------------------

    @Test
    void theShardsArgumentsAreOnesSoaklabRunAccepts() {
        CommandLine.ParseResult parsed = parse(shards);
        assertEquals("run", parsed.subcommand().commandSpec().name());
        Integer count = parsed.subcommand().matchedOptionValue("--shards", null);
        assertEquals(shards.getSpec().getCompletions(), count, "soaklab run reads --shards as the number of completions");
        assertEquals(option(args(container(shards)), "--api-key-env"), parsed.subcommand().matchedOptionValue("--api-key-env", null));
    }

    @Test
    void theMergeArgumentsAreOnesSoaklabMergeAccepts() {
        assertEquals("merge", parse(merge).subcommand().commandSpec().name());
    }

    /**
     * {@code job}'s arguments, as its container's would be on shard 0 (each $(VAR) expanded from the container's env), read
     * by soaklab's own command line with its converters (durations, APIs, amounts), as the launcher's jar would.
     */
    private static CommandLine.ParseResult parse(Job job) {
        Container c = container(job);
        List<String> args = args(c).stream().map(a -> expand(a, c, "0")).collect(Collectors.toList());
        try {
            CommandLine.ParseResult parsed = SoakLab.commandLine().parseArgs(args.toArray(new String[0]));
            assertTrue(parsed.hasSubcommand(), job.getMetadata().getName() + " names a soaklab command");
            return parsed;
        } catch (CommandLine.ParameterException e) {
            throw new AssertionError("soaklab does not accept " + job.getMetadata().getName() + "'s arguments " + args + ": " + e.getMessage(), e);
        }
    }

    // --- the image ----------------------------------------------------------------------------------------------------

    /** One instruction of the Dockerfile: its keyword and the rest, continuation lines joined. */
    record Instruction(String keyword, String rest) {
    }

    private static List<List<Instruction>> stages() {
        List<List<Instruction>> stages = new ArrayList<>();
        StringBuilder line = new StringBuilder();
        for (String raw : readString(DOCKERFILE).split("\n")) {
            String text = raw.strip();
            if (line.length() == 0 && (text.isEmpty() || text.startsWith("#"))) {
                continue;
            }
            if (text.endsWith("\\")) {
                line.append(text, 0, text.length() - 1).append(' ');
                continue;
            }
            line.append(text);
            String[] parts = line.toString().strip().split("\\s+", 2);
            line.setLength(0);
            Instruction instruction = new Instruction(parts[0].toUpperCase(java.util.Locale.ROOT), parts.length > 1 ? parts[1].strip() : "");
            if (instruction.keyword().equals("FROM")) {
                stages.add(new ArrayList<>());
            }
            assertFalse(stages.isEmpty(), "the Dockerfile starts with FROM");
            stages.get(stages.size() - 1).add(instruction);
        }
        assertTrue(stages.size() >= 2, "a build stage and a runtime stage");
        return stages;
    }

    private static List<String> all(List<Instruction> stage, String keyword) {
        return stage.stream().filter(i -> i.keyword().equals(keyword)).map(Instruction::rest).collect(Collectors.toList());
    }

    private static String last(List<Instruction> stage, String keyword) {
        List<String> found = all(stage, keyword);
        assertFalse(found.isEmpty(), "the runtime stage has " + keyword);
        return found.get(found.size() - 1);
    }

    @Test
    void theImageBuildsWithMavenOnAJdkAndRunsTheLauncherOnATemurin17JreAsANonRootUser() throws IOException {
        List<List<Instruction>> stages = stages();
        List<Instruction> build = stages.get(0);
        String builder = build.get(0).rest();
        assertTrue(builder.matches("maven:[^\\s]*eclipse-temurin-17[^\\s]*\\s+(?i:AS)\\s+\\S+"), "the build stage is Maven on a Temurin 17 JDK: " + builder);
        List<String> builds = all(build, "RUN");
        assertTrue(builds.stream().anyMatch(r -> r.matches("mvn -B -DskipTests package")), "the jar is built as DEVELOPERS.md says: " + builds);
        int firstPom = -1;
        int dependencies = -1;
        int firstSource = -1;
        for (int i = 0; i < build.size(); i++) {
            Instruction in = build.get(i);
            if (in.keyword().equals("COPY") && in.rest().split("\\s+")[0].endsWith("pom.xml") && firstPom < 0) {
                firstPom = i;
            } else if (in.keyword().equals("RUN") && in.rest().startsWith("mvn") && dependencies < 0) {
                dependencies = i;
            } else if (in.keyword().equals("COPY") && in.rest().contains("src") && firstSource < 0) {
                firstSource = i;
            }
        }
        assertTrue(firstPom >= 0 && firstPom < dependencies && dependencies < firstSource,
                "the poms are copied and the dependencies fetched before the sources: that layer is reused until a pom changes");

        List<Instruction> runtime = stages.get(stages.size() - 1);
        String base = runtime.get(0).rest();
        assertTrue(base.matches("eclipse-temurin:17[^\\s]*-jre[^\\s]*"), "the runtime is a Temurin 17 JRE: " + base);
        assertFalse(base.contains("alpine"), "the launcher is bash: an Ubuntu-based image has it, Alpine's does not");
        assertEquals("[\"/opt/soaklab/soaklab\"]", last(runtime, "ENTRYPOINT").replace(" ", ""), "the image runs the launcher, exec form");
        String user = last(runtime, "USER").split(":")[0];
        assertTrue(user.matches("[0-9]+") && Long.parseLong(user) > 0,
                "the image runs as a non-root user given by number (Kubernetes' runAsNonRoot checks only a number): USER " + user);
        assertEquals(String.valueOf(pod(shards).getSecurityContext().getRunAsUser()), user, "the pods run as the image's user");
        assertEquals("/results", last(runtime, "WORKDIR"), "runs write under /results, where the Jobs mount the results volume");

        List<String> ignored = readString(DOCKERIGNORE).lines().map(String::strip).filter(l -> !l.startsWith("#")).collect(Collectors.toList());
        assertTrue(ignored.contains(".git"), ".dockerignore leaves .git out of the build context");
        assertTrue(ignored.contains("**/target"), ".dockerignore leaves every module's target/ out");
        assertTrue(ignored.stream().anyMatch(l -> l.startsWith("results")), ".dockerignore leaves run folders out");
    }

    @Test
    void theLauncherInTheImageRunsTheJarWithoutTryingToRebuildIt(@TempDir Path tmp) throws Exception {
        Path image = imageLayout(tmp.resolve("image"));
        Path launcher = image.resolve("opt/soaklab/soaklab");
        Matcher jarPath = Pattern.compile("jar=\"\\$root/([^\"]+)\"").matcher(readString(LAUNCHER));
        assertTrue(jarPath.find(), "the launcher says where it runs the jar from");
        Path jar = image.resolve("opt/soaklab").resolve(jarPath.group(1));
        assertTrue(Files.isRegularFile(jar), "the image puts the jar where the launcher runs it: /opt/soaklab/" + jarPath.group(1));

        Launched ran = launch(tmp, launcher, "run", "--help");
        assertEquals("", ran.err(), "the launcher says nothing of building");
        assertEquals(0, ran.exit(), "the launcher runs java");
        assertEquals("java -jar " + launcher.getParent().resolve(jarPath.group(1)) + " run --help", ran.out().strip(),
                "the launcher runs the image's jar with the arguments it was given");

        // The same layout with a source beside the jar: the launcher then wants to rebuild, which shows the check above
        // exercised the launcher's stale() and did not pass by chance.
        Path source = image.resolve("opt/soaklab/benchmarks/src/main/java/Newer.java");
        Files.createDirectories(source.getParent());
        Files.writeString(source, "class Newer {}\n");
        Files.setLastModifiedTime(jar, FileTime.from(Instant.now().minusSeconds(3600)));
        Launched stale = launch(tmp, launcher, "run", "--help");
        assertEquals(1, stale.exit(), "with sources newer than the jar the launcher builds first (here: no Maven, so it stops)");
        assertTrue(stale.err().contains("Maven (mvn) is needed"), stale.err());
    }

    /** The runtime stage's files, laid out under {@code dir}: what it copies from the build stage is a stand-in jar. */
    private static Path imageLayout(Path dir) throws IOException {
        List<Instruction> runtime = stages().get(stages().size() - 1);
        for (String copy : all(runtime, "COPY")) {
            List<String> words = new ArrayList<>(List.of(copy.split("\\s+")));
            boolean fromBuild = words.removeIf(w -> w.startsWith("--from="));
            words.removeIf(w -> w.startsWith("--"));
            assertEquals(2, words.size(), "COPY of one file: " + copy);
            String to = words.get(1);
            assertTrue(to.startsWith("/opt/soaklab/"), "the runtime stage copies only into /opt/soaklab: " + copy);
            Path target = dir.resolve(to.substring(1));
            Files.createDirectories(target.getParent());
            if (fromBuild) {
                assertTrue(words.get(0).endsWith(".jar"), "the build stage gives the runtime its jar and nothing else: " + copy);
                Files.writeString(target, "a stand-in for the jar\n");
            } else {
                Path from = ROOT.resolve(words.get(0));
                assertTrue(Files.isRegularFile(from), "COPY of a file of the repository: " + copy);
                Files.copy(from, target);
            }
        }
        return dir;
    }

    record Launched(int exit, String out, String err) {
    }

    /** Runs the launcher with bash, a stand-in java that prints its arguments, and a PATH with no Maven on it. */
    private static Launched launch(Path tmp, Path launcher, String... args) throws Exception {
        Path javaHome = tmp.resolve("java-home");
        Path java = javaHome.resolve("bin/java");
        if (!Files.exists(java)) {
            Files.createDirectories(java.getParent());
            Files.writeString(java, "#!/bin/sh\necho java \"$@\"\n");
            Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        Path bin = tmp.resolve("bin"); // only the tools the launcher uses, so that no mvn is found
        if (!Files.exists(bin)) {
            Files.createDirectories(bin);
            for (String tool : List.of("dirname", "find", "head", "mktemp", "grep", "rm")) {
                Path found = Stream.of("/usr/bin", "/bin").map(d -> Path.of(d, tool)).filter(Files::isExecutable).findFirst()
                        .orElseThrow(() -> new AssertionError("this machine has no " + tool));
                Files.createSymbolicLink(bin.resolve(tool), found);
            }
        }
        Path bash = Stream.of("/bin/bash", "/usr/bin/bash").map(Path::of).filter(Files::isExecutable).findFirst()
                .orElseThrow(() -> new AssertionError("the launcher is a bash script: this machine has no bash"));
        List<String> command = new ArrayList<>(List.of(bash.toString(), launcher.toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(tmp.toFile());
        pb.environment().clear();
        pb.environment().putAll(new LinkedHashMap<>(Map.of("PATH", bin.toString(), "JAVA_HOME", javaHome.toString(), "HOME", tmp.toString())));
        Path out = tmp.resolve("out.txt");
        Path err = tmp.resolve("err.txt");
        pb.redirectOutput(out.toFile()).redirectError(err.toFile());
        Process p = pb.start();
        try {
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the launcher ends");
        } finally {
            p.destroyForcibly();
        }
        return new Launched(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    private static String readString(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new AssertionError("cannot read " + file.toAbsolutePath() + ": " + e.getMessage(), e);
        }
    }
}
