"""Writes the serving benchmarks' compute-bound model: an ONNX MLP.

examples/models/iris_mlp (4 -> 16 -> 3) costs a few microseconds per call,
so HTTP, not the model, would decide its numbers. This network is wide
enough that inference dominates a single-row request and that batching rows
pays (a matrix-vector product per row becomes one matrix-matrix product).
Weights are random (seeded): the benchmark measures compute, not accuracy.

    /usr/bin/python3 bench/make_mlp.py OUT.onnx [--features 32] [--hidden 2048] [--layers 3]

Outputs follow mlctl's classifier convention: ``label`` int64 [N] and
``probabilities`` float32 [N, classes]; input ``input`` float32 [N, features].
"""

import argparse

import torch
from torch import nn


class MLP(nn.Module):
    def __init__(self, features, hidden, layers, classes):
        super().__init__()
        parts, width = [], features
        for _ in range(layers):
            parts += [nn.Linear(width, hidden), nn.ReLU()]
            width = hidden
        parts.append(nn.Linear(width, classes))
        self.net = nn.Sequential(*parts)

    def forward(self, x):
        probabilities = torch.softmax(self.net(x), dim=1)
        return torch.argmax(probabilities, dim=1), probabilities


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("out")
    p.add_argument("--features", type=int, default=32)
    p.add_argument("--hidden", type=int, default=2048)
    p.add_argument("--layers", type=int, default=3)
    p.add_argument("--classes", type=int, default=10)
    a = p.parse_args()
    torch.manual_seed(0)
    model = MLP(a.features, a.hidden, a.layers, a.classes).eval()
    torch.onnx.export(
        model,
        torch.zeros((1, a.features), dtype=torch.float32),
        a.out,
        input_names=["input"],
        output_names=["label", "probabilities"],
        dynamic_axes={"input": {0: "N"}, "label": {0: "N"}, "probabilities": {0: "N"}},
        opset_version=13,
        do_constant_folding=True,
    )


if __name__ == "__main__":
    main()
