"""One ASD epoch the way the Python reference runs it, timed (bench/vs-python-asd).

The unit of work matches an `antidote defend asd` epoch in stage 2 (spec section 6.3): WRN-16-1 on
CIFAR-10 with ASD's 2x2 BadNets patch (5% Bernoulli over the non-target images, target 3) applied
before augmentation; reflect-padded crop, flip and mean/std normalisation per sample through torch
DataLoaders; one pass over the 50,000 training images in eval mode recording the symmetric
cross-entropy (batch 128); the half with the lowest loss as the labelled pool; then N MixMatch steps
(batch 64 labelled and 64 unlabelled with two views, sharpening, mixup, three interleaved passes,
Adam 0.002), spec section 6.5. Prints one line: seconds for the epoch (data loading included,
evaluation not) and MixMatch training images per second.
"""
import argparse
import math
import os
import random
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image
from torch.utils.data import DataLoader, Dataset
from torchvision import transforms

from reference_epoch import Wrn16x1

PATCH = {(4, 4): (180, 249, 112), (4, 5): (155, 50, 126), (5, 4): (234, 82, 68), (5, 5): (187, 201, 219)}
MEAN, STD = (0.4914, 0.4822, 0.4465), (0.2023, 0.1994, 0.2010)


def load(root, rate, target):
    raw = b"".join(open(os.path.join(root, f"data_batch_{i}.bin"), "rb").read() for i in range(1, 6))
    rec = np.frombuffer(raw, dtype=np.uint8).reshape(-1, 3073)
    labels = rec[:, 0].astype(np.int64)
    images = rec[:, 1:].reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1).copy()
    rng = random.Random(1)
    poisoned = np.array([rng.random() < rate and y != target for y in labels])
    labels[poisoned] = target
    return images, labels, poisoned


class Poisoned(Dataset):
    """Indices into the poisoned set; the patch goes on before the augmentation, `views` fresh views each."""

    def __init__(self, images, labels, poisoned, index, views):
        self.images, self.labels, self.poisoned, self.index, self.views = images, labels, poisoned, index, views
        self.tf = transforms.Compose([transforms.RandomCrop(32, padding=4, padding_mode="reflect"),
                                      transforms.RandomHorizontalFlip(), transforms.ToTensor(),
                                      transforms.Normalize(MEAN, STD)])

    def __len__(self):
        return len(self.index)

    def __getitem__(self, k):
        i = self.index[k]
        img = self.images[i]
        if self.poisoned[i]:
            img = img.copy()
            for (r, c), rgb in PATCH.items():
                img[r, c] = rgb
        pil = Image.fromarray(img)
        if self.views == 1:
            return self.tf(pil), self.labels[i]
        return tuple(self.tf(pil) for _ in range(self.views))


def sce(logits, y, alpha=0.1, beta=1.0):
    p = F.softmax(logits, 1).clamp(1e-7, 1.0)
    q = F.one_hot(y, logits.shape[1]).float().clamp(1e-4, 1.0)
    return alpha * F.cross_entropy(logits, y, reduction="none") - beta * (p * q.log()).sum(1)


def forever(loader):
    while True:
        yield from loader


def interleave(chunks):
    """Swaps slices 1 and 2 of the first chunk with the same slices of the second and third (spec 6.5)."""
    n = chunks[0].shape[0]
    cut = [0, n // 3, 2 * (n // 3), n]
    parts = [[c[cut[j]:cut[j + 1]] for j in range(3)] for c in chunks]
    for j in (1, 2):
        parts[0][j], parts[j][j] = parts[j][j], parts[0][j]
    return [torch.cat(p) for p in parts]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--data", required=True)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--iterations", type=int, default=1024)
    p.add_argument("--threads", type=int, default=os.cpu_count(), help="intra-op threads (Debian's torch starts with 1)")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    np.random.seed(1)
    images, labels, poisoned = load(a.data, 0.05, 3)
    model = Wrn16x1()
    opt = torch.optim.Adam(model.parameters(), lr=0.002)
    every = np.arange(len(labels))

    t0 = time.perf_counter()
    model.eval()
    losses = torch.empty(len(labels))
    with torch.no_grad():
        at = 0
        for x, y in DataLoader(Poisoned(images, labels, poisoned, every, 1), batch_size=128, num_workers=a.workers):
            losses[at:at + len(y)] = sce(model(x), y)
            at += len(y)
    order = torch.argsort(losses).numpy()
    lab, unl = order[:len(order) // 2], order[len(order) // 2:]
    xs = forever(DataLoader(Poisoned(images, labels, poisoned, lab, 1), batch_size=64, shuffle=True, drop_last=True,
                            num_workers=a.workers))
    us = forever(DataLoader(Poisoned(images, labels, poisoned, unl, 2), batch_size=64, shuffle=True, drop_last=True,
                            num_workers=a.workers))
    model.train()
    t1 = time.perf_counter()
    for i in range(a.iterations):
        x, y = next(xs)
        u1, u2 = next(us)
        with torch.no_grad():
            q = (F.softmax(model(u1), 1) + F.softmax(model(u2), 1)) / 2
            q = q ** 2
            q = q / q.sum(1, keepdim=True)
        inputs = torch.cat([x, u1, u2])
        targets = torch.cat([F.one_hot(y, 10).float(), q, q])
        lam = np.random.beta(0.75, 0.75)
        lam = max(lam, 1 - lam)
        perm = torch.randperm(inputs.shape[0])
        mixed = lam * inputs + (1 - lam) * inputs[perm]
        mixed_t = lam * targets + (1 - lam) * targets[perm]
        n = x.shape[0]
        logits = interleave([model(c) for c in interleave(list(torch.split(mixed, n)))])
        lx = -(F.log_softmax(logits[0], 1) * mixed_t[:n]).sum(1).mean()
        lu = ((F.softmax(torch.cat(logits[1:]), 1) - mixed_t[n:]) ** 2).mean()
        loss = lx + 15 * min(i / a.iterations / 120, 1.0) * lu
        opt.zero_grad()
        loss.backward()
        opt.step()
    t2 = time.perf_counter()
    trained = a.iterations * 3 * n
    print(f"python torch {torch.__version__} fp32 workers {a.workers}: epoch {t2 - t0:.1f} s (recording {t1 - t0:.1f} s), "
          f"{trained / (t2 - t1):.0f} MixMatch img/s, threads {torch.get_num_threads()}")


if __name__ == "__main__":
    sys.exit(main())
