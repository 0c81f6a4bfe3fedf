package dev.ovserve.server.api;

import static dev.ovserve.server.api.ApiAssertions.assertBadRequest;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ContextWindowTest {
    @Test
    void absentMaxTakesTheDefaultCutToTheRoomLeft() {
        assertEquals(16, ContextWindow.maxTokens(10, null, 16, 100, "prompt"));
        assertEquals(5, ContextWindow.maxTokens(95, null, 16, 100, "prompt"));
        assertEquals(90, ContextWindow.maxTokens(10, null, Integer.MAX_VALUE, 100, "messages"));
    }

    @Test
    void explicitMaxMustFit() {
        assertEquals(90, ContextWindow.maxTokens(10, 90, 16, 100, "prompt"));
        assertBadRequest("prompt", "context_length_exceeded", () -> ContextWindow.maxTokens(10, 91, 16, 100, "prompt"));
        assertBadRequest("messages", "context_length_exceeded",
                () -> ContextWindow.maxTokens(10, Integer.MAX_VALUE, 16, 100, "messages"));
    }

    @Test
    void promptMustLeaveRoomForOneToken() {
        assertEquals(1, ContextWindow.maxTokens(99, null, 16, 100, "prompt"));
        assertBadRequest("prompt", "context_length_exceeded", () -> ContextWindow.maxTokens(100, null, 16, 100, "prompt"));
        assertBadRequest("messages", "context_length_exceeded", () -> ContextWindow.maxTokens(5000, 1, 16, 100, "messages"));
    }
}
