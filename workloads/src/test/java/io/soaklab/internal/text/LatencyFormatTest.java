package io.soaklab.internal.text;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** One latency formatter, a style per use: the console's dense line, the report's figures, the findings' sentences. */
class LatencyFormatTest {

    @Test
    void theConsoleLineIsDenseAndSaysDashForNone() {
        assertEquals("0.49ms", Latency.CONSOLE.micros(490));
        assertEquals("43ms", Latency.CONSOLE.micros(43_200));
        assertEquals("1.20s", Latency.CONSOLE.micros(1_200_000));
        assertEquals("125.00s", Latency.CONSOLE.micros(125_000_000), "seconds, however long");
        assertEquals("-", Latency.CONSOLE.micros(-1), "a window without the figure");
    }

    @Test
    void theReportClimbsFromMicrosecondsToMinutes() {
        assertEquals("850 µs", Latency.REPORT.micros(850));
        assertEquals("45.2 ms", Latency.REPORT.micros(45_200));
        assertEquals("312 ms", Latency.REPORT.micros(312_400));
        assertEquals("1.24 s", Latency.REPORT.micros(1_240_000));
        assertEquals("119.99 s", Latency.REPORT.micros(119_990_000));
        assertEquals("3.5 min", Latency.REPORT.micros(210_000_000));
    }

    @Test
    void sentencesQuoteWholeMillisecondsOrSecondsToTwoDecimals() {
        assertEquals("0 ms", Latency.PROSE.millis(0.49));
        assertEquals("45 ms", Latency.PROSE.millis(45.2));
        assertEquals("313 ms", Latency.PROSE.millis(312.5), "half up, as String.format rounds");
        assertEquals("1.20 s", Latency.PROSE.millis(1_200));
        assertEquals("125.00 s", Latency.PROSE.millis(125_000), "no minutes in a sentence");
    }
}
