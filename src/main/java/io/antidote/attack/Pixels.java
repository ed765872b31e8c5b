package io.antidote.attack;

import io.antidote.BadInputException;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** Small pixel helpers shared by the triggers. */
final class Pixels {
    private Pixels() {}

    static int at(byte[] hwc, int width, int channels, int row, int col, int ch) {
        return hwc[(row * width + col) * channels + ch] & 0xff;
    }

    static void set(byte[] hwc, int width, int channels, int row, int col, int ch, int v) {
        hwc[(row * width + col) * channels + ch] = (byte) v;
    }

    /** Writes the same value to every channel, as the reference patch triggers do (§2.2). */
    static void setAll(byte[] hwc, int width, int channels, int row, int col, int v) {
        for (int ch = 0; ch < channels; ch++) set(hwc, width, channels, row, col, ch, v);
    }

    /** Clip to [0, 255] then drop the fraction: numpy's clip + astype(uint8) for values >= 0. */
    static int truncate(double v) {
        if (!(v > 0)) return 0;
        return v >= 255 ? 255 : (int) v;
    }

    static int round(double v) {
        if (!(v > 0)) return 0;
        return v >= 255 ? 255 : (int) Math.floor(v + 0.5);
    }

    static void requireChannels(String attack, int channels, int needed) {
        if (channels != needed) {
            throw new BadInputException("attack '" + attack + "' needs " + needed + "-channel images, got " + channels);
        }
    }

    static void requireSize(String attack, int height, int width, int minHeight, int minWidth) {
        if (height < minHeight || width < minWidth) {
            throw new BadInputException("attack '" + attack + "' needs images of at least " + minHeight + "x" + minWidth
                    + ", got " + height + "x" + width);
        }
    }

    static BufferedImage read(String attack, String key, Path file) {
        try {
            BufferedImage img = ImageIO.read(file.toFile());
            if (img == null) throw new BadInputException(attack + " " + key + " '" + file + "' is not an image javax.imageio can read");
            return img;
        } catch (IOException e) {
            throw new BadInputException(attack + " " + key + " '" + file + "' cannot be read: " + e.getMessage(), e);
        }
    }

    /** An image file as HWC bytes with the wanted channel count; one channel takes the mean of R, G, B. */
    static byte[] hwc(BufferedImage img, int channels) {
        int h = img.getHeight(), w = img.getWidth();
        byte[] out = new byte[h * w * channels];
        for (int r = 0; r < h; r++) {
            for (int c = 0; c < w; c++) {
                int argb = img.getRGB(c, r);
                int[] rgb = {(argb >> 16) & 0xff, (argb >> 8) & 0xff, argb & 0xff};
                for (int ch = 0; ch < channels; ch++) {
                    int v = channels == 3 ? rgb[ch] : (rgb[0] + rgb[1] + rgb[2] + 1) / 3;
                    out[(r * w + c) * channels + ch] = (byte) v;
                }
            }
        }
        return out;
    }

    /** Parameters in a fixed order for provenance. */
    static Map<String, String> params(Object... keyValues) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            Object v = keyValues[i + 1];
            m.put((String) keyValues[i], v == null ? "" : v instanceof Double d ? AttackParams.fmt(d) : v.toString());
        }
        return java.util.Collections.unmodifiableMap(m);
    }

    /** A well-spread 64-bit key from a seed and an index (SplitMix64 finaliser). */
    static long mix(long seed, long index) {
        long z = seed + 0x9e3779b97f4a7c15L * (index + 1);
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
