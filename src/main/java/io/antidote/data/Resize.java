package io.antidote.data;

/**
 * Bilinear resizing of uint8 HWC images. When shrinking, the triangle filter is widened by the
 * shrink factor so every source pixel contributes (as PIL's bilinear resize does, which is what
 * torchvision's Resize applies to the PIL images of the reference loaders); plain 4-tap bilinear
 * would alias badly on the 250-pixel GTSRB photos.
 */
final class Resize {
    private Resize() {}

    /** Per output index: first source index and its normalised weights. */
    private record Taps(int[] first, float[][] weights) {}

    static byte[] bilinear(byte[] src, int h, int w, int c, int outH, int outW) {
        if (h <= 0 || w <= 0 || c <= 0 || outH <= 0 || outW <= 0) {
            throw new IllegalArgumentException("sizes must be positive: " + h + "x" + w + "x" + c + " -> " + outH + "x" + outW);
        }
        if (src.length != h * w * c) throw new IllegalArgumentException("image holds " + src.length + " bytes, expected " + h * w * c);
        if (h == outH && w == outW) return src.clone();
        Taps cols = taps(w, outW);
        Taps rows = taps(h, outH);
        // Columns first into floats, so rounding happens once rather than after each pass.
        float[] mid = new float[h * outW * c];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < outW; x++) {
                int first = cols.first[x];
                float[] wt = cols.weights[x];
                for (int ch = 0; ch < c; ch++) {
                    float s = 0;
                    for (int k = 0; k < wt.length; k++) s += wt[k] * (src[(y * w + first + k) * c + ch] & 0xff);
                    mid[(y * outW + x) * c + ch] = s;
                }
            }
        }
        byte[] out = new byte[outH * outW * c];
        for (int y = 0; y < outH; y++) {
            int first = rows.first[y];
            float[] wt = rows.weights[y];
            for (int x = 0; x < outW; x++) {
                for (int ch = 0; ch < c; ch++) {
                    float s = 0;
                    for (int k = 0; k < wt.length; k++) s += wt[k] * mid[((first + k) * outW + x) * c + ch];
                    int v = Math.round(s);
                    out[(y * outW + x) * c + ch] = (byte) Math.max(0, Math.min(255, v));
                }
            }
        }
        return out;
    }

    /** Pixel centres sit at i + 0.5 on both grids, so the image is scaled about its middle. */
    private static Taps taps(int in, int out) {
        double scale = (double) in / out;
        double radius = Math.max(scale, 1.0);
        int[] first = new int[out];
        float[][] weights = new float[out][];
        for (int i = 0; i < out; i++) {
            double centre = (i + 0.5) * scale;
            int lo = Math.max(0, (int) Math.floor(centre - radius));
            int hi = Math.min(in, (int) Math.ceil(centre + radius));
            double[] w = new double[hi - lo];
            double sum = 0;
            for (int j = lo; j < hi; j++) {
                double d = Math.abs(j + 0.5 - centre) / radius;
                double v = d < 1 ? 1 - d : 0;
                w[j - lo] = v;
                sum += v;
            }
            // Trim zero-weight ends so the inner loops stay short.
            int a = 0, b = w.length;
            while (a < b && w[a] == 0) a++;
            while (b > a && w[b - 1] == 0) b--;
            float[] f = new float[b - a];
            for (int k = a; k < b; k++) f[k - a] = (float) (w[k] / sum);
            first[i] = lo + a;
            weights[i] = f;
        }
        return new Taps(first, weights);
    }
}
