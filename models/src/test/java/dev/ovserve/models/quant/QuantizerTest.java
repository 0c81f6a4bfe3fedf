package dev.ovserve.models.quant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Expected values below are worked out by hand in the comments beside them. */
class QuantizerTest {

    @Test
    void int8AsymmetricMapsTheRowRangeOntoZeroTo255() {
        // min -1, max 2: scale 3/255; zero = round(1 / (3/255)) = 85;
        // 0.5 / scale = 42.5 rounds up to 43, so q = 85 + 43 = 128; 2 / scale = 170 → 255.
        QuantizedMatrix m = Quantizer.int8Asymmetric(new float[] {-1f, 0f, 0.5f, 2f}, 1, 4);
        assertArrayEquals(new int[] {0, 85, 128, 255}, m.values());
        assertEquals(3f / 255, m.scales()[0], 1e-9);
        assertArrayEquals(new int[] {85}, m.zeroPoints());
        assertEquals(-1f, m.dequantize(0, 0), 1e-6);
        assertEquals(0f, m.dequantize(0, 1), 0f, "zero stays exactly zero");
        assertEquals(43 * 3f / 255, m.dequantize(0, 2), 1e-6);
        assertEquals(2f, m.dequantize(0, 3), 1e-6);
    }

    @Test
    void theRangeAlwaysIncludesZero() {
        // all positive: min is taken as 0, scale 4/255, zero point 0;
        // 1 → 63.75 → 64, 2 → 127.5 → 128, 3 → 191.25 → 191, 4 → 255.
        QuantizedMatrix m = Quantizer.int8Asymmetric(new float[] {1f, 2f, 3f, 4f}, 1, 4);
        assertArrayEquals(new int[] {64, 128, 191, 255}, m.values());
        assertArrayEquals(new int[] {0}, m.zeroPoints());
    }

    @Test
    void eachOutputChannelHasItsOwnScale() {
        QuantizedMatrix m = Quantizer.int8Asymmetric(new float[] {0f, 255f, 0f, 2.55f}, 2, 2);
        assertEquals(1f, m.scales()[0], 1e-6);
        assertEquals(0.01f, m.scales()[1], 1e-6);
        assertArrayEquals(new int[] {0, 255, 0, 255}, m.values());
    }

    @Test
    void anAllZeroRowGetsScaleOneAndStaysExact() {
        QuantizedMatrix a = Quantizer.int8Asymmetric(new float[] {0f, 0f, 0f}, 1, 3);
        QuantizedMatrix s = Quantizer.int4Symmetric(new float[] {0f, 0f, 0f}, 1, 3, 2);
        assertArrayEquals(new float[] {1f}, a.scales());
        assertArrayEquals(new float[] {1f, 1f}, s.scales());
        for (int c = 0; c < 3; c++) {
            assertEquals(0f, a.dequantize(0, c), 0f);
            assertEquals(0f, s.dequantize(0, c), 0f);
        }
    }

    @Test
    void int8SymmetricPutsTheLargestMagnitudeOnMinus128() {
        // |min| 2 >= max 1: scale 2/128 = 1/64; -2 → -128; 1 → 64; 0.5 → 32.
        QuantizedMatrix m = Quantizer.int8Symmetric(new float[] {-2f, 1f, 0.5f}, 1, 3);
        assertArrayEquals(new int[] {-128, 64, 32}, m.values());
        assertEquals(1f / 64, m.scales()[0], 1e-9);
        assertNull(m.zeroPoints());
        assertTrue(m.signed());
    }

    @Test
    void aPositiveExtremeGetsANegativeScale() {
        // max 2 > |min| 1: scale -2/128 = -1/64; 2 → -128; -1 → 64; 0.5 → -32.
        QuantizedMatrix m = Quantizer.int8Symmetric(new float[] {2f, -1f, 0.5f}, 1, 3);
        assertArrayEquals(new int[] {-128, 64, -32}, m.values());
        assertEquals(-1f / 64, m.scales()[0], 1e-9);
        assertEquals(2f, m.dequantize(0, 0), 0f);
        assertEquals(-1f, m.dequantize(0, 1), 0f);
    }

    @Test
    void int4SymmetricGroupsAlongTheInputDimension() {
        // groups of 2: [0.7, -0.7]: |min| wins the tie, scale 0.7/8 = 0.0875; -0.7 → -8, 0.7 → 8 clamps to 7.
        // [7, 1]: max wins, scale -7/8 = -0.875; 7 → -8, 1 → -1.14 → -1.
        QuantizedMatrix m = Quantizer.int4Symmetric(new float[] {0.7f, -0.7f, 7f, 1f}, 1, 4, 2);
        assertEquals(2, m.groups());
        assertArrayEquals(new int[] {7, -8, -8, -1}, m.values());
        assertArrayEquals(new float[] {0.0875f, -0.875f}, m.scales(), 1e-7f);
        assertEquals(0.6125f, m.dequantize(0, 0), 1e-6, "the clamped code is one step short");
    }

