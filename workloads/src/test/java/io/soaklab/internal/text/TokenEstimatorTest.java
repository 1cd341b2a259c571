package io.soaklab.internal.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Local token counts: the encoding each model uses, and chat framing. */
class TokenEstimatorTest {

    @Test
    void eachModelIsCountedInItsOwnEncoding() {
        for (String m : List.of("gpt-4", "gpt-4-turbo", "gpt-4-0613", "gpt-4-32k", "gpt-3.5-turbo", "openai/gpt-4", "text-embedding-3-small",
                "text-embedding-ada-002")) {
            assertEquals("cl100k_base", TokenEstimator.forModel(m).encoding(), m);
        }
        for (String m : List.of("gpt-4o", "gpt-4o-mini", "gpt-4.1-mini", "o3", "gpt-5", "llama-3.1-70b", "claude-sonnet-4-5")) {
            assertEquals("o200k_base", TokenEstimator.forModel(m).encoding(), m);
        }
        assertEquals("o200k_base", TokenEstimator.forModel(null).encoding(), "a client that names no model");
    }

    @Test
    void theEncodingsCountDifferentlyAndChatFramingIsOpenAisRule() {
        String text = "Die Zusammenarbeit zwischen künstlicher Intelligenz und Menschen verändert Softwareentwicklung grundlegend.";
        assertNotEquals(TokenEstimator.forModel("gpt-4").tokens(text), TokenEstimator.forModel("gpt-4o").tokens(text));
        TokenEstimator o200k = TokenEstimator.forModel("gpt-4o");
        String words = SyntheticText.words(new SplittableRandom(3), 250);
        assertEquals(250, o200k.tokens(words), "synthetic text is one token a word");
        assertEquals(3 + (4 + 250) + (4 + 250), o200k.chat(List.of(words, words)));
        assertEquals(o200k.chat(List.of(words)), TokenEstimator.countChat(List.of(words)));
    }
}
