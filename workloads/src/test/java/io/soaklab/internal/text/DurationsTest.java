package io.soaklab.internal.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DurationsTest {

    @Test
    void readsTheUnitsPeopleWrite() {
        assertEquals(Duration.ofMillis(500), Durations.parse("500ms"));
        assertEquals(Duration.ofSeconds(20), Durations.parse("20s"));
        assertEquals(Duration.ofMinutes(30), Durations.parse("30m"));
        assertEquals(Duration.ofHours(8), Durations.parse("8h"));
        assertEquals(Duration.ofDays(2), Durations.parse("2d"));
        assertEquals(Duration.ofMinutes(90), Durations.parse("1h30m"));
        assertEquals(Duration.ofMillis(61_500), Durations.parse(" 1m1s500ms "));
    }

    @Test
    void writesWhatItReads() {
        for (String s : new String[] {"0s", "250ms", "20s", "1h30m", "1m1s500ms", "2d3h"}) {
            assertEquals(s, Durations.format(Durations.parse(s)));
        }
    }

    @Test
    void refusesWithAMessageSayingWhatToWrite() {
        assertEquals("duration '30' has no unit: write 30s, 30m or 30h",
                assertThrows(IllegalArgumentException.class, () -> Durations.parse("30")).getMessage());
        assertEquals("invalid duration '10x': use e.g. 500ms, 20s, 30m, 8h or 1h30m",
                assertThrows(IllegalArgumentException.class, () -> Durations.parse("10x")).getMessage());
        assertThrows(IllegalArgumentException.class, () -> Durations.parse("-5s"));
        assertThrows(IllegalArgumentException.class, () -> Durations.parse(""));
        assertThrows(IllegalArgumentException.class, () -> Durations.parse("1h30"));
    }
}
