"""One ABL fine-tuning epoch the way the Python reference runs it, timed (bench/vs-python).

The unit of work matches `antidote train --augment abl-nad`: WRN-16-1 (spec section 3.1),
CIFAR-10's 50,000 training images, per-sample PIL transforms (random crop with 4 zero pixels of
padding, horizontal flip, to [0, 1] floats, a 2x2 Cutout hole) through a torch DataLoader,
batch 128, shuffled, SGD 0.1 with Nesterov momentum 0.9 and weight decay 1e-4, no normalisation.
Prints one line: images per second of the training loop (data loading included, evaluation not).
"""
import argparse
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from PIL import Image
from torch.utils.data import DataLoader, Dataset
from torchvision import transforms


class Unit(nn.Module):
    """Pre-activation residual unit; the shortcut is a 1x1 conv on the activated input when widths differ."""

    def __init__(self, cin, cout, stride):
        super().__init__()
        self.bn1 = nn.BatchNorm2d(cin)
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.short = None if cin == cout else nn.Conv2d(cin, cout, 1, stride, 0, bias=False)

    def forward(self, x):
        a = F.relu(self.bn1(x))
        h = self.conv2(F.relu(self.bn2(self.conv1(a))))
        return (x if self.short is None else self.short(a)) + h


class Wrn16x1(nn.Module):
    def __init__(self, classes=10):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 16, 3, 1, 1, bias=False)
        plan = [(16, 16, 1), (16, 16, 1), (16, 32, 2), (32, 32, 1), (32, 64, 2), (64, 64, 1)]
        self.units = nn.Sequential(*[Unit(i, o, s) for i, o, s in plan])
        self.bn = nn.BatchNorm2d(64)
        self.fc = nn.Linear(64, classes)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                k = m.kernel_size[0] * m.kernel_size[1] * m.out_channels
                m.weight.data.normal_(0, math.sqrt(2.0 / k))
            elif isinstance(m, nn.Linear):
                m.bias.data.zero_()

    def forward(self, x):
        h = F.relu(self.bn(self.units(self.conv1(x))))
        return self.fc(F.avg_pool2d(h, 8).flatten(1))


class Cutout:
    """One hole of length 3 whose exclusive upper bound makes it 2x2, as the reference's (spec 1.2)."""

    def __call__(self, t):
        y, x = np.random.randint(32), np.random.randint(32)
        t[:, max(y - 1, 0):min(y + 1, 32), max(x - 1, 0):min(x + 1, 32)] = 0
        return t


def read(root, names):
    """Images (N x 32 x 32 x 3, uint8) and labels of CIFAR-10 binary batch files."""
    raw = b"".join(open(os.path.join(root, n), "rb").read() for n in names)
    rec = np.frombuffer(raw, dtype=np.uint8).reshape(-1, 3073)
    return rec[:, 1:].reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1).copy(), rec[:, 0].astype(np.int64)


class Cifar(Dataset):
    def __init__(self, root, cutout=True):
        self.images, self.labels = read(root, [f"data_batch_{i}.bin" for i in range(1, 6)])
        self.tf = transforms.Compose([transforms.RandomCrop(32, padding=4), transforms.RandomHorizontalFlip(),
                                      transforms.ToTensor()] + ([Cutout()] if cutout else []))

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        return self.tf(Image.fromarray(self.images[i])), self.labels[i]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--data", required=True)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--precision", choices=["fp32", "bf16"], default="fp32")
    p.add_argument("--batches", type=int, default=0, help="stop after this many batches (0: the whole epoch)")
    p.add_argument("--threads", type=int, default=os.cpu_count(), help="intra-op threads (Debian's torch starts with 1)")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    np.random.seed(1)
    model = Wrn16x1()
    if a.precision == "bf16":
        model = model.to(memory_format=torch.channels_last)
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, nesterov=True, weight_decay=1e-4)
    loader = DataLoader(Cifar(a.data), batch_size=128, shuffle=True, num_workers=a.workers)
    model.train()
    seen, t0 = 0, time.perf_counter()
    for n, (x, y) in enumerate(loader):
        if a.batches and n >= a.batches:
            break
        if a.precision == "bf16":
            x = x.contiguous(memory_format=torch.channels_last)
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=a.precision == "bf16"):
            loss = F.cross_entropy(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        seen += len(y)
    secs = time.perf_counter() - t0
    print(f"python torch {torch.__version__} {a.precision} workers {a.workers}: {seen} images in {secs:.1f} s, "
          f"{seen / secs:.0f} img/s, threads {torch.get_num_threads()}")


if __name__ == "__main__":
    sys.exit(main())
