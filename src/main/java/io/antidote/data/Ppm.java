package io.antidote.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Decoder for binary PPM (P6) images, the format GTSRB ships in; ImageIO has no reader for it. */
final class Ppm {
    private Ppm() {}

    /** Decoded RGB pixels, HWC. */
    record Image(int width, int height, byte[] rgb) {}

    static Image read(Path file) {
        byte[] b;
        try {
            b = Files.readAllBytes(file);
        } catch (IOException e) {
            throw Inputs.io(file, e);
        }
        return decode(file.toString(), b);
    }

    static Image decode(String source, byte[] b) {
        if (b.length < 2 || b[0] != 'P' || b[1] != '6') {
            String magic = b.length >= 2 ? printable(b[0]) + printable(b[1]) : "";
            throw Inputs.bad(source, "not a binary PPM (magic '" + magic + "', expected 'P6')");
        }
        int[] pos = {2};
        int width = number(source, b, pos, "width");
        int height = number(source, b, pos, "height");
        int maxval = number(source, b, pos, "maxval");
        if (width <= 0 || height <= 0) throw Inputs.bad(source, "image size " + width + "x" + height + " is not positive");
        if (maxval <= 0 || maxval > 255) throw Inputs.bad(source, "maxval " + maxval + " is not supported (only 1..255, one byte per sample)");
        // Exactly one whitespace byte separates the header from the samples.
        if (pos[0] >= b.length || !Character.isWhitespace(b[pos[0]])) throw Inputs.bad(source, "header is not followed by whitespace");
        int start = pos[0] + 1;
        long need = (long) width * height * 3;
        if (b.length - start < need) {
            throw Inputs.bad(source, "pixel data is truncated (" + (b.length - start) + " of " + need + " bytes)");
        }
        byte[] rgb = new byte[(int) need];
        System.arraycopy(b, start, rgb, 0, rgb.length);
        if (maxval != 255) {
            for (int i = 0; i < rgb.length; i++) {
                int v = rgb[i] & 0xff;
                if (v > maxval) throw Inputs.bad(source, "sample " + v + " at byte " + (start + i) + " exceeds maxval " + maxval);
                rgb[i] = (byte) ((v * 255 + maxval / 2) / maxval);
            }
        }
        return new Image(width, height, rgb);
    }

    private static int number(String source, byte[] b, int[] pos, String what) {
        int p = pos[0];
        while (p < b.length) {
            if (b[p] == '#') {
                while (p < b.length && b[p] != '\n' && b[p] != '\r') p++;
            } else if (Character.isWhitespace(b[p])) {
                p++;
            } else {
                break;
            }
        }
        long v = 0;
        int startDigits = p;
        while (p < b.length && b[p] >= '0' && b[p] <= '9' && v < Integer.MAX_VALUE) {
            v = v * 10 + (b[p] - '0');
            p++;
        }
        if (p == startDigits) throw Inputs.bad(source, "header " + what + " is missing or not a number");
        if (v >= Integer.MAX_VALUE) throw Inputs.bad(source, "header " + what + " is too large");
        pos[0] = p;
        return (int) v;
    }

    private static String printable(byte x) {
        return x >= 32 && x < 127 ? String.valueOf((char) x) : String.format("\\x%02x", x & 0xff);
    }
}
