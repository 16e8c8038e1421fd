"""Export fitted scikit-learn estimators to ONNX (opset 17 + ai.onnx.ml 3).

Every graph takes one input, ``input``: float64 [N, n_features]. Outputs:

* classifiers: ``label`` (string [N]) and ``probabilities`` ([N, C], columns
  in ``classes_`` order); no ZipMap.
* regressors: ``variable`` ([N, 1]).

How each estimator is built, and the precision of its outputs:

* LogisticRegression: MatMul + Add + Softmax (Sigmoid for binary models) in
  float64 with standard operators; the label is ArgMax of the scores (as
  predict does) looked up in a string constant with Gather. Outputs are
  float64 and agree with scikit-learn to rounding.
* RandomForestClassifier: ai.onnx.ml TreeEnsembleClassifier with
  classlabels_strings; each leaf votes its class probabilities divided by
  the number of trees, so the sum is predict_proba's average.
* DecisionTreeClassifier: ai.onnx.ml TreeEnsembleRegressor with one target
  per class (the leaf's class probabilities), then ArgMax and Gather for the
  label. This avoids TreeEnsembleClassifier's special handling of two
  classes, whose output differs between runtimes.
* DecisionTreeRegressor / GradientBoostingRegressor: ai.onnx.ml
  TreeEnsembleRegressor (SUM of learning_rate * leaf value plus the initial
  mean as the base value).

The tree operators' outputs are float32 by the ONNX specification, so tree
models are exact in their labels (split thresholds are float64 tensors,
adjusted as described in ``sklearn_trees``) but their probabilities and
predictions are float32 roundings of scikit-learn's values.
"""

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper
from sklearn.dummy import DummyRegressor
from sklearn.ensemble import GradientBoostingRegressor, RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from .sklearn_trees import leaf_probabilities, tree_nodes

ONNX_OPSET = 17
ONNX_ML_OPSET = 3
ONNX_IR_VERSION = 8
INPUT_NAME = "input"


def export_onnx(estimator, n_features, path, doc=""):
    """Write ``estimator`` as an ONNX model to ``path``."""
    model = onnx_model(estimator, n_features, doc)
    onnx.checker.check_model(model, full_check=True)
    with open(path, "wb") as out:
        out.write(model.SerializeToString())


def onnx_model(estimator, n_features, doc=""):
    """Build the ONNX ModelProto for ``estimator``.

    The precision of its numeric outputs ("float64" or "float32") is
    recorded in the model's metadata as ``output_precision``.
    """
    if isinstance(estimator, LogisticRegression):
        nodes, outputs, initializers = _logistic_regression(estimator)
        precision = "float64"
    elif isinstance(estimator, RandomForestClassifier):
        nodes, outputs, initializers = _forest_classifier(estimator)
        precision = "float32"
    elif isinstance(estimator, DecisionTreeClassifier):
        nodes, outputs, initializers = _tree_classifier(estimator)
        precision = "float32"
    elif isinstance(estimator, DecisionTreeRegressor):
        nodes, outputs, initializers = _tree_regressor([estimator], scale=1.0, base=0.0)
        precision = "float32"
    elif isinstance(estimator, GradientBoostingRegressor):
        nodes, outputs, initializers = _gradient_boosting(estimator)
        precision = "float32"
    else:
        raise TypeError(f"onnx export: unsupported estimator {type(estimator).__name__}")

    graph = helper.make_graph(
        nodes,
        type(estimator).__name__,
        [helper.make_tensor_value_info(INPUT_NAME, TensorProto.DOUBLE, ["N", n_features])],
        outputs,
        initializer=initializers,
    )
    model = helper.make_model(
        graph,
        opset_imports=[helper.make_opsetid("", ONNX_OPSET), helper.make_opsetid("ai.onnx.ml", ONNX_ML_OPSET)],
        producer_name="mlctl-examples",
        producer_version="1.0.0",
        doc_string=doc,
    )
    model.ir_version = ONNX_IR_VERSION
    helper.set_model_props(model, {"output_precision": precision})
    return model


