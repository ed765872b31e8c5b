package io.antidote.nn;

import org.bytedeco.pytorch.BatchNorm2dImpl;
import org.bytedeco.pytorch.Conv2dImpl;
import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

import java.util.List;

/**
 * CIFAR ResNet-18 (3x3 stem, no max-pool, post-activation basic blocks) as ASD/DBD use it, or its
 * pre-activation variant; names follow the common layerN.i.convK / shortcut.0|1 / linear layout.
 */
public final class ResNet18 extends Network {
    private final boolean preact;
    private final Conv2dImpl conv1;
    private final BatchNorm2dImpl bn1;
    private final Stage[] stages = new Stage[4];
    private final LinearImpl linear;

    public ResNet18(int numClasses, boolean preact) {
        this.preact = preact;
        conv1 = register_module("conv1", conv(3, 64, 3, 1, 1));
        // the pre-activation variant normalises at the end (its first unit does BN itself)
        bn1 = register_module("bn1", bn(preact ? 512 : 64));
        int[] ch = {64, 128, 256, 512};
        int in = 64;
        for (int s = 0; s < 4; s++) {
            stages[s] = register_module("layer" + (s + 1), new Stage(in, ch[s], s == 0 ? 1 : 2, preact));
            in = ch[s];
        }
        linear = register_module("linear", linear(512, numClasses));
    }

    @Override
    public Tensor[] forwardTaps(Tensor x) {
        Tensor h = conv1.forward(x);
        if (!preact) h = torch.relu(bn1.forward(h));
        Tensor[] out = new Tensor[5];
        for (int s = 0; s < 4; s++) {
            h = stages[s].forward(h);
            out[s] = h;
        }
        if (preact) h = torch.relu(bn1.forward(h));
        h = torch.adaptive_avg_pool2d(h, 1, 1).flatten(1, -1);
        out[4] = linear.forward(h);
        return out;
    }

    @Override
    public Tensor headInputs(Tensor x) {
        Tensor h = conv1.forward(x);
        if (!preact) h = torch.relu(bn1.forward(h));
        for (Stage s : stages) h = s.forward(h);
        if (preact) h = torch.relu(bn1.forward(h));
        return torch.adaptive_avg_pool2d(h, 1, 1).flatten(1, -1);
    }

    @Override
    public List<String> tapNames() {
        return List.of("layer1", "layer2", "layer3", "layer4");
    }

    @Override
    public String headName() {
        return "linear";
    }

    static final class Stage extends Module {
        private final Block a, b;

        Stage(int in, int out, int stride, boolean preact) {
            a = register_module("0", new Block(in, out, stride, preact));
            b = register_module("1", new Block(out, out, 1, preact));
        }

        Tensor forward(Tensor x) {
            return b.forward(a.forward(x));
        }
    }

    /** Basic block; post-activation (conv-bn-relu-conv-bn + shortcut, relu) or pre-activation (bn-relu-conv twice). */
    static final class Block extends Module {
        private final boolean preact;
        private final Conv2dImpl conv1, conv2, shortcutConv;
        private final BatchNorm2dImpl bn1, bn2, shortcutBn;
        // held so the GC cannot collect it: libtorch calls back into the Java object (e.g. on train())
        private final Module shortcut;

        Block(int in, int out, int stride, boolean preact) {
            this.preact = preact;
            bn1 = register_module("bn1", bn(preact ? in : out));
            conv1 = register_module("conv1", conv(in, out, 3, stride, 1));
            bn2 = register_module("bn2", bn(out));
            conv2 = register_module("conv2", conv(out, out, 3, 1, 1));
            if (stride != 1 || in != out) {
                shortcut = register_module("shortcut", new Module());
                shortcutConv = shortcut.register_module("0", conv(in, out, 1, stride, 0));
                shortcutBn = preact ? null : shortcut.register_module("1", bn(out));
            } else {
                shortcut = null;
                shortcutConv = null;
                shortcutBn = null;
            }
        }

        Tensor forward(Tensor x) {
            if (preact) {
                Tensor a = torch.relu(bn1.forward(x));
                Tensor sc = shortcutConv == null ? x : shortcutConv.forward(a);
                Tensor h = conv1.forward(a);
                h = conv2.forward(torch.relu(bn2.forward(h)));
                return h.add(sc);
            }
            Tensor h = torch.relu(bn1.forward(conv1.forward(x)));
            h = bn2.forward(conv2.forward(h));
            Tensor sc = shortcutConv == null ? x : shortcutBn.forward(shortcutConv.forward(x));
            return torch.relu(h.add(sc));
        }
    }
}
