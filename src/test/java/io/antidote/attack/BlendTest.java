package io.antidote.attack;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class BlendTest {

    @Test
    void noiseBlendIsWeightedSumTruncated() {
        Blend b = new Blend(0.2, 5, false);
        byte[] pattern = b.pattern(32, 32, 3);
        byte[] out = b.apply(Images.constant(32, 32, 3, 100), 32, 32, 3);
        for (int i = 0; i < out.length; i++) {
            assertEquals((int) (0.8 * 100 + 0.2 * (pattern[i] & 0xff)), out[i] & 0xff);
        }
        for (int p = 0; p < 32 * 32; p++) {
            assertEquals(pattern[3 * p], pattern[3 * p + 2], "one noise value per pixel, shared by channels");
        }
    }

    @Test
    void noiseIsFixedBySeed() {
        assertArrayEquals(new Blend(0.2, 5, false).pattern(8, 8, 3), new Blend(0.2, 5, false).pattern(8, 8, 3));
        assertFalse(java.util.Arrays.equals(new Blend(0.2, 5, false).pattern(8, 8, 3), new Blend(0.2, 6, false).pattern(8, 8, 3)));
    }

    @Test
    void perImageNoiseDiffersBetweenSamplesButIsReproducible() {
        Blend b = new Blend(0.2, 5, true);
        byte[] img = Images.constant(8, 8, 3, 50);
        assertArrayEquals(b.apply(img, 8, 8, 3, 3), b.apply(img, 8, 8, 3, 3));
        assertFalse(java.util.Arrays.equals(b.apply(img, 8, 8, 3, 3), b.apply(img, 8, 8, 3, 4)));
    }

    @Test
    void patternFileIsResizedAndBlendedWithTruncation(@TempDir Path dir) throws Exception {
        BufferedImage pat = new BufferedImage(5, 3, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 3; y++) for (int x = 0; x < 5; x++) pat.setRGB(x, y, 0xc8c8c8);
        Path png = dir.resolve("pattern.png");
        ImageIO.write(pat, "png", png.toFile());
        Attack a = AttackRegistry.create("blend", Map.of("alpha", "0.5", "pattern", png.toString()));
        byte[] out = a.apply(Images.constant(8, 8, 3, 101), 8, 8, 3);
        for (byte v : out) assertEquals(150, v & 0xff, "(101 + 200) / 2 = 150.5 truncates to 150");
    }

    @Test
    void bilinearResizeUsesHalfPixelCentres() {
        byte[] src = {0, (byte) 255};
        byte[] out = Blend.resizeBilinear(src, 1, 2, 1, 1, 4);
        assertArrayEquals(new int[]{0, 64, 191, 255}, new int[]{out[0] & 0xff, out[1] & 0xff, out[2] & 0xff, out[3] & 0xff});
    }
}
