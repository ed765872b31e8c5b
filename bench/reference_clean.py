"""The clean WRN-16-1 recipe of configs/clean-cifar10-wrn16-1.yaml trained by Python PyTorch (bench/ca-vs-python).

Same data files, model (bench/reference_epoch.py's WRN-16-1), optimiser and schedule as `antidote run
configs/clean-cifar10-wrn16-1.yaml`: SGD 0.1, Nesterov momentum 0.9, weight decay 5e-4, batch 128,
cosine from 0.1 to 0 updated every step, random crop with 4 zero pixels of padding and horizontal
flip, no normalisation. Prints one line per epoch (test CA, seconds) and a last line with the final CA,
so that a CA gap between the two engines on this data can be told apart from a property of the data.
"""
import argparse
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F
from torch.utils.data import DataLoader

from reference_epoch import Cifar, Wrn16x1, read


def accuracy(model, images, labels):
    model.eval()
    right = 0
    with torch.no_grad():
        for s in range(0, len(labels), 1000):
            x = torch.from_numpy(images[s:s + 1000]).permute(0, 3, 1, 2).float().div(255)
            right += (model(x).argmax(1).numpy() == labels[s:s + 1000]).sum()
    model.train()
    return right / len(labels)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--data", required=True)
    p.add_argument("--epochs", type=int, default=30)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--threads", type=int, default=os.cpu_count(), help="intra-op threads (Debian's torch starts with 1)")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    np.random.seed(a.seed)
    test_images, test_labels = read(a.data, ["test_batch.bin"])
    model = Wrn16x1()
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, nesterov=True, weight_decay=5e-4)
    loader = DataLoader(Cifar(a.data, cutout=False), batch_size=128, shuffle=True, num_workers=a.workers)
    total = a.epochs * len(loader)
    step, start = 0, time.perf_counter()
    model.train()
    for epoch in range(1, a.epochs + 1):
        t0 = time.perf_counter()
        for x, y in loader:
            for g in opt.param_groups:
                g["lr"] = 0.5 * 0.1 * (1 + math.cos(math.pi * step / total))
            loss = F.cross_entropy(model(x), y)
            opt.zero_grad()
            loss.backward()
            opt.step()
            step += 1
        ca = accuracy(model, test_images, test_labels)
        print(f"epoch {epoch}: CA {100 * ca:.2f}% ({time.perf_counter() - t0:.0f} s)", flush=True)
    print(f"python torch {torch.__version__}, seed {a.seed}, {a.epochs} epochs: CA {100 * ca:.2f}% "
          f"in {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    sys.exit(main())
