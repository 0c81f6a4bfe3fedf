package dev.ovserve.models.ir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes an OpenVINO IR (v11 XML + weights .bin). Ports carry no dims: the IR reader infers
 * shapes itself, so the builder only needs op types, attributes and edges. Constants stream
 * straight into the .bin so converting a large model never holds all weights in memory.
 */
public final class IrGraph implements AutoCloseable {

    /** One output port of one layer (what an edge starts from) and its element type. */
    public record Out(int layer, int port, IrType type) {}

    private record Layer(int id, String name, String type, String version, Map<String, String> attrs,
                         int inputs, List<IrType> outputs, Map<String, String> rtInfo) {}

    private record Edge(Out from, int toLayer, int toPort) {}

    private final List<Layer> layers = new ArrayList<>();
    private final List<Edge> edges = new ArrayList<>();
    private final Map<Out, String> portNames = new LinkedHashMap<>();
    private final FileChannel bin;
    private long binOffset;

    public IrGraph(Path binFile) {
        try {
            bin = FileChannel.open(binFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Out parameter(String name, IrType type, String shape) {
        Out out = add(name, "Parameter", "opset1", attrs("shape", shape, "element_type", type.irName()), List.of(type), null).get(0);
        portNames.put(out, name);
        return out;
    }

    /** A constant whose little-endian bytes are appended to the .bin file. */
    public Out constant(String name, IrType type, long[] shape, ByteBuffer littleEndianData) {
        long size = littleEndianData.remaining();
        long offset = binOffset;
        try {
            while (littleEndianData.hasRemaining()) {
                binOffset += bin.write(littleEndianData);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return add(name, "Const", "opset1", attrs("element_type", type.irName(), "shape", dims(shape),
                "offset", Long.toString(offset), "size", Long.toString(size)), List.of(type), null).get(0);
    }

    public Out constI64(String name, long... values) {
        return constant(name, IrType.I64, new long[] {values.length}, longBytes(values));
    }

    public Out scalarI64(String name, long value) {
        return constant(name, IrType.I64, new long[0], longBytes(new long[] {value}));
    }

    public Out scalarF32(String name, float value) {
        ByteBuffer b = buffer(4);
        b.putFloat(value).flip();
        return constant(name, IrType.F32, new long[0], b);
    }

    public Out op(String name, String type, String version, Map<String, String> attrs, Out... inputs) {
        return opMulti(name, type, version, attrs, 1, inputs).get(0);
    }

    public List<Out> opMulti(String name, String type, String version, Map<String, String> attrs, int outputs, Out... inputs) {
        IrType t = OutputTypes.infer(type, attrs, inputs);
        return add(name, type, version, attrs, java.util.Collections.nCopies(outputs, t), null, inputs);
    }

    /** An op with an rt_info attribute, e.g. the "decompression" mark on FP16 weight converts. */
    public Out opWithRtInfo(String name, String type, String version, Map<String, String> attrs,
                            Map<String, String> rtInfo, Out... inputs) {
        return add(name, type, version, attrs, List.of(OutputTypes.infer(type, attrs, inputs)), rtInfo, inputs).get(0);
    }

    /** An op with no outputs that the model keeps alive (Assign). */
    public void sink(String name, String type, String version, Map<String, String> attrs, Out... inputs) {
        add(name, type, version, attrs, List.of(), null, inputs);
    }

    public void result(String tensorName, Out from) {
        portNames.put(from, tensorName);
        add(tensorName + "/sink_port_0", "Result", "opset1", Map.of(), List.of(), null, from);
    }

    private List<Out> add(String name, String type, String version, Map<String, String> attrs,
                          List<IrType> outputs, Map<String, String> rtInfo, Out... from) {
        int id = layers.size();
        layers.add(new Layer(id, name, type, version, attrs, from.length, outputs, rtInfo));
        for (int i = 0; i < from.length; i++) {
            edges.add(new Edge(from[i], id, i));
        }
        List<Out> outs = new ArrayList<>(outputs.size());
        for (int o = 0; o < outputs.size(); o++) {
            outs.add(new Out(id, from.length + o, outputs.get(o)));
        }
        return outs;
    }

    /** Writes the XML; the .bin is complete once this returns. */
    public void writeXml(Path xml, String modelName, Map<String, String> modelRtInfo) {
        try (Writer w = Files.newBufferedWriter(xml, StandardCharsets.UTF_8)) {
            w.write("<?xml version=\"1.0\"?>\n<net name=\"" + esc(modelName) + "\" version=\"11\">\n<layers>\n");
            for (Layer l : layers) {
                w.write("<layer id=\"" + l.id + "\" name=\"" + esc(l.name) + "\" type=\"" + l.type
                        + "\" version=\"" + l.version + "\">");
                if (!l.attrs.isEmpty()) {
                    w.write("<data");
                    for (var a : l.attrs.entrySet()) {
                        w.write(" " + a.getKey() + "=\"" + esc(a.getValue()) + "\"");
                    }
                    w.write("/>");
                }
                if (l.rtInfo != null) {
                    w.write("<rt_info>");
                    for (var a : l.rtInfo.entrySet()) {
                        w.write("<attribute name=\"" + a.getKey() + "\" version=\"" + a.getValue() + "\"/>");
                    }
                    w.write("</rt_info>");
                }
                if (l.inputs > 0) {
                    w.write("<input>");
                    for (int i = 0; i < l.inputs; i++) {
                        w.write("<port id=\"" + i + "\"/>");
                    }
                    w.write("</input>");
                }
                if (!l.outputs.isEmpty()) {
                    w.write("<output>");
                    for (int o = 0; o < l.outputs.size(); o++) {
                        IrType t = l.outputs.get(o);
                        String names = portNames.get(new Out(l.id, l.inputs + o, t));
                        w.write("<port id=\"" + (l.inputs + o) + "\" precision=\"" + t.precision() + "\""
                                + (names == null ? "" : " names=\"" + esc(names) + "\"") + "/>");
                    }
                    w.write("</output>");
                }
                w.write("</layer>\n");
            }
            w.write("</layers>\n<edges>\n");
            for (Edge e : edges) {
                w.write("<edge from-layer=\"" + e.from.layer() + "\" from-port=\"" + e.from.port()
                        + "\" to-layer=\"" + e.toLayer + "\" to-port=\"" + e.toPort + "\"/>\n");
            }
            w.write("</edges>\n<rt_info>\n");
            for (var a : modelRtInfo.entrySet()) {
                w.write("<" + a.getKey() + " value=\"" + esc(a.getValue()) + "\"/>\n");
            }
            w.write("</rt_info>\n</net>\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        try {
            bin.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Map<String, String> attrs(String... keyValues) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            m.put(keyValues[i], keyValues[i + 1]);
        }
        return m;
    }

    public static ByteBuffer buffer(long bytes) {
        return ByteBuffer.allocate(Math.toIntExact(bytes)).order(ByteOrder.LITTLE_ENDIAN);
    }

    static ByteBuffer longBytes(long[] values) {
        ByteBuffer b = buffer(values.length * 8L);
        for (long v : values) {
            b.putLong(v);
        }
        return b.flip();
    }

    static String dims(long[] shape) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < shape.length; i++) {
            sb.append(i == 0 ? "" : ",").append(shape[i]);
        }
        return sb.toString();
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("\"", "&quot;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
