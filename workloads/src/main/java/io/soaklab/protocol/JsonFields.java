package io.soaklab.protocol;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;

/**
 * How the client reads the JSON a server sends (events, whole replies, error bodies): with
 * Jackson's streaming parser, one object at a time, field by field, through the one loop
 * {@link #eachField}.
 */
final class JsonFields {

    private JsonFields() {
    }

    /** Reads one field of a JSON object; the parser stands on the field's value, {@code value}. */
    @FunctionalInterface
    interface FieldReader {
        void field(JsonParser p, String name, JsonToken value) throws IOException;
    }

    /**
     * A reader of a reply's objects that also tells whether one carried generated content (text,
     * reasoning, a tool call): its {@link #field} sets {@link #content}. Kept in a field by its
     * owner, like any {@link FieldReader}.
     */
    abstract static class ContentReader implements FieldReader {

        /** Set by {@link #field} when the field carried generated content. */
        protected boolean content;

        /** Reads the object whose first token is {@code value} ({@link #eachField}); true when one of its fields carried content. */
        final boolean read(JsonParser p, JsonToken value) throws IOException {
            content = false;
            eachField(p, value, this);
            return content;
        }
    }

    /**
     * Reads the object whose first token is {@code value} field by field, each handed to {@code reader}
     * (kept in a field by the caller: nothing is allocated per object); anything but an object is
     * skipped, and so is a field's object or array its reader did not read (a member of another shape
     * than the reader expects, e.g. {@code "choices":{}}): its insides are never taken for the outer
     * object's fields. The one loop every reader of a reply's objects goes through.
     *
     * @return false when the value was not an object
     */
    static boolean eachField(JsonParser p, JsonToken value, FieldReader reader) throws IOException {
        if (value != JsonToken.START_OBJECT) {
            p.skipChildren();
            return false;
        }
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken token = p.nextToken();
            reader.field(p, name, token);
            if (p.currentToken() == token && (token == JsonToken.START_OBJECT || token == JsonToken.START_ARRAY)) {
                p.skipChildren(); // the reader left it unread
            }
        }
        return true;
    }

    /**
     * Reads an event's data as one JSON object, field by field; data that is not an object is
     * reported to {@code outcome} as malformed ("{@code what} is not a JSON object").
     *
     * @return false when it was not an object
     */
    static boolean eachField(SseParser.Event event, String what, FieldReader reader, OutcomeClassifier outcome) throws IOException {
        try (JsonParser p = StreamingClient.JSON.createParser(event.data(), 0, event.dataLength())) {
            JsonToken first = p.nextToken();
            if (first != JsonToken.START_OBJECT) {
                outcome.malformed(what + " is not a JSON object: " + event.dataAsString());
                return false;
            }
            return eachField(p, first, reader);
        }
    }

    /** The integer at the parser ({@code value} its token), else {@code otherwise}. */
    static long longOr(JsonParser p, JsonToken value, long otherwise) throws IOException {
        return value == JsonToken.VALUE_NUMBER_INT ? p.getLongValue() : otherwise;
    }

    /** The number field {@code name} of the object at the parser ({@code value} its first token), else {@code otherwise}. */
    static long numberIn(JsonParser p, JsonToken value, String name, long otherwise) throws IOException {
        if (value != JsonToken.START_OBJECT) {
            p.skipChildren();
            return otherwise;
        }
        long found = otherwise;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken v = p.nextToken();
            if (field.equals(name)) {
                found = longOr(p, v, otherwise);
            } else {
                p.skipChildren();
            }
        }
        return found;
    }
}
