package io.antidote.attack;

import java.util.Map;

/**
 * SIG (Barni et al. 2019): a horizontal sinusoid over the whole image, normally used clean-label.
 *
 * <p>Variant {@code reference} is what ABL/NAD's signalTrigger computes (§2.2, §9 item 10): mask(col) =
 * int(20 sin(0.8 col)) stored as uint8, negative values wrapping to large ones, and out =
 * truncate((1 - alpha) x image + alpha x mask) with alpha 0.2. Variant {@code paper} is the paper's
 * additive signal: out = truncate(clip(image + delta sin(2 pi col f / W), 0, 255)).
 */
public final class Sig implements Attack {

    /** Which formula. */
    public enum Variant { REFERENCE, PAPER }

    private final Variant variant;
    private final double alpha;
    private final double delta;
    private final double frequency;

    public Sig(Variant variant, double alpha, double delta, double frequency) {
        this.variant = variant;
        this.alpha = alpha;
        this.delta = delta;
        this.frequency = frequency;
    }

    /** The reference signalTrigger. */
    public static Sig reference() { return new Sig(Variant.REFERENCE, 0.2, 20, 6); }

    /** The paper's signal, delta 20, frequency 6. */
    public static Sig paper() { return new Sig(Variant.PAPER, 0.2, 20, 6); }

    static Attack create(AttackParams p, AttackContext ctx) {
        String v = p.choice("variant", "reference", "reference", "paper");
        double alpha = p.real("alpha", 0.2, "(0, 1]");
        double delta = p.real("delta", 20, "(0, 255]");
        double f = p.real("frequency", 6, "(0, inf)");
        return new Sig(v.equals("paper") ? Variant.PAPER : Variant.REFERENCE, alpha, delta, f);
    }

    @Override
    public String name() { return "sig"; }

    @Override
    public Map<String, String> parameters() {
        return variant == Variant.REFERENCE
                ? Pixels.params("variant", "reference", "alpha", alpha)
                : Pixels.params("variant", "paper", "delta", delta, "frequency", frequency);
    }

    /** The reference mask value of one column, as the uint8 the mask file holds. */
    public static int referenceMask(int col) {
        // Java's int cast truncates toward zero like Python's int(); & 0xff is numpy's uint8 wrap.
        return ((int) (20 * Math.sin(0.8 * col))) & 0xff;
    }

    @Override
    public byte[] apply(byte[] hwc, int h, int w, int c) {
        Attack.checkShape(hwc, h, w, c);
        double[] perCol = new double[w];
        for (int col = 0; col < w; col++) {
            perCol[col] = variant == Variant.REFERENCE
                    ? referenceMask(col)
                    : delta * Math.sin(2 * Math.PI * col * frequency / w);
        }
        byte[] out = new byte[hwc.length];
        double keep = 1 - alpha;
        for (int i = 0; i < hwc.length; i++) {
            int col = (i / c) % w;
            int x = hwc[i] & 0xff;
            double v = variant == Variant.REFERENCE ? keep * x + alpha * perCol[col] : x + perCol[col];
            out[i] = (byte) Pixels.truncate(v);
        }
        return out;
    }
}
