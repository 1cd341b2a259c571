package io.soaklab.internal.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.soaklab.protocol.CallResult;
import io.soaklab.protocol.ErrorClass;
import io.soaklab.protocol.Message;
import io.soaklab.protocol.ToolCall;
import io.soaklab.protocol.Usage;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** A call's prompt and reply in the GenAI conventions' message JSON, under 16 KB each and always valid JSON. */
class ContentTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aConversationIsMessagesOfParts() throws Exception {
        Content.Json in = Content.input(List.of(Message.system("Be brief."), Message.user("Grep for TODO."),
                Message.assistant("", List.of(new ToolCall("call_1", "grep", "{\"pattern\":\"TODO\"}"))),
                Message.toolResult("call_1", "3 matches", false)));
        assertEquals(0, in.leftOut());
        assertFalse(in.cut());
        JsonNode messages = JSON.readTree(in.text());
        assertEquals(4, messages.size());
        assertEquals("system", messages.get(0).get("role").asText());
        assertEquals("text", messages.get(0).get("parts").get(0).get("type").asText());
        assertEquals("Be brief.", messages.get(0).get("parts").get(0).get("content").asText());
        JsonNode call = messages.get(2).get("parts").get(0);
        assertEquals("tool_call", call.get("type").asText());
        assertEquals("grep", call.get("name").asText());
        assertEquals("call_1", call.get("id").asText());
        JsonNode result = messages.get(3).get("parts").get(0);
        assertEquals("tool", messages.get(3).get("role").asText());
        assertEquals("tool_call_response", result.get("type").asText());
        assertEquals("3 matches", result.get("response").asText());
    }

    @Test
    void aLongConversationLosesItsOldestMessagesFirstAndATooLongTextIsCut() throws Exception {
        List<Message> turns = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            turns.add(Message.user("turn " + i + " " + "x".repeat(1000)));
        }
        Content.Json in = Content.input(turns);
        assertTrue(in.text().length() <= Content.CAP, "at most 16 KB: " + in.text().length());
        JsonNode kept = JSON.readTree(in.text());
        assertEquals(40 - in.leftOut(), kept.size());
        assertTrue(in.leftOut() >= 24, "about sixteen 1 KB turns fit: " + in.leftOut());
        assertTrue(kept.get(kept.size() - 1).get("parts").get(0).get("content").asText().startsWith("turn 39 "), "the newest is kept");

        Content.Json huge = Content.input(List.of(Message.user("y".repeat(100_000))));
        assertTrue(huge.cut());
        assertTrue(huge.text().length() <= Content.CAP, "at most 16 KB: " + huge.text().length());
        assertTrue(JSON.readTree(huge.text()).get(0).get("parts").get(0).get("content").asText().endsWith("... (truncated)"));
    }

    @Test
    void aReplyIsOneAssistantMessageWithWhyItStopped() throws Exception {
        CallResult r = new CallResult(0, 0, -1, 1, 2, 3, 200, ErrorClass.OK, null, Usage.NONE, "Looking.", 2, 0, 0, "tool_calls", "req_1",
                List.of(new ToolCall("call_9", "read_file", "{\"path\":\"a\"}")), -1, null, -1, "", 48, -1, Set.of());
        JsonNode out = JSON.readTree(Content.output(r).text());
        assertEquals(1, out.size());
        assertEquals("assistant", out.get(0).get("role").asText());
        assertEquals("tool_calls", out.get(0).get("finish_reason").asText());
        assertEquals("Looking.", out.get(0).get("parts").get(0).get("content").asText());
        assertEquals("read_file", out.get(0).get("parts").get(1).get("name").asText());
    }
}
