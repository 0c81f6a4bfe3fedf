package dev.ovserve.server.http;

import dev.ovserve.server.api.ApiException;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The web playground: a few static files read once from the classpath and served at {@code /}
 * and {@code /ui/*}. Every page carries a Content-Security-Policy that allows scripts, styles and
 * connections only from this origin and no inline script at all, so model text that reached the
 * DOM as markup still could not run. Responses are revalidated by ETag, so an upgraded server is
 * seen at once while an unchanged file costs a 304.
 */
final class PlaygroundFiles {
    static final String CONTENT_SECURITY_POLICY = String.join("; ",
            "default-src 'none'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data:",
            "connect-src 'self'",
            "base-uri 'none'",
            "form-action 'none'",
            "frame-ancestors 'none'");

    private static final String ROOT = "/dev/ovserve/server/playground/";
    /** URL path → resource name and content type; nothing outside this list is ever served. */
    private static final Map<String, String[]> ROUTES = routes();

    private record File(byte[] body, String contentType, String etag) {}

    private final Map<String, File> files;

    private PlaygroundFiles(Map<String, File> files) {
        this.files = files;
    }

    private static Map<String, String[]> routes() {
        Map<String, String[]> r = new LinkedHashMap<>();
        r.put("/", new String[] {"index.html", "text/html; charset=utf-8"});
        r.put("/ui/style.css", new String[] {"style.css", "text/css; charset=utf-8"});
        for (String module : new String[] {"app.js", "api.js", "sse.js", "store.js", "status.js", "view.js"}) {
            r.put("/ui/" + module, new String[] {module, "text/javascript; charset=utf-8"});
        }
        return Map.copyOf(r);
    }

    /** Reads every file now, so a missing one fails the server's start rather than a page load. */
    static PlaygroundFiles load() {
        Map<String, File> files = new LinkedHashMap<>();
        for (var route : ROUTES.entrySet()) {
            String name = route.getValue()[0];
            try (InputStream in = PlaygroundFiles.class.getResourceAsStream(ROOT + name)) {
                if (in == null) {
                    throw new IllegalStateException("playground file missing from the classpath: " + name);
                }
                byte[] body = in.readAllBytes();
                files.put(route.getKey(), new File(body, route.getValue()[1], etag(body)));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return new PlaygroundFiles(Map.copyOf(files));
    }

    private static String etag(byte[] body) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(body);
            return "\"" + HexFormat.of().formatHex(digest, 0, 16) + "\"";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Answers {@code path} if it is one of the playground's files; false leaves the request to the caller. */
    boolean serve(ChannelHandlerContext ctx, FullHttpRequest req, String path, boolean keepAlive) {
        File file = files.get(path);
        if (file == null) {
            return false;
        }
        boolean head = req.method().equals(HttpMethod.HEAD);
        if (!head && !req.method().equals(HttpMethod.GET)) {
            throw new ApiException(405, ApiException.INVALID_REQUEST, null, "method_not_allowed", "Use GET for " + path);
        }
        boolean notModified = file.etag().equals(req.headers().get(HttpHeaderNames.IF_NONE_MATCH));
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                notModified ? HttpResponseStatus.NOT_MODIFIED : HttpResponseStatus.OK,
                notModified || head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(file.body()));
        var h = r.headers();
        h.set(HttpHeaderNames.CONTENT_TYPE, file.contentType());
        if (!notModified) {
            h.setInt(HttpHeaderNames.CONTENT_LENGTH, file.body().length);
        }
        h.set(HttpHeaderNames.ETAG, file.etag());
        h.set(HttpHeaderNames.CACHE_CONTROL, "no-cache");
        h.set(HttpHeaderNames.CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY);
        h.set("X-Content-Type-Options", "nosniff");
        h.set(HttpHeaderNames.X_FRAME_OPTIONS, "DENY");
        h.set("Referrer-Policy", "no-referrer");
        h.set("Cross-Origin-Opener-Policy", "same-origin");
        HttpUtil.setKeepAlive(r, keepAlive);
        var f = ctx.writeAndFlush(r);
        if (!keepAlive) {
            f.addListener(ChannelFutureListener.CLOSE);
        }
        return true;
    }
}
