package io.antidote.data;

import io.antidote.BadInputException;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.HexFormat;
import java.util.Set;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

class SyntheticTest {
    @Test
    void sameSeedSameData_differentSeedDifferentData() {
        Synthetic.Config a = new Synthetic.Config(300, 100, 5);
        assertEquals(Synthetic.train(a).sha256(), Synthetic.train(new Synthetic.Config(300, 100, 5)).sha256());
        assertEquals(Synthetic.test(a).sha256(), Synthetic.test(new Synthetic.Config(300, 100, 5)).sha256());
        assertNotEquals(Synthetic.train(a).sha256(), Synthetic.train(new Synthetic.Config(300, 100, 6)).sha256());
        assertNotEquals(Synthetic.test(a).sha256(), Synthetic.test(new Synthetic.Config(300, 100, 6)).sha256());
        ImageSet train = Synthetic.train(a);
        assertEquals("synthetic-train", train.name());
        assertEquals(32, train.height());
        assertEquals(3, train.channels());
        assertEquals(10, train.numClasses());
    }

    @Test
    void trainAndTestShareNoImage() {
        Synthetic.Config c = new Synthetic.Config(500, 500, 1);
        ImageSet train = Synthetic.train(c), test = Synthetic.test(c);
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < train.size(); i++) seen.add(HexFormat.of().formatHex(train.image(i)));
        for (int i = 0; i < test.size(); i++) assertFalse(seen.contains(HexFormat.of().formatHex(test.image(i))), "test image " + i);
    }

    @Test
    void classesAreBalanced() {
        ImageSet d = Synthetic.train(Synthetic.Config.defaults());
        assertEquals(5000, d.size());
        assertEquals(1000, Synthetic.test(Synthetic.Config.defaults()).size());
        int[] count = new int[10];
        for (int l : d.labels()) count[l]++;
        for (int c = 0; c < 10; c++) assertEquals(500, count[c]);
        int[] odd = new int[10];
        for (int l : Synthetic.train(new Synthetic.Config(23, 0, 2)).labels()) odd[l]++;
        assertArrayEquals(new int[]{3, 3, 3, 2, 2, 2, 2, 2, 2, 2}, odd);
        // Labels are shuffled, not in class blocks.
        int[] l = d.labels();
        int same = 0;
        for (int i = 1; i < l.length; i++) if (l[i] == l[i - 1]) same++;
        assertTrue(same > 200 && same < 800, "adjacent equal labels: " + same);
    }

    @Test
    void withoutNoiseOrDistractorsAnImageHasExactlyTwoContrastingColours() {
        Synthetic.Config c = new Synthetic.Config(50, 0, 3, 0, 0, 0.5);
        ImageSet d = Synthetic.train(c);
        for (int i = 0; i < d.size(); i++) {
            Set<Integer> colours = new HashSet<>();
            for (int y = 0; y < 32; y++) {
                for (int x = 0; x < 32; x++) colours.add(d.pixel(i, y, x, 0) << 16 | d.pixel(i, y, x, 1) << 8 | d.pixel(i, y, x, 2));
            }
            assertEquals(2, colours.size(), "image " + i + " of class " + d.label(i));
            Integer[] two = colours.toArray(new Integer[0]);
            int diff = 0;
            for (int s = 0; s < 24; s += 8) diff += Math.abs((two[0] >> s & 0xff) - (two[1] >> s & 0xff));
            assertTrue(diff >= 0.5 * 3 * 255, "contrast " + diff);
        }
    }

    @Test
    void noiseRaisesPixelSpread() {
        ImageSet clean = Synthetic.train(new Synthetic.Config(20, 0, 9, 0, 0, 0.12));
        ImageSet noisy = Synthetic.train(new Synthetic.Config(20, 0, 9, 0.2, 0, 0.12));
        // Same seed, same draws up to the noise: the mean absolute difference is about 0.8 * sigma (~40).
        long sum = 0;
        for (int i = 0; i < 20; i++) {
            byte[] a = clean.image(i), b = noisy.image(i);
            for (int k = 0; k < a.length; k++) sum += Math.abs((a[k] & 0xff) - (b[k] & 0xff));
        }
        double mean = sum / (20.0 * 3072);
        assertTrue(mean > 25 && mean < 45, "mean |noise| " + mean);
        assertArrayEquals(clean.labels(), noisy.labels());
    }

    @Test
    void everyClassDrawsSomethingAndNoCornerIsSpecial() {
        int draws = 1500;
        for (int cls = 0; cls < 10; cls++) {
            SplittableRandom r = new SplittableRandom(100 + cls);
            int bottomRight = 0, topLeft = 0, empty = 0;
            long area = 0;
            for (int k = 0; k < draws; k++) {
                boolean[] m = Synthetic.shape(cls, r);
                boolean br = false, tl = false;
                int a = 0;
                for (int y = 0; y < 32; y++) {
                    for (int x = 0; x < 32; x++) {
                        if (!m[y * 32 + x]) continue;
                        a++;
                        if (y >= 28 && x >= 28) br = true;
                        if (y < 4 && x < 4) tl = true;
                    }
                }
                if (br) bottomRight++;
                if (tl) topLeft++;
                if (a == 0) empty++;
                area += a;
            }
            String name = Synthetic.CLASS_NAMES.get(cls);
            assertTrue(empty <= draws / 100, name + ": " + empty + " empty draws");
            assertTrue(area / draws >= 30, name + ": mean area " + area / draws);
            double brf = bottomRight / (double) draws, tlf = topLeft / (double) draws;
            assertTrue(brf > 0.02 && brf < 0.3, name + ": bottom-right corner covered in " + brf);
            assertEquals(tlf, brf, 0.04, name + ": corners should be covered equally often");
        }
    }

    @Test
    void sixThousandImagesAreQuick() {
        long t = System.nanoTime();
        Synthetic.train(Synthetic.Config.defaults());
        Synthetic.test(Synthetic.Config.defaults());
        double s = (System.nanoTime() - t) / 1e9;
        // Typically a quarter of a second; the bound only guards against accidental slowness on a busy machine.
        assertTrue(s < 5, "took " + s + " s");
    }

    @Test
    void rejectsBadConfig() {
        BadInputException e = assertThrows(BadInputException.class, () -> new Synthetic.Config(10, 10, 0, 1.5, 0, 0.1));
        assertEquals("synthetic: noise 1.5 is outside [0,1]", e.getMessage());
        e = assertThrows(BadInputException.class, () -> new Synthetic.Config(-1, 10, 0));
        assertEquals("synthetic: trainSize -1 must be >= 0", e.getMessage());
        e = assertThrows(BadInputException.class, () -> new Synthetic.Config(1, 1, 0, 0.1, 2, 0.9));
        assertEquals("synthetic: minContrast 0.9 is outside [0,0.5]", e.getMessage());
        e = assertThrows(BadInputException.class, () -> new Synthetic.Config(1, 1, 0, 0.1, 21, 0.1));
        assertEquals("synthetic: distractors 21 is outside [0,20]", e.getMessage());
    }
}
