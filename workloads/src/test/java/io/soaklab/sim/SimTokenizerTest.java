package io.soaklab.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.soaklab.internal.text.SyntheticText;
import io.soaklab.internal.text.TokenEstimator;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SimTokenizerTest {

    @Test
    void exactForSyntheticText() {
        for (int n : new int[] {0, 1, 99, 4000}) {
            assertEquals(n, SimTokenizer.count(SyntheticText.words(new SplittableRandom(n), n)));
        }
    }

    @Test
    void rulesForDigitsWhitespaceAndSymbols() {
        assertEquals(1, SimTokenizer.count("123"));
        assertEquals(2, SimTokenizer.count("1234"));
        assertEquals(1, SimTokenizer.count("\n\n  "));
        assertEquals(3, SimTokenizer.count("a+b"));
        assertEquals(2, SimTokenizer.count("internationalization"), "20 letters: two tokens");
        assertEquals(2, SimTokenizer.count("日本"));
    }

    @Test
    void closeToARealEncodingOnOrdinaryText() {
        String text = """
                The quick brown fox jumps over the lazy dog. In 2024, the team shipped version 3.2 of the
                service; latency dropped by 40% after they cached the index. def load(path): return open(path).read()
                for (int i = 0; i < n; i++) { total += values[i]; } // sum the values
                Performance engineers run soaks overnight to see what degrades over hours, not minutes.
                """;
        double ratio = (double) SimTokenizer.count(text) / TokenEstimator.count(text);
        assertTrue(ratio > 0.8 && ratio < 1.25, "sim/o200k token ratio " + ratio);
    }
}
