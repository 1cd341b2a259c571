package io.soaklab.internal.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --start-at}: one instant for every shard, given or decided by the first to come. */
class StartAtTest {

    @TempDir
    Path dir;

    static final Instant NOW = Instant.parse("2026-12-03T05:00:00Z");

    @Test
    void anInstantOrATimeFromNow() {
        assertEquals(Instant.parse("2026-12-03T06:30:00Z"), StartAt.resolve("2026-12-03T06:30:00Z", NOW));
        assertEquals(NOW.plusSeconds(90), StartAt.resolve("+90s", NOW));
        assertEquals(NOW.plusSeconds(120), StartAt.resolve(" +2m ", NOW));
    }

    @Test
    void theFirstShardToComeWritesTheStartAndEveryLaterOneReadsIt() throws Exception {
        Path file = dir.resolve("soak/start-at");
        Instant first = StartAt.resolve("+2m@" + file, NOW);
        assertEquals(NOW.plusSeconds(120), first);
        assertEquals(first, StartAt.resolve("+2m@" + file, NOW.plusSeconds(37)), "a later shard takes the first one's start, not its own");
        assertEquals(first + "\n", Files.readString(file));
        try (var left = Files.list(file.getParent())) {
            assertEquals(1, left.count(), "no draft left beside it");
        }
    }

    @Test
    void shardsRacingForTheFileAllGetOneStart() throws Exception {
        Path file = dir.resolve("race");
        int shards = 16;
        ExecutorService pool = Executors.newFixedThreadPool(shards);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Instant>> starts = new ArrayList<>();
            for (int i = 0; i < shards; i++) {
                Instant own = NOW.plusMillis(i); // each would pick its own, were it first
                starts.add(pool.submit(() -> {
                    go.await();
                    return StartAt.resolve("+60s@" + file, own);
                }));
            }
            go.countDown();
            Set<Instant> seen = new HashSet<>();
            for (Future<Instant> f : starts) {
                seen.add(f.get());
            }
            assertEquals(1, seen.size(), "one start for all: " + seen);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void badStartsAreOneLineEach() throws Exception {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> StartAt.resolve("tomorrow", NOW));
        assertTrue(e.getMessage().startsWith("--start-at 'tomorrow': write an instant"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> StartAt.resolve("+soon", NOW));
        assertTrue(e.getMessage().startsWith("--start-at '+soon': "), e.getMessage());
        Path damaged = dir.resolve("damaged");
        Files.writeString(damaged, "not a time\n");
        e = assertThrows(IllegalArgumentException.class, () -> StartAt.resolve("+1m@" + damaged, NOW));
        assertTrue(e.getMessage().contains("holds 'not a time', not an instant"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> StartAt.resolve("+1m@", NOW));
        assertTrue(e.getMessage().contains("name the file after @"), e.getMessage());
    }
}
