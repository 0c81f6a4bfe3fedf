package dev.ovserve.server.http;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every open connection, for {@code --max-connections}: over the limit, an idle one makes room —
 * first the longest-idle of those that never sent a request (what a socket flood leaves), then the
 * longest-idle keep-alive connection, whose client may be about to reuse it.
 */
final class Connections {
    private final int max;
    private final Set<ConnectionGuard> open = ConcurrentHashMap.newKeySet();

    Connections(int max) {
        this.max = max;
    }

    /** Registers a new connection; false when it must be refused (at the limit and none idle to close). */
    boolean admit(ConnectionGuard guard) {
        open.add(guard);
        if (open.size() <= max) {
            return true;
        }
        while (true) { // connections arrive on several event loops at once: if another took this victim, look again
            ConnectionGuard oldest = null;
            long oldestSince = Long.MAX_VALUE;
            boolean oldestUsed = true;
            for (ConnectionGuard g : open) {
                long since = g.idleSince;
                boolean used = g.used;
                if (g != guard && since != 0 && (oldest == null || oldestUsed && !used || oldestUsed == used && since < oldestSince)) {
                    oldest = g;
                    oldestSince = since;
                    oldestUsed = used;
                }
            }
            if (oldest == null) {
                open.remove(guard);
                return false;
            }
            if (open.remove(oldest)) {
                oldest.close();
                return true;
            }
        }
    }

    void remove(ConnectionGuard guard) {
        open.remove(guard);
    }

    int size() {
        return open.size();
    }
}
