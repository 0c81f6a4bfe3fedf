package dev.ovserve.server.http;

import dev.ovserve.server.api.ApiException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One per connection, first in the pipeline (it sees raw bytes): counts the connection against
 * {@code --max-connections}, and closes it when a request's headers or body take too long or
 * when it sits idle. Over the limit, an idle connection (no request being read or answered) is
 * closed to make room; if none is idle, the new one gets a 503 and is closed. A {@link #tap()}
 * after the HTTP decoder tells it where requests end; {@link ApiHandler} tells it while it is
 * answering. All state is confined to the connection's event loop except {@link #idleSince},
 * which other connections read to pick one to evict.
 */
final class ConnectionGuard extends ChannelDuplexHandler {
    private final Connections registry;
    private final Limits limits;
    private ChannelHandlerContext ctx;
    private ScheduledFuture<?> ticker;
    private boolean midRequest;
    private boolean headersDone;
    private long requestStartNanos;
    private int answering;
    /** System.nanoTime() since which the connection has been idle, or 0 while it is not. Read by other threads. */
    volatile long idleSince;
    /** True once a request has begun here: a keep-alive client's connection, evicted only after never-used ones. */
    volatile boolean used;

    ConnectionGuard(Connections registry, Limits limits) {
        this.registry = registry;
        this.limits = limits;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        this.ctx = ctx;
        idleSince = System.nanoTime();
        if (!registry.admit(this)) {
            refuse(ctx, 503, "Service Unavailable", new ApiException(503, ApiException.SERVER_ERROR, null, "too_many_connections",
                    "The server has too many open connections (--max-connections " + limits.maxConnections() + "); retry shortly."));
            return;
        }
        long period = Math.max(100, Math.min(1000, TimeUnit.SECONDS.toMillis(limits.headerTimeoutSeconds()) / 4));
        ticker = ctx.executor().scheduleAtFixedRate(this::tick, period, period, TimeUnit.MILLISECONDS);
        super.channelActive(ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (ticker != null) {
            ticker.cancel(false);
        }
        registry.remove(this);
        super.channelInactive(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (msg instanceof ByteBuf b && b.isReadable() && !midRequest) {
            midRequest = true;
            used = true;
            headersDone = false;
            requestStartNanos = System.nanoTime();
            refreshIdle();
        }
        super.channelRead(ctx, msg);
    }

    /** Called by the handler: a request is being answered (true) or its answer is done (false). */
    void answering(boolean on) {
        answering += on ? 1 : -1;
        refreshIdle();
    }

    void close() {
        if (ctx != null) {
            ctx.channel().close();
        }
    }

    private void refreshIdle() {
        boolean idle = !midRequest && answering == 0;
        if (!idle) {
            idleSince = 0;
        } else if (idleSince == 0) {
            idleSince = System.nanoTime();
        }
    }

    private void tick() {
        long now = System.nanoTime();
        if (midRequest) {
            long elapsed = now - requestStartNanos;
            if (!headersDone && elapsed > TimeUnit.SECONDS.toNanos(limits.headerTimeoutSeconds())) {
                timeout("The request headers did not arrive within " + limits.headerTimeoutSeconds() + " s (--header-timeout).");
            } else if (elapsed > TimeUnit.SECONDS.toNanos(limits.bodyTimeoutSeconds())) {
                timeout("The request did not arrive within " + limits.bodyTimeoutSeconds() + " s (--body-timeout).");
            }
        } else {
            long since = idleSince;
            if (since != 0 && now - since > TimeUnit.SECONDS.toNanos(limits.idleTimeoutSeconds())) {
                ctx.channel().close();
            }
        }
    }

    private void timeout(String message) {
        if (answering > 0) {
            ctx.channel().close(); // a response is on the wire: a 408 cannot go in front of it
        } else {
            refuse(ctx, 408, "Request Timeout", new ApiException(408, ApiException.INVALID_REQUEST, null, "request_timeout", message));
        }
    }

    /** Writes a whole response below the HTTP codec (raw bytes) and closes. */
    private static void refuse(ChannelHandlerContext ctx, int status, String reason, ApiException e) {
        byte[] body = e.toJson();
        String head = "HTTP/1.1 " + status + " " + reason + "\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: "
                + body.length + "\r\nconnection: close\r\n" + (status == 503 ? "retry-after: 1\r\n" : "") + "\r\n";
        ctx.writeAndFlush(Unpooled.wrappedBuffer(head.getBytes(StandardCharsets.US_ASCII), body))
                .addListener(ChannelFutureListener.CLOSE);
    }

    /** Placed after the HTTP decoder: marks where a request's headers and body end. */
    ChannelInboundHandlerAdapter tap() {
        return new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext c, Object msg) {
                boolean last = msg instanceof LastHttpContent;
                if (msg instanceof HttpRequest) {
                    headersDone = true;
                }
                c.fireChannelRead(msg);
                if (last) {
                    midRequest = false; // the next bytes start the next request
                    refreshIdle();
                }
            }
        };
    }
}