def output_precision(model):
    """The precision recorded by onnx_model: "float64" or "float32"."""
    for prop in model.metadata_props:
        if prop.key == "output_precision":
            return prop.value
    raise KeyError("model has no output_precision metadata")


def _label_outputs(n_classes, probability_type):
    return [
        helper.make_tensor_value_info("label", TensorProto.STRING, ["N"]),
        helper.make_tensor_value_info("probabilities", probability_type, ["N", n_classes]),
    ]


def _class_constant(estimator):
    labels = np.array([str(label).encode("utf-8") for label in estimator.classes_], dtype=object)
    return numpy_helper.from_array(labels, name="class_labels")


def _gather_label(index_name):
    """Nodes mapping an int64 [N] class index to the string label [N]."""
    return helper.make_node("Gather", ["class_labels", index_name], ["label"], axis=0)


def _logistic_regression(estimator):
    classes = list(estimator.classes_)
    weights = np.asarray(estimator.coef_, dtype=np.float64).T.copy()
    bias = np.asarray(estimator.intercept_, dtype=np.float64)
    initializers = [
        numpy_helper.from_array(weights, name="coefficients"),
        numpy_helper.from_array(bias, name="intercepts"),
        _class_constant(estimator),
    ]
    nodes = [
        helper.make_node("MatMul", [INPUT_NAME, "coefficients"], ["product"]),
        helper.make_node("Add", ["product", "intercepts"], ["scores"]),
    ]
    if len(classes) == 2:
        # One score column for classes_[1]: probability expit(score), label
        # classes_[1] when the score is positive.
        initializers += [
            numpy_helper.from_array(np.array(1.0), name="one"),
            numpy_helper.from_array(np.array(0.0), name="zero"),
            numpy_helper.from_array(np.array([1], dtype=np.int64), name="axis_one"),
        ]
        nodes += [
            helper.make_node("Sigmoid", ["scores"], ["positive"]),
            helper.make_node("Sub", ["one", "positive"], ["negative"]),
            helper.make_node("Concat", ["negative", "positive"], ["probabilities"], axis=1),
            helper.make_node("Greater", ["scores", "zero"], ["is_positive"]),
            helper.make_node("Cast", ["is_positive"], ["positive_index"], to=TensorProto.INT64),
            helper.make_node("Squeeze", ["positive_index", "axis_one"], ["class_index"]),
        ]
    elif estimator.multi_class in ("multinomial", "auto") and estimator.solver != "liblinear":
        nodes += [
            helper.make_node("Softmax", ["scores"], ["probabilities"], axis=1),
            helper.make_node("ArgMax", ["scores"], ["class_index"], axis=1, keepdims=0),
        ]
    else:
        raise TypeError("onnx export: only multinomial or binary LogisticRegression is supported")
    nodes.append(_gather_label("class_index"))
    return nodes, _label_outputs(len(classes), TensorProto.DOUBLE), initializers


def _ensemble_nodes(trees):
    """The nodes_* attributes of a tree ensemble, and its leaves.

    Returns (attributes, leaves) where leaves is a list of (tree_id, TreeNode).
    """
    attributes = {key: [] for key in ("treeids", "nodeids", "featureids", "modes", "values", "truenodeids", "falsenodeids")}
    leaves = []
    for tree_id, tree in enumerate(trees):
        for node in tree_nodes(tree):
            attributes["treeids"].append(tree_id)
            attributes["nodeids"].append(node.node_id)
            if node.is_leaf:
                leaves.append((tree_id, node))
                attributes["featureids"].append(0)
                attributes["modes"].append("LEAF")
                attributes["values"].append(0.0)
                attributes["truenodeids"].append(0)
                attributes["falsenodeids"].append(0)
            else:
                attributes["featureids"].append(node.feature)
                attributes["modes"].append("BRANCH_LEQ")
                attributes["values"].append(node.threshold)
                attributes["truenodeids"].append(node.left)
                attributes["falsenodeids"].append(node.right)
    return {
        "nodes_treeids": attributes["treeids"],
        "nodes_nodeids": attributes["nodeids"],
        "nodes_featureids": attributes["featureids"],
        "nodes_modes": attributes["modes"],
        "nodes_values_as_tensor": _double_tensor(attributes["values"]),
        "nodes_truenodeids": attributes["truenodeids"],
        "nodes_falsenodeids": attributes["falsenodeids"],
    }, leaves


