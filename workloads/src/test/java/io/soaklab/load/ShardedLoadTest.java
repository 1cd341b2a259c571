package io.soaklab.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.soaklab.internal.layout.RunFile;
import io.soaklab.internal.resilience.Resilience;
import io.soaklab.scenario.Scenario;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Shards of one soak, on as many machines, run the load one machine would: each arrival of the
 * open load's schedule exactly once, each user of the closed load once, numbered and timed as on
 * one machine, when they share a start.
 */
class ShardedLoadTest {

    @TempDir
    Path dir;

    /** Episodes that call no model and take 20 ms: only the schedule is under test. */
    static final Scenario WAIT = Lab.code("wait", e -> Thread.sleep(20));

    @Test
    void theShardsOfAnOpenLoadRunEveryArrivalOfOneScheduleOnceAtItsTime() throws Exception {
        String spec = "poisson:150/s";
        int arrivals = 120; // under a second of the schedule
        long seed = 42;
        long[] offsets = new long[arrivals];
        Arrivals.Schedule plan = Arrivals.parse(spec).schedule(seed);
        for (int k = 0; k < arrivals; k++) {
            offsets[k] = plan.next();
        }
        int shards = 3;
        List<Lab> labs = new ArrayList<>();
        List<OpenLoad> loads = new ArrayList<>();
        try {
            for (int i = 0; i <= shards; i++) { // shards 0..2, and the whole load on one "machine"
                Lab lab = new Lab(dir.resolve(i < shards ? "shard-" + i : "whole"), Lab.fast(1000, 1).build(), WAIT, Resilience.none());
                labs.add(lab);
                loads.add(i < shards ? new OpenLoad(lab.runner, Arrivals.parse(spec), 1000, seed, i, shards)
                        : new OpenLoad(lab.runner, Arrivals.parse(spec), 1000, seed));
            }
            long start = System.nanoTime() + Duration.ofMillis(100).toNanos(); // the same instant for every shard
            loads.forEach(l -> l.start(start));
            // the compared part of the schedule has run, on one machine and on the shards (the files are flushed every second)
            await(() -> ended(labs.subList(shards, shards + 1), arrivals) >= arrivals && ended(labs.subList(0, shards), arrivals) >= arrivals);
            for (OpenLoad l : loads) {
                l.stop();
                l.awaitStopped(5000);
            }
            Map<Long, Integer> shardOf = new HashMap<>();
            for (int i = 0; i <= shards; i++) {
                Lab lab = labs.get(i);
                for (JsonNode e : lab.lines(RunFile.EPISODES.fileName())) {
                    long k = e.get("episode").asLong();
                    if (k >= arrivals) {
                        continue; // past the part of the schedule compared
                    }
                    long expected = lab.recorder.timeBase().epochMicros(start + offsets[(int) k]);
                    assertEquals(expected, e.get("intended_us").asLong(), (i < shards ? "shard " + i : "the whole load") + ", arrival " + k
                            + ": intended at its place in the one schedule");
                    assertEquals(0, e.get("user").asLong());
                    if (i < shards) {
                        assertEquals(k % shards, i, "arrival " + k + " is shard " + (k % shards) + "'s, not " + i + "'s");
                        Integer before = shardOf.put(k, i);
                        assertEquals(null, before, "arrival " + k + " ran once, not in shards " + before + " and " + i);
                    }
                }
            }
            // every arrival ran on some shard (an episode is recorded when it ends: all of them have, the stop waited)
            for (long k = 0; k < arrivals; k++) {
                assertTrue(shardOf.containsKey(k), "arrival " + k + " ran on a shard");
            }
        } finally {
            for (Lab lab : labs) {
                lab.close();
            }
        }
    }

    @Test
    void theShardsOfAClosedLoadRunEachUserOnceStartedAtItsPlaceInTheRampUp() throws Exception {
        int users = 5;
        int shards = 2;
        Duration rampUp = Duration.ofMillis(400);
        List<Lab> labs = new ArrayList<>();
        List<ClosedLoad> loads = new ArrayList<>();
        try {
            for (int i = 0; i < shards; i++) {
                Lab lab = new Lab(dir.resolve("shard-" + i), Lab.fast(1000, 1).build(), WAIT, Resilience.none());
                labs.add(lab);
                loads.add(new ClosedLoad(lab.runner, users, Duration.ofMillis(30), rampUp, Duration.ZERO, i, shards));
            }
            assertEquals(3, loads.get(0).users(), "shard 0 runs users 0, 2 and 4");
            assertEquals(2, loads.get(1).users(), "shard 1 runs users 1 and 3");
            long start = System.nanoTime() + Duration.ofMillis(100).toNanos();
            loads.forEach(l -> l.start(start));
            // every user's first episode is on record (the files are flushed every second)
            await(() -> labs.stream().mapToLong(l -> l.peek(RunFile.EPISODES.fileName()).stream()
                    .filter(e -> e.get("episode").asLong() == 0).count()).sum() >= users);
            for (ClosedLoad l : loads) {
                l.stop();
                l.awaitStopped(5000);
            }
            Map<Long, Integer> shardOf = new HashMap<>();
            for (int i = 0; i < shards; i++) {
                Lab lab = labs.get(i);
                for (JsonNode e : lab.lines(RunFile.EPISODES.fileName())) {
                    long user = e.get("user").asLong();
                    assertEquals(user % shards, i, "user " + user + " is shard " + (user % shards) + "'s");
                    Integer before = shardOf.put(user, i);
                    assertTrue(before == null || before == i, "user " + user + " ran on shards " + before + " and " + i);
                    if (e.get("episode").asLong() == 0) {
                        assertEquals(lab.recorder.timeBase().epochMicros(start + rampUp.toNanos() * user / users), e.get("intended_us").asLong(),
                                "user " + user + "'s first episode, at its place in the whole soak's ramp-up");
                    }
                }
            }
            assertEquals(users, shardOf.size(), "every user ran: " + shardOf);
        } finally {
            loads.forEach(ClosedLoad::stop);
            for (Lab lab : labs) {
                lab.close();
            }
        }
    }

    /** Episodes numbered under {@code below} on record in {@code labs}' files so far. */
    private static long ended(List<Lab> labs, int below) {
        return labs.stream().mapToLong(l -> l.peek(RunFile.EPISODES.fileName()).stream().filter(e -> e.get("episode").asLong() < below).count())
                .sum();
    }

    private static void await(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "the load got there within a minute");
            Thread.sleep(10);
        }
    }
}
