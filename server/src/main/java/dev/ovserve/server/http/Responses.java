package dev.ovserve.server.http;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;

/** Whole (non-streaming) responses. */
final class Responses {
    private Responses() {}

    static void json(ChannelHandlerContext ctx, boolean keepAlive, HttpResponseStatus status, String body) {
        send(ctx, keepAlive, status, "application/json", body, null);
    }

    static void send(ChannelHandlerContext ctx, boolean keepAlive, HttpResponseStatus status, String contentType, String body,
                     Integer retryAfterSeconds) {
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType + "; charset=utf-8");
        r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, r.content().readableBytes());
        if (retryAfterSeconds != null) {
            r.headers().setInt(HttpHeaderNames.RETRY_AFTER, retryAfterSeconds);
        }
        HttpUtil.setKeepAlive(r, keepAlive);
        var f = ctx.writeAndFlush(r);
        if (!keepAlive) {
            f.addListener(ChannelFutureListener.CLOSE);
        }
    }

    /** An OpenAI-style error; 429 and 503 tell the client when to come back. */
    static void error(ChannelHandlerContext ctx, boolean keepAlive, dev.ovserve.server.api.ApiException e, Limits limits) {
        boolean retry = e.status() == 429 || e.status() == 503;
        send(ctx, keepAlive, HttpResponseStatus.valueOf(e.status()), "application/json",
                new String(e.toJson(), StandardCharsets.UTF_8), retry ? limits.retryAfterSeconds() : null);
    }

    static boolean isKeepAlive(io.netty.handler.codec.http.HttpRequest req) {
        return HttpUtil.isKeepAlive(req);
    }
}
