"""Helpers shared by the PMML and ONNX exporters for scikit-learn trees.

scikit-learn casts inputs to float32 before it walks a tree and compares
``float32(x) <= threshold`` where ``threshold`` is a float64. PMML and our
ONNX graphs compare the float64 input directly, so each threshold is moved to
the largest float64 ``t'`` for which ``x <= t'`` holds exactly when
``float32(x) <= threshold`` does. With that, every split decision (and hence
every leaf, label and probability) matches scikit-learn for every input, not
only for the rows we happened to test.
"""

import math
from dataclasses import dataclass

import numpy as np

_FLOAT32_UP = np.float32(np.inf)
_FLOAT32_DOWN = np.float32(-np.inf)


def float64_split_threshold(threshold):
    """Return the largest float64 x such that float32(x) <= threshold."""
    threshold = float(threshold)
    below = np.float32(threshold)
    if float(below) > threshold:
        below = np.nextafter(below, _FLOAT32_DOWN)
    above = np.nextafter(below, _FLOAT32_UP)
    if np.isinf(above):
        return math.inf
    # Every float64 strictly between `below` and `above` rounds to the nearer
    # one; the exact midpoint rounds to the one with an even mantissa.
    midpoint = (float(below) + float(above)) / 2.0
    if np.float32(midpoint) == below:
        return midpoint
    return float(np.nextafter(midpoint, -math.inf))


@dataclass(frozen=True)
class TreeNode:
    """One node of a fitted scikit-learn tree, in the tree's own numbering.

    For a split, ``left`` is taken when ``x[feature] <= threshold`` (the
    float64-adjusted threshold). For a leaf, ``left``/``right`` are -1 and
    ``value`` holds the leaf's output: weighted class counts for a classifier,
    the predicted value for a regressor.
    """

    node_id: int
    feature: int
    threshold: float
    left: int
    right: int
    value: tuple

    @property
    def is_leaf(self):
        """True for a leaf node."""
        return self.left == -1


def tree_nodes(tree_estimator):
    """List the nodes of a fitted tree estimator in node-id order."""
    tree = tree_estimator.tree_
    nodes = []
    for node_id in range(tree.node_count):
        left = int(tree.children_left[node_id])
        right = int(tree.children_right[node_id])
        is_leaf = left == -1
        nodes.append(
            TreeNode(
                node_id=node_id,
                feature=-1 if is_leaf else int(tree.feature[node_id]),
                threshold=0.0 if is_leaf else float64_split_threshold(tree.threshold[node_id]),
                left=left,
                right=right,
                value=tuple(float(v) for v in tree.value[node_id][0]),
            )
        )
    return nodes


def leaf_probabilities(counts):
    """Normalise a leaf's weighted class counts the way predict_proba does."""
    total = np.asarray(counts, dtype=np.float64)
    normaliser = total.sum()
    if normaliser == 0.0:
        normaliser = 1.0
    return [float(p) for p in total / normaliser]
