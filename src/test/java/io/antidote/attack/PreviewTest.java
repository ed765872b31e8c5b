package io.antidote.attack;

import io.antidote.data.ImageSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class PreviewTest {

    @Test
    void gridHasOneRowPerAttackAndThreeCellsPerSample(@TempDir Path dir) throws Exception {
        ImageSet set = Images.set(10, 8, 8, 3, 10, false);
        Path png = dir.resolve("preview.png");
        Preview.write(png, Preview.render(List.of(BadNets.grid(), new Blend(0.2, 1, false)), set, new int[]{0, 3}));
        BufferedImage img = ImageIO.read(png.toFile());
        int cell = 8 * Preview.SCALE;
        assertEquals(6 * cell + 5 * Preview.GAP, img.getWidth());
        assertEquals(2 * cell + Preview.GAP, img.getHeight());

        assertEquals(0x646464, img.getRGB(0, 0) & 0xffffff, "clean cell shows the image");
        assertEquals(0xffffff, img.getRGB(cell, 0) & 0xffffff, "gap is white");
        int trig = cell + Preview.GAP, diff = 2 * (cell + Preview.GAP);
        // Pixel (7,7) of the grid trigger is 255 on an image of 100: the largest difference, so 255.
        assertEquals(0xffffff, img.getRGB(trig + 7 * Preview.SCALE, 7 * Preview.SCALE) & 0xffffff);
        assertEquals(0xffffff, img.getRGB(diff + 7 * Preview.SCALE + 3, 7 * Preview.SCALE + 3) & 0xffffff);
        assertEquals(0, img.getRGB(diff, 0) & 0xffffff, "no change, no difference");
    }

    @Test
    void reportRowPairsEachTriggeredImageWithItsOriginalByOriginalIndex() throws Exception {
        // clean images 0..3 are flat grey levels 10, 20, 30, 40; the test set keeps 1 and 3 (as an all2one test
        // set drops the target class) and the trigger writes 250 at pixel (0,0), channel 0, of both
        int h = 4, w = 4, c = 3;
        byte[] px = new byte[4 * h * w * c];
        for (int i = 0; i < 4; i++) java.util.Arrays.fill(px, i * h * w * c, (i + 1) * h * w * c, (byte) (10 * (i + 1)));
        ImageSet clean = ImageSet.of("clean", h, w, c, 2, px, new int[] {0, 1, 0, 1});
        ImageSet.Editor ed = clean.subset("triggered", new int[] {1, 3}).edit();
        for (int i = 0; i < 2; i++) {
            byte[] img = clean.image(2 * i + 1);
            img[0] = (byte) 250;
            ed.image(i, img);
        }
        ImageSet triggered = ed.build();

        BufferedImage img = ImageIO.read(new java.io.ByteArrayInputStream(Preview.pairsPng(List.of(new Preview.Pairs(clean, triggered)), 4)));
        int cell = w * Preview.SCALE, step = cell + Preview.GAP;
        assertEquals(6 * cell + 4 * Preview.GAP + Preview.TRIPLE_GAP, img.getWidth(), "two triggered images exist, so two triples");
        assertEquals(h * Preview.SCALE, img.getHeight());
        assertEquals(0x141414, img.getRGB(0, 0) & 0xffffff, "first original is clean image 1 (grey 20)");
        assertEquals(0xfa1414, img.getRGB(step, 0) & 0xffffff, "then it triggered");
        assertEquals(0x141414, img.getRGB(step + Preview.SCALE, 0) & 0xffffff, "the rest of it unchanged");
        assertEquals(0xff0000, img.getRGB(2 * step, 0) & 0xffffff, "the difference, stretched to 255");
        assertEquals(0, img.getRGB(2 * step + Preview.SCALE, 0) & 0xffffff);
        int second = 3 * cell + 2 * Preview.GAP + Preview.TRIPLE_GAP;
        assertEquals(0xffffff, img.getRGB(second - 1, 0) & 0xffffff, "white between the triples");
        assertEquals(0x282828, img.getRGB(second, 0) & 0xffffff, "second original is clean image 3 (grey 40)");
        assertEquals(0xfa2828, img.getRGB(second + step, 0) & 0xffffff);

        assertNull(Preview.pairsPng(List.of(new Preview.Pairs(clean.subset(new int[] {0}), triggered)), 4), "no original to pair with");
        ImageSet delivered = clean.edit().poisoned(1, true).poisoned(3, true).build();
        assertNull(Preview.pairsPng(List.of(new Preview.Pairs(delivered, triggered)), 4), "a poisoned image is no clean original");

        // a second row (training poisons) goes below the first; an empty row is dropped, not drawn blank
        ImageSet one = triggered.subset(new int[] {1});
        BufferedImage two = ImageIO.read(new java.io.ByteArrayInputStream(Preview.pairsPng(List.of(new Preview.Pairs(clean, triggered),
                new Preview.Pairs(delivered, triggered), new Preview.Pairs(clean, one)), 4)));
        int rowH = h * Preview.SCALE;
        assertEquals(2 * rowH + Preview.TRIPLE_GAP, two.getHeight());
        assertEquals(img.getWidth(), two.getWidth(), "as wide as the longest row");
        assertEquals(0x282828, two.getRGB(0, rowH + Preview.TRIPLE_GAP) & 0xffffff, "row 2 starts with clean image 3");
        assertEquals(0xfa2828, two.getRGB(step, rowH + Preview.TRIPLE_GAP) & 0xffffff);
        assertEquals(0xffffff, two.getRGB(second, rowH + Preview.TRIPLE_GAP) & 0xffffff, "row 2 has one image, white after it");
    }
}