    @Test
    void quantizeWithAGroupWiderThanTheRowIsPerChannel() {
        float[] w = {0.3f, -0.9f, 0.1f, 0.4f, 0.8f, -0.2f};
        QuantizedMatrix grouped = Quantizer.quantize(w, 2, 3, 8, false, 128);
        QuantizedMatrix perChannel = Quantizer.int8Asymmetric(w, 2, 3);
        assertEquals(3, grouped.groupSize());
        assertArrayEquals(perChannel.values(), grouped.values());
        assertArrayEquals(perChannel.scales(), grouped.scales());
        assertArrayEquals(Quantizer.int4Symmetric(w, 2, 3, 2).values(), Quantizer.quantize(w, 2, 3, 4, true, 2).values());
    }

    @Test
    void int4AsymmetricHandlesALastPartialGroup() {
        // 5 columns in groups of 2: [0, 15] scale 1 zero 0; [-15, 0] scale 1 zero 15; [3] scale 0.2 zero 0 → 15.
        QuantizedMatrix m = Quantizer.int4Asymmetric(new float[] {0f, 15f, -15f, 0f, 3f}, 1, 5, 2);
        assertEquals(3, m.groups());
        assertArrayEquals(new int[] {0, 15, 0, 15, 15}, m.values());
        assertArrayEquals(new int[] {0, 15, 0}, m.zeroPoints());
        assertArrayEquals(new float[] {1f, 1f, 0.2f}, m.scales(), 1e-7f);
        assertEquals(3f, m.dequantize(0, 4), 1e-6);
    }

    @Test
    void extremeValuesStayFiniteAndWithinHalfAStep() {
        float big = 1e30f;
        QuantizedMatrix m = Quantizer.int8Asymmetric(new float[] {-big, big, 1f}, 1, 3);
        assertTrue(Float.isFinite(m.scales()[0]));
        assertEquals(-big, m.dequantize(0, 0), m.scales()[0] / 2);
        assertEquals(big, m.dequantize(0, 1), m.scales()[0] / 2);
    }

    @Test
    void everyWeightIsWithinHalfAStepOfItsDequantizedValueUnlessClamped() {
        SplittableRandom random = new SplittableRandom(3);
        int rows = 7;
        int cols = 37; // not a multiple of the group size
        float[] w = new float[rows * cols];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) (random.nextGaussian() * (1 + i % 5));
        }
        for (QuantizedMatrix m : new QuantizedMatrix[] {Quantizer.int8Asymmetric(w, rows, cols), Quantizer.int8Symmetric(w, rows, cols),
                Quantizer.int4Symmetric(w, rows, cols, 8), Quantizer.int4Asymmetric(w, rows, cols, 8)}) {
            int lo = m.signed() ? -(1 << (m.bits() - 1)) : 0;
            int hi = m.signed() ? (1 << (m.bits() - 1)) - 1 : (1 << m.bits()) - 1;
            for (int r = 0; r < rows; r++) {
                for (int c = 0; c < cols; c++) {
                    int q = m.values()[r * cols + c];
                    assertTrue(q >= lo && q <= hi, "code " + q + " outside [" + lo + ", " + hi + "]");
                    float step = Math.abs(m.scales()[r * m.groups() + c / m.groupSize()]);
                    // Symmetric codes stop at hi: the far side of the extreme may round past it.
                    float bound = m.signed() && q == hi ? step : step / 2;
                    assertEquals(w[r * cols + c], m.dequantize(r, c), bound + 1e-6f,
                            m.bits() + "-bit " + (m.signed() ? "symmetric" : "asymmetric") + " at " + r + "," + c);
                }
            }
        }
    }

    @Test
    void rejectsWhatCannotBeQuantized() {
        assertThrows(IllegalArgumentException.class, () -> Quantizer.int8Asymmetric(new float[] {1f, Float.NaN}, 1, 2));
        assertThrows(IllegalArgumentException.class, () -> Quantizer.int8Asymmetric(new float[] {1f, 2f, 3f}, 2, 2));
        assertThrows(IllegalArgumentException.class, () -> Quantizer.int4Symmetric(new float[] {1f, 2f}, 1, 2, 0));
    }
}
