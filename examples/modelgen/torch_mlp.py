"""A small PyTorch MLP classifier on iris, exported with torch.onnx.export.

The network is 4 -> 16 -> 3 (ReLU), trained full-batch with Adam on the raw
measurements. The exported graph takes ``input`` float32 [N, 4] and returns
``label`` int64 [N] (the arg-max class index) and ``probabilities`` float32
[N, 3] (softmax). Training runs on one thread with a fixed seed so that a
rerun produces the same weights.
"""

import numpy as np
import torch
from torch import nn

TORCH_SEED = 0
EPOCHS = 300
LEARNING_RATE = 0.05
ONNX_OPSET = 17


class IrisMLP(nn.Module):
    """4 -> 16 -> 3 multilayer perceptron returning class logits."""

    def __init__(self, n_features=4, hidden=16, n_classes=3):
        super().__init__()
        self.layers = nn.Sequential(nn.Linear(n_features, hidden), nn.ReLU(), nn.Linear(hidden, n_classes))

    def forward(self, x):
        """Class logits for a batch of rows."""
        return self.layers(x)


class LabelAndProbabilities(nn.Module):
    """Wraps a logits network so that it returns (label, probabilities)."""

    def __init__(self, network):
        super().__init__()
        self.network = network

    def forward(self, x):
        """Arg-max class index and softmax probabilities."""
        logits = self.network(x)
        return torch.argmax(logits, dim=1), torch.softmax(logits, dim=1)


def train(x_train, class_index):
    """Fit an IrisMLP on float32 rows and int64 class indices."""
    torch.manual_seed(TORCH_SEED)
    torch.set_num_threads(1)
    network = IrisMLP()
    optimiser = torch.optim.Adam(network.parameters(), lr=LEARNING_RATE)
    loss_fn = nn.CrossEntropyLoss()
    x = torch.from_numpy(np.asarray(x_train, dtype=np.float32))
    y = torch.from_numpy(np.asarray(class_index, dtype=np.int64))
    for _ in range(EPOCHS):
        optimiser.zero_grad()
        loss = loss_fn(network(x), y)
        loss.backward()
        optimiser.step()
    network.eval()
    return LabelAndProbabilities(network)


def predict(model, rows):
    """The wrapped model's (labels, probabilities) as numpy arrays."""
    with torch.no_grad():
        label, probabilities = model(torch.from_numpy(np.asarray(rows, dtype=np.float32)))
    return label.numpy(), probabilities.numpy()


def export(model, path):
    """Write the wrapped model as ONNX with a variable batch dimension."""
    example = torch.zeros((1, 4), dtype=torch.float32)
    torch.onnx.export(
        model,
        example,
        path,
        input_names=["input"],
        output_names=["label", "probabilities"],
        dynamic_axes={"input": {0: "N"}, "label": {0: "N"}, "probabilities": {0: "N"}},
        opset_version=ONNX_OPSET,
        do_constant_folding=True,
    )
