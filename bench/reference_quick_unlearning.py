"""The ABL repository's quick unlearning demo as its script runs it, on this machine's CIFAR-10 test set.

Starts from the repository's backdoored WRN-16-1 (a legacy torch.save file, its state dict under
"state_dict") and its isolated 1% (an object array of (image, label) pairs), and does what
quick_unlearning_demo.py does (spec 4.6): gradient ascent on the isolated images for 5 epochs,
unshuffled, no augmentation, batch 64, model in train mode, SGD 5e-4 with Nesterov momentum 0.9 and
weight decay 1e-4, no normalisation. Prints CA over all 10,000 test images, CA over the 9,000 outside
the target class (the repository's count) and ASR on those 9,000 with the grid trigger, before
unlearning and after each epoch, one line each (bench/quick-unlearning-vs-python).
"""
import argparse

import numpy as np
import torch
import torch.nn as nn

from reference_epoch import Wrn16x1, read


def grid(x):
    """ABL's gridTrigger: a 3x3 checkerboard in rows and columns 29-31, every channel (spec 2.2)."""
    x = x.copy()
    pattern = np.array([[0, 0, 255], [0, 255, 0], [255, 0, 255]], dtype=np.uint8)
    x[:, 29:32, 29:32, :] = pattern[None, :, :, None]
    return x


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--model", required=True)
    p.add_argument("--isolated", required=True)
    p.add_argument("--data", required=True)
    p.add_argument("--epochs", type=int, default=5)
    p.add_argument("--target", type=int, default=0)
    a = p.parse_args()
    torch.set_num_threads(max(1, torch.get_num_threads()))
    saved = torch.load(a.model, map_location="cpu")["state_dict"]
    m = Wrn16x1(10)
    # the two WRN-16-1 definitions list their tensors in the same order; names differ, shapes are checked
    own = m.state_dict()
    assert len(own) == len(saved)
    mapped = {}
    for (k, v), (k2, v2) in zip(own.items(), saved.items()):
        assert v.shape == v2.shape, (k, k2)
        mapped[k] = v2
    m.load_state_dict(mapped)
    pairs = np.load(a.isolated, allow_pickle=True)
    xi = torch.from_numpy(np.stack(pairs[:, 0])).float().div(255).permute(0, 3, 1, 2)
    yi = torch.tensor([int(v) for v in pairs[:, 1]])
    x, y = read(a.data, ["test_batch.bin"])
    keep = y != a.target
    sets = {"all": (x, y), "non_target": (x[keep], y[keep]), "triggered": (grid(x[keep]), np.full(keep.sum(), a.target))}

    def accuracy(xs, ys):
        m.eval()
        hits = 0
        with torch.no_grad():
            for i in range(0, len(ys), 1000):
                xb = torch.from_numpy(xs[i:i + 1000]).float().div(255).permute(0, 3, 1, 2)
                hits += int((m(xb).argmax(1).numpy() == ys[i:i + 1000]).sum())
        return 100.0 * hits / len(ys)

    def report(epoch):
        ca, ca9, asr = (accuracy(*sets[k]) for k in ("all", "non_target", "triggered"))
        print(f"python  epoch {epoch}: CA {ca:.2f}%  CA without the target class {ca9:.2f}%  ASR {asr:.2f}%", flush=True)

    report(0)
    opt = torch.optim.SGD(m.parameters(), lr=5e-4, momentum=0.9, weight_decay=1e-4, nesterov=True)
    loss_fn = nn.CrossEntropyLoss()
    for e in range(1, a.epochs + 1):
        m.train()
        for i in range(0, len(yi), 64):
            loss = -loss_fn(m(xi[i:i + 64]), yi[i:i + 64])
            opt.zero_grad()
            loss.backward()
            opt.step()
        report(e)


if __name__ == "__main__":
    main()
