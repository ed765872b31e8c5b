package io.antidote.data;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class ResizeTest {
    @Test
    void upscalingInterpolatesBetweenPixelCentres() {
        // 1x2 grey image 0, 200 -> 1x4: centres at 0.25, 0.75, 1.25, 1.75 of the source grid.
        byte[] out = Resize.bilinear(new byte[]{0, (byte) 200}, 1, 2, 1, 1, 4);
        assertArrayEquals(new byte[]{0, 50, (byte) 150, (byte) 200}, out);
    }

    @Test
    void downscalingByTwoAveragesEachPairWithItsNeighbours() {
        // Shrinking 4 -> 2 widens the triangle to radius 2 source pixels. Output 0 is centred at 1.0,
        // so source centres 0.5, 1.5, 2.5 get weights 0.75, 0.75, 0.25 (3.5 is out of reach).
        byte[] src = {0, 80, (byte) 160, (byte) 240};
        byte[] out = Resize.bilinear(src, 1, 4, 1, 1, 2);
        assertEquals(Math.round((0 * 0.75 + 80 * 0.75 + 160 * 0.25) / 1.75), out[0] & 0xff);
        assertEquals(Math.round((80 * 0.25 + 160 * 0.75 + 240 * 0.75) / 1.75), out[1] & 0xff);
    }

    @Test
    void constantImagesStayConstantAndSameSizeIsACopy() {
        byte[] src = new byte[50 * 37 * 3];
        for (int i = 0; i < src.length; i += 3) {
            src[i] = 10;
            src[i + 1] = (byte) 128;
            src[i + 2] = (byte) 255;
        }
        byte[] out = Resize.bilinear(src, 50, 37, 3, 32, 32);
        assertEquals(32 * 32 * 3, out.length);
        for (int i = 0; i < out.length; i += 3) {
            assertEquals(10, out[i]);
            assertEquals(128, out[i + 1] & 0xff);
            assertEquals(255, out[i + 2] & 0xff);
        }
        byte[] same = Resize.bilinear(src, 50, 37, 3, 50, 37);
        assertArrayEquals(src, same);
        assertNotSame(src, same);
    }
}
