package io.antidote.nn;

import org.bytedeco.pytorch.BatchNorm2dImpl;
import org.bytedeco.pytorch.Conv2dImpl;
import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

import java.util.List;

/**
 * Wide ResNet WRN-d-k as in the ABL/NAD references (pre-activation units, dropout 0); parameter
 * names equal the reference state_dict keys, so its checkpoints map one to one.
 */
public final class WideResNet extends Network {
    private final Conv2dImpl conv1;
    private final Group block1, block2, block3;
    private final BatchNorm2dImpl bn1;
    private final LinearImpl fc;
    private final int finalChannels;

    public WideResNet(int depth, int widen, int numClasses) {
        if ((depth - 4) % 6 != 0) throw new io.antidote.BadInputException("WRN depth " + depth + " must be 6n+4");
        int n = (depth - 4) / 6;
        int[] ch = {16, 16 * widen, 32 * widen, 64 * widen};
        conv1 = register_module("conv1", conv(3, ch[0], 3, 1, 1));
        block1 = register_module("block1", new Group(n, ch[0], ch[1], 1));
        block2 = register_module("block2", new Group(n, ch[1], ch[2], 2));
        block3 = register_module("block3", new Group(n, ch[2], ch[3], 2));
        bn1 = register_module("bn1", bn(ch[3]));
        fc = register_module("fc", linear(ch[3], numClasses));
        try (var g = new org.bytedeco.pytorch.NoGradGuard()) {
            fc.bias().zero_();
        }
        finalChannels = ch[3];
    }

    @Override
    public Tensor[] forwardTaps(Tensor x) {
        Tensor h = conv1.forward(x);
        Tensor a1 = block1.forward(h);
        Tensor a2 = block2.forward(a1);
        Tensor a3 = block3.forward(a2);
        Tensor o = torch.relu(bn1.forward(a3));
        o = torch.adaptive_avg_pool2d(o, 1, 1).flatten(1, -1);
        return new Tensor[]{a1, a2, a3, fc.forward(o)};
    }

    @Override
    public Tensor headInputs(Tensor x) {
        Tensor h = block3.forward(block2.forward(block1.forward(conv1.forward(x))));
        return torch.adaptive_avg_pool2d(torch.relu(bn1.forward(h)), 1, 1).flatten(1, -1);
    }

    @Override
    public List<String> tapNames() {
        return List.of("block1", "block2", "block3");
    }

    @Override
    public String headName() {
        return "fc";
    }

    /** One residual group: n pre-activation units, the first changing width and stride. */
    static final class Group extends Module {
        private final Module layer;
        private final Unit[] units;

        Group(int n, int in, int out, int stride) {
            layer = register_module("layer", new Module());
            units = new Unit[n];
            for (int i = 0; i < n; i++) {
                units[i] = layer.register_module(Integer.toString(i), new Unit(i == 0 ? in : out, out, i == 0 ? stride : 1));
            }
        }

        Tensor forward(Tensor x) {
            for (Unit u : units) x = u.forward(x);
            return x;
        }
    }

    /** Pre-activation unit: the shortcut conv sees the activated input, the identity shortcut the raw one. */
    static final class Unit extends Module {
        private final BatchNorm2dImpl bn1, bn2;
        private final Conv2dImpl conv1, conv2, convShortcut;

        Unit(int in, int out, int stride) {
            bn1 = register_module("bn1", bn(in));
            conv1 = register_module("conv1", conv(in, out, 3, stride, 1));
            bn2 = register_module("bn2", bn(out));
            conv2 = register_module("conv2", conv(out, out, 3, 1, 1));
            convShortcut = in == out ? null : register_module("convShortcut", conv(in, out, 1, stride, 0));
        }

        Tensor forward(Tensor x) {
            Tensor a = torch.relu(bn1.forward(x));
            Tensor h = conv1.forward(a);
            h = conv2.forward(torch.relu(bn2.forward(h)));
            return (convShortcut == null ? x : convShortcut.forward(a)).add(h);
        }
    }
}
