package dev.ovserve.openvino;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A tiny OpenVINO IR v11 model written by the test itself:
 * {@code y = x * SCALE + BIAS} and {@code z = x · W}, with x f32 [?,4].
 */
final class TinyModels {
    static final float[] SCALE = {1.5f, -2f, 0.25f, 3f};
    static final float[] BIAS = {0.5f, 1f, -1f, 2f};
    /** Row-major [4,2]. */
    static final float[] W = {1f, 2f, 3f, 4f, 5f, 6f, 7f, 8f};

    private TinyModels() {}

    static Path writeIr(Path dir) throws IOException {
        Path xml = dir.resolve("tiny.xml");
        Files.writeString(xml, XML);
        ByteBuffer bin = ByteBuffer.allocate(4 * (SCALE.length + BIAS.length + W.length)).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : SCALE) {
            bin.putFloat(f);
        }
        for (float f : BIAS) {
            bin.putFloat(f);
        }
        for (float f : W) {
            bin.putFloat(f);
        }
        Files.write(dir.resolve("tiny.bin"), bin.array());
        return xml;
    }

    static float[] expectedY(float[] x) {
        float[] y = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = x[i] * SCALE[i % 4] + BIAS[i % 4];
        }
        return y;
    }

    static float[] expectedZ(float[] x) {
        int rows = x.length / 4;
        float[] z = new float[rows * 2];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < 2; c++) {
                float s = 0;
                for (int k = 0; k < 4; k++) {
                    s += x[r * 4 + k] * W[k * 2 + c];
                }
                z[r * 2 + c] = s;
            }
        }
        return z;
    }

    private static final String XML = """
            <?xml version="1.0"?>
            <net name="tiny" version="11">
              <layers>
                <layer id="0" name="x" type="Parameter" version="opset1">
                  <data shape="?,4" element_type="f32"/>
                  <output>
                    <port id="0" precision="FP32" names="x"><dim>-1</dim><dim>4</dim></port>
                  </output>
                </layer>
                <layer id="1" name="scale" type="Const" version="opset1">
                  <data element_type="f32" shape="1,4" offset="0" size="16"/>
                  <output>
                    <port id="0" precision="FP32"><dim>1</dim><dim>4</dim></port>
                  </output>
                </layer>
                <layer id="2" name="mul" type="Multiply" version="opset1">
                  <data auto_broadcast="numpy"/>
                  <input>
                    <port id="0" precision="FP32"><dim>-1</dim><dim>4</dim></port>
                    <port id="1" precision="FP32"><dim>1</dim><dim>4</dim></port>
                  </input>
                  <output>
                    <port id="2" precision="FP32"><dim>-1</dim><dim>4</dim></port>
                  </output>
                </layer>
                <layer id="3" name="bias" type="Const" version="opset1">
                  <data element_type="f32" shape="1,4" offset="16" size="16"/>
                  <output>
                    <port id="0" precision="FP32"><dim>1</dim><dim>4</dim></port>
                  </output>
                </layer>
                <layer id="4" name="add" type="Add" version="opset1">
                  <data auto_broadcast="numpy"/>
                  <input>
                    <port id="0" precision="FP32"><dim>-1</dim><dim>4</dim></port>
                    <port id="1" precision="FP32"><dim>1</dim><dim>4</dim></port>
                  </input>
                  <output>
                    <port id="2" precision="FP32" names="y"><dim>-1</dim><dim>4</dim></port>
                  </output>
                </layer>
                <layer id="5" name="y/sink_port_0" type="Result" version="opset1">
                  <input>
                    <port id="0" precision="FP32"><dim>-1</dim><dim>4</dim></port>
                  </input>
                </layer>
                <layer id="6" name="w" type="Const" version="opset1">
                  <data element_type="f32" shape="4,2" offset="32" size="32"/>
                  <output>
                    <port id="0" precision="FP32"><dim>4</dim><dim>2</dim></port>
                  </output>
                </layer>
                <layer id="7" name="matmul" type="MatMul" version="opset1">
                  <data transpose_a="false" transpose_b="false"/>
                  <input>
                    <port id="0" precision="FP32"><dim>-1</dim><dim>4</dim></port>
                    <port id="1" precision="FP32"><dim>4</dim><dim>2</dim></port>
                  </input>
                  <output>
                    <port id="2" precision="FP32" names="z"><dim>-1</dim><dim>2</dim></port>
                  </output>
                </layer>
                <layer id="8" name="z/sink_port_0" type="Result" version="opset1">
                  <input>
                    <port id="0" precision="FP32"><dim>-1</dim><dim>2</dim></port>
                  </input>
                </layer>
              </layers>
              <edges>
                <edge from-layer="0" from-port="0" to-layer="2" to-port="0"/>
                <edge from-layer="1" from-port="0" to-layer="2" to-port="1"/>
                <edge from-layer="2" from-port="2" to-layer="4" to-port="0"/>
                <edge from-layer="3" from-port="0" to-layer="4" to-port="1"/>
                <edge from-layer="4" from-port="2" to-layer="5" to-port="0"/>
                <edge from-layer="0" from-port="0" to-layer="7" to-port="0"/>
                <edge from-layer="6" from-port="0" to-layer="7" to-port="1"/>
                <edge from-layer="7" from-port="2" to-layer="8" to-port="0"/>
              </edges>
            </net>
            """;
}
