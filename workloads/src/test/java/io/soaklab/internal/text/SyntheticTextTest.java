package io.soaklab.internal.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SyntheticTextTest {

    @Test
    void everyWordIsOneTokenInARealBpeEncoding() {
        for (int i = 0; i < SyntheticText.vocabularySize(); i++) {
            assertEquals(1, TokenEstimator.count(SyntheticText.word(i)), "'" + SyntheticText.word(i) + "'");
        }
    }

    @Test
    void nWordsAreNTokens() {
        for (int n : new int[] {1, 10, 777, 5000}) {
            assertEquals(n, TokenEstimator.count(SyntheticText.words(new SplittableRandom(n), n)));
        }
    }

    @Test
    void theSameSeedGivesTheSameText() {
        assertEquals(SyntheticText.words(new SplittableRandom(3), 50), SyntheticText.words(new SplittableRandom(3), 50));
        assertNotEquals(SyntheticText.words(new SplittableRandom(3), 50), SyntheticText.words(new SplittableRandom(4), 50));
    }

    @Test
    void chatFramingAddsFourTokensPerMessageAndThreePerRequest() {
        assertEquals(3 + (4 + 2) + (4 + 3), TokenEstimator.countChat(List.of(" the data", " run the test")));
    }
}
