package dev.ovserve.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Which connection makes room over --max-connections (the guards here have no channel: close() is a no-op). */
class ConnectionsEvictionTest {
    private static ConnectionGuard idle(Connections registry, long since, boolean used) {
        ConnectionGuard g = new ConnectionGuard(registry, Limits.DEFAULT);
        g.idleSince = since;
        g.used = used;
        assertTrue(registry.admit(g));
        return g;
    }

    @Test
    void aNeverUsedSocketMakesRoomBeforeAnOlderKeepAliveConnection() {
        Connections registry = new Connections(2);
        ConnectionGuard keepAlive = idle(registry, 100, true); // idle longest, but a client may reuse it
        ConnectionGuard flood = idle(registry, 200, false);
        ConnectionGuard next = new ConnectionGuard(registry, Limits.DEFAULT);
        next.idleSince = 300;
        assertTrue(registry.admit(next));
        assertEquals(2, registry.size());
        registry.remove(keepAlive); // still registered: removing it leaves only the newcomer
        assertEquals(1, registry.size(), "the never-used socket was the one closed");
        registry.remove(flood);
        assertEquals(1, registry.size());
    }

    @Test
    void withOnlyKeepAliveConnectionsTheLongestIdleGoesAndBusyOnesAreNeverClosed() {
        Connections registry = new Connections(2);
        ConnectionGuard older = idle(registry, 100, true);
        ConnectionGuard busy = idle(registry, 0, true); // answering a request: not idle
        ConnectionGuard next = new ConnectionGuard(registry, Limits.DEFAULT);
        next.idleSince = 300;
        assertTrue(registry.admit(next));
        registry.remove(busy);
        registry.remove(next);
        assertEquals(0, registry.size(), "the older idle connection was the one closed");

        Connections full = new Connections(1);
        idle(full, 0, true);
        assertFalse(full.admit(new ConnectionGuard(full, Limits.DEFAULT)), "nothing idle to close: refused");
        assertEquals(1, full.size());
    }
}
