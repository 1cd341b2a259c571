package io.soaklab.scenario;

import io.soaklab.protocol.ChatRequest;
import java.time.Duration;

/**
 * One model call of a session.
 *
 * @param index   0 for the session's first call
 * @param request what to send
 * @param pause   time between the previous call's end and this call's intended start (tool
 *                execution, thinking); zero for the first step
 */
public record Step(int index, ChatRequest request, Duration pause) {
}
