package io.antidote.attack;

import java.util.Map;

/**
 * The reference trojanTrigger (§2.2): a fixed 3x3 RGB pattern added at rows and cols 25..27 of a
 * 32x32 image (4 pixels from the bottom and right edges on other sizes).
 */
public final class Trojan implements Attack {

    /** What happens when the sum passes 255. */
    public enum Overflow {
        /** The reference: float32 cast to uint8 wraps modulo 256 before the (then useless) clip (§9 item 9). */
        WRAP,
        /** The evident intent: clip at 255. */
        SATURATE
    }

    // floor of best_square_trigger_cifar10.npz's values: [channel][row][col], rows and cols 25..27.
    // Only the floor matters: adding it to an integer pixel and truncating gives the same uint8.
    private static final int[][][] PATTERN = {
            {{207, 175, 29}, {79, 137, 248}, {131, 6, 246}},
            {{131, 243, 232}, {8, 0, 113}, {40, 145, 250}},
            {{181, 120, 179}, {126, 32, 146}, {4, 61, 246}},
    };

    private final Overflow overflow;

    public Trojan(Overflow overflow) {
        this.overflow = overflow;
    }

    static Attack create(AttackParams p, AttackContext ctx) {
        String o = p.choice("overflow", "wrap", "wrap", "saturate");
        return new Trojan(o.equals("wrap") ? Overflow.WRAP : Overflow.SATURATE);
    }

    @Override
    public String name() { return "trojan"; }

    @Override
    public Map<String, String> parameters() {
        return Pixels.params("overflow", overflow.name().toLowerCase(java.util.Locale.ROOT));
    }

    @Override
    public byte[] apply(byte[] hwc, int h, int w, int c) {
        Attack.checkShape(hwc, h, w, c);
        Pixels.requireChannels("trojan", c, 3);
        Pixels.requireSize("trojan", h, w, 7, 7);
        byte[] out = hwc.clone();
        int top = h - 7, left = w - 7;
        for (int ch = 0; ch < 3; ch++) {
            for (int r = 0; r < 3; r++) {
                for (int k = 0; k < 3; k++) {
                    int sum = Pixels.at(out, w, c, top + r, left + k, ch) + PATTERN[ch][r][k];
                    Pixels.set(out, w, c, top + r, left + k, ch, overflow == Overflow.WRAP ? sum & 0xff : Math.min(sum, 255));
                }
            }
        }
        return out;
    }
}