def _double_tensor(values):
    return numpy_helper.from_array(np.asarray(values, dtype=np.float64))


def _forest_classifier(forest):
    attributes, leaves = _ensemble_nodes(forest.estimators_)
    n_trees = len(forest.estimators_)
    n_classes = len(forest.classes_)
    tree_ids, node_ids, class_ids, weights = [], [], [], []
    for tree_id, leaf in leaves:
        for class_id, probability in enumerate(leaf_probabilities(leaf.value)):
            tree_ids.append(tree_id)
            node_ids.append(leaf.node_id)
            class_ids.append(class_id)
            weights.append(probability / n_trees)
    node = helper.make_node(
        "TreeEnsembleClassifier",
        [INPUT_NAME],
        ["label", "probabilities"],
        domain="ai.onnx.ml",
        classlabels_strings=[str(label) for label in forest.classes_],
        class_treeids=tree_ids,
        class_nodeids=node_ids,
        class_ids=class_ids,
        class_weights_as_tensor=_double_tensor(weights),
        post_transform="NONE",
        **attributes,
    )
    return [node], _label_outputs(n_classes, TensorProto.FLOAT), []


def _tree_classifier(tree):
    attributes, leaves = _ensemble_nodes([tree])
    n_classes = len(tree.classes_)
    tree_ids, node_ids, target_ids, weights = [], [], [], []
    for tree_id, leaf in leaves:
        for class_id, probability in enumerate(leaf_probabilities(leaf.value)):
            tree_ids.append(tree_id)
            node_ids.append(leaf.node_id)
            target_ids.append(class_id)
            weights.append(probability)
    nodes = [
        helper.make_node(
            "TreeEnsembleRegressor",
            [INPUT_NAME],
            ["probabilities"],
            domain="ai.onnx.ml",
            n_targets=n_classes,
            target_treeids=tree_ids,
            target_nodeids=node_ids,
            target_ids=target_ids,
            target_weights_as_tensor=_double_tensor(weights),
            aggregate_function="SUM",
            post_transform="NONE",
            **attributes,
        ),
        helper.make_node("ArgMax", ["probabilities"], ["class_index"], axis=1, keepdims=0),
        _gather_label("class_index"),
    ]
    return nodes, _label_outputs(n_classes, TensorProto.FLOAT), [_class_constant(tree)]


def _tree_regressor(trees, scale, base):
    attributes, leaves = _ensemble_nodes(trees)
    node = helper.make_node(
        "TreeEnsembleRegressor",
        [INPUT_NAME],
        ["variable"],
        domain="ai.onnx.ml",
        n_targets=1,
        target_treeids=[tree_id for tree_id, _ in leaves],
        target_nodeids=[leaf.node_id for _, leaf in leaves],
        target_ids=[0] * len(leaves),
        target_weights_as_tensor=_double_tensor([scale * leaf.value[0] for _, leaf in leaves]),
        base_values_as_tensor=_double_tensor([base]),
        aggregate_function="SUM",
        post_transform="NONE",
        **attributes,
    )
    return [node], [helper.make_tensor_value_info("variable", TensorProto.FLOAT, ["N", 1])], []


def _gradient_boosting(booster):
    if booster.loss not in ("squared_error", "ls"):
        raise TypeError(f"onnx export: GradientBoostingRegressor loss {booster.loss!r} is not supported")
    if not isinstance(booster.init_, DummyRegressor) or booster.init_.strategy != "mean":
        raise TypeError("onnx export: GradientBoostingRegressor needs the default init (the training mean)")
    base = float(booster.init_.constant_[0][0])
    return _tree_regressor(list(booster.estimators_[:, 0]), scale=booster.learning_rate, base=base)
