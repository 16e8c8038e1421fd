"""Checks run on every generated model before the generator reports success.

ONNX files go through onnx.checker; PMML files are parsed and their data
dictionary compared with the features. For tree models the exporters' own
view of each tree (the float64-adjusted thresholds) is walked on the
held-out rows and must reach the leaves scikit-learn reaches. Numeric
agreement of ONNX with ONNX Runtime is checked by the Go tests.
"""

import xml.etree.ElementTree as ET

import numpy as np
import onnx

from exporters.pmml_export import PMML_NAMESPACE, PMML_VERSION
from exporters.sklearn_trees import tree_nodes


class VerificationError(Exception):
    """A generated file does not say what it should."""


def check_onnx(path, output_names):
    """Check an ONNX file with onnx.checker and its input/output names."""
    model = onnx.load(path)
    onnx.checker.check_model(model, full_check=True)
    inputs = [value.name for value in model.graph.input]
    outputs = [value.name for value in model.graph.output]
    if inputs != ["input"]:
        raise VerificationError(f"{path}: inputs {inputs}, want ['input']")
    if outputs != list(output_names):
        raise VerificationError(f"{path}: outputs {outputs}, want {list(output_names)}")


def check_pmml(path, features, target_name):
    """Parse a PMML file and check its version and DataDictionary fields."""
    root = ET.parse(path).getroot()
    if root.tag != f"{{{PMML_NAMESPACE}}}PMML" or root.get("version") != PMML_VERSION:
        raise VerificationError(f"{path}: root is {root.tag} version {root.get('version')}, want PMML {PMML_VERSION}")
    fields = [field.get("name") for field in root.iter(f"{{{PMML_NAMESPACE}}}DataField")]
    if fields != list(features) + [target_name]:
        raise VerificationError(f"{path}: DataDictionary fields {fields}, want {list(features) + [target_name]}")


def check_tree_walks(trees, frame):
    """Walking each exported tree in float64 must reach scikit-learn's leaves."""
    rows = frame.to_numpy(dtype=np.float64)
    for index, tree in enumerate(trees):
        nodes = tree_nodes(tree)
        # Trees inside ensembles were fitted on arrays, a lone tree on the frame.
        want = tree.apply(frame if hasattr(tree, "feature_names_in_") else rows)
        for row_index, row in enumerate(rows):
            node = nodes[0]
            while not node.is_leaf:
                node = nodes[node.left if row[node.feature] <= node.threshold else node.right]
            if node.node_id != want[row_index]:
                raise VerificationError(
                    f"tree {index}: row {row_index} reaches leaf {node.node_id}, scikit-learn reaches {want[row_index]}"
                )
