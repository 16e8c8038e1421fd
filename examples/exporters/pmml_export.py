"""Export fitted scikit-learn estimators to PMML 4.4.

Supported estimators and the PMML they become:

* LogisticRegression -> RegressionModel (functionName="classification"):
  normalizationMethod="softmax" for multinomial models, "logit" for binary.
* DecisionTreeClassifier / DecisionTreeRegressor -> TreeModel with
  SimplePredicate splits (lessOrEqual to the left, greaterThan to the right),
  missingValueStrategy="none", noTrueChildStrategy="returnNullPrediction".
  Classifier leaves carry ScoreDistribution elements with recordCount (the
  leaf's weighted class counts) and probability (the counts normalised, as
  predict_proba does).
* RandomForestClassifier -> MiningModel with multipleModelMethod="average" over
  TreeModel segments: PMML averages the segments' class probabilities, which
  is what scikit-learn's predict_proba does.
* GradientBoostingRegressor (squared error) -> MiningModel whose segments are
  regression TreeModels combined with multipleModelMethod="sum", and a Targets
  element that rescales the sum: prediction = sum * learning_rate + init mean.

Further estimators (nearest neighbours, Gaussian naive Bayes, gradient
boosting classifiers, MLPs, SVC, KMeans, linear regressions and scaler
pipelines) are written by ``pmml_models``; see its docstring.

Split thresholds are adjusted as described in ``sklearn_trees`` so that a
float64 comparison in the PMML evaluator picks the same branch scikit-learn
picks after its float32 cast.

Numbers are written with ``repr`` so they round-trip exactly.
"""

import sys
import xml.etree.ElementTree as ET

import numpy as np
from sklearn.dummy import DummyRegressor
from sklearn.ensemble import GradientBoostingRegressor, RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from . import pmml_models
from .sklearn_trees import leaf_probabilities, tree_nodes

PMML_NAMESPACE = "http://www.dmg.org/PMML-4_4"
PMML_VERSION = "4.4"


def export_pmml(estimator, feature_names, target_name, path, description=""):
    """Write ``estimator`` as a PMML 4.4 document to ``path``.

    ``feature_names`` names the input columns in the order the estimator was
    fitted on; ``target_name`` names the predicted field. Classifier labels
    are written as strings.
    """
    root = pmml_document(estimator, feature_names, target_name, description)
    ET.indent(root, space="  ")
    with open(path, "w", encoding="utf-8") as out:
        out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
        out.write(ET.tostring(root, encoding="unicode"))
        out.write("\n")


def pmml_document(estimator, feature_names, target_name, description=""):
    """Build the PMML document for ``estimator`` as an ElementTree element."""
    if pmml_models.supports(estimator):
        return pmml_models.build(estimator, feature_names, target_name, description, sys.modules[__name__])
    features = [str(name) for name in feature_names]
    classes = _class_labels(estimator)
    root = ET.Element("PMML", {"version": PMML_VERSION, "xmlns": PMML_NAMESPACE})
    header = ET.SubElement(root, "Header", {"description": description})
    ET.SubElement(header, "Application", {"name": "mlctl examples", "version": "1.0.0"})
    _data_dictionary(root, features, target_name, classes)

    if isinstance(estimator, LogisticRegression):
        _logistic_regression(root, estimator, features, target_name)
    elif isinstance(estimator, (DecisionTreeClassifier, DecisionTreeRegressor)):
        model = _tree_model(root, estimator, features, target_name, classes)
        if classes is not None:
            _classification_output(model, target_name, classes, before="Node")
    elif isinstance(estimator, RandomForestClassifier):
        _random_forest(root, estimator, features, target_name, classes)
    elif isinstance(estimator, GradientBoostingRegressor):
        _gradient_boosting(root, estimator, features, target_name)
    else:
        raise TypeError(f"pmml export: unsupported estimator {type(estimator).__name__}")
    return root


def _class_labels(estimator):
    """Class labels as strings for a classifier, None for a regressor."""
    if not hasattr(estimator, "classes_"):
        return None
    return [str(label) for label in estimator.classes_]


def _num(value):
    """Format a float so that it parses back to the same float64."""
    return repr(float(value))


def _data_dictionary(root, features, target_name, classes):
    fields = ET.SubElement(root, "DataDictionary", {"numberOfFields": str(len(features) + 1)})
    for name in features:
        ET.SubElement(fields, "DataField", {"name": name, "optype": "continuous", "dataType": "double"})
    if classes is None:
        ET.SubElement(fields, "DataField", {"name": target_name, "optype": "continuous", "dataType": "double"})
        return
    target = ET.SubElement(fields, "DataField", {"name": target_name, "optype": "categorical", "dataType": "string"})
    for label in classes:
        ET.SubElement(target, "Value", {"value": label})


def _mining_schema(model, features, target_name):
    schema = ET.SubElement(model, "MiningSchema")
    ET.SubElement(schema, "MiningField", {"name": target_name, "usageType": "target"})
    for name in features:
        ET.SubElement(schema, "MiningField", {"name": name, "usageType": "active"})


def _classification_output(model, target_name, classes, before):
    """Add an Output element (predicted label and one probability per class).

    PMML fixes the order of a model's children, so the Output goes right
    after the MiningSchema, i.e. before the first ``before`` child.
    """
    output = ET.Element("Output")
    ET.SubElement(
        output,
        "OutputField",
        {"name": f"predicted_{target_name}", "optype": "categorical", "dataType": "string", "feature": "predictedValue"},
    )
    for label in classes:
        ET.SubElement(
            output,
            "OutputField",
            {"name": f"probability_{label}", "optype": "continuous", "dataType": "double", "feature": "probability", "value": label},
        )
    children = list(model)
    position = next(i for i, child in enumerate(children) if child.tag == before)
    model.insert(position, output)


def _logistic_regression(root, estimator, features, target_name):
    classes = _class_labels(estimator)
    coefficients = np.asarray(estimator.coef_, dtype=np.float64)
    intercepts = np.asarray(estimator.intercept_, dtype=np.float64)
    binary = len(classes) == 2
    model = ET.SubElement(
        root,
        "RegressionModel",
        {
            "modelName": "LogisticRegression",
            "functionName": "classification",
            "normalizationMethod": "logit" if binary else "softmax",
        },
    )
    _mining_schema(model, features, target_name)
    if binary:
        # scikit-learn keeps one row of coefficients, for classes_[1]; PMML's
        # logit gives the first table p and the last, empty table 1 - p.
        tables = [(classes[1], coefficients[0], intercepts[0]), (classes[0], None, 0.0)]
    else:
        tables = [(label, coefficients[i], intercepts[i]) for i, label in enumerate(classes)]
    for label, row, intercept in tables:
        table = ET.SubElement(model, "RegressionTable", {"intercept": _num(intercept), "targetCategory": label})
        if row is None:
            continue
        for name, coefficient in zip(features, row):
            ET.SubElement(table, "NumericPredictor", {"name": name, "exponent": "1", "coefficient": _num(coefficient)})
    _classification_output(model, target_name, classes, before="RegressionTable")


def _tree_model(parent, tree_estimator, features, target_name, classes):
    """Append a TreeModel for one fitted tree to ``parent`` and return it.

    ``classes`` is None for a regression tree.
    """
    function = "regression" if classes is None else "classification"
    model = ET.SubElement(
        parent,
        "TreeModel",
        {
            "functionName": function,
            "splitCharacteristic": "binarySplit",
            "missingValueStrategy": "none",
            "noTrueChildStrategy": "returnNullPrediction",
        },
    )
    _mining_schema(model, features, target_name)
    nodes = tree_nodes(tree_estimator)

    def add_node(parent_element, node_id, predicate):
        node = nodes[node_id]
        element = ET.SubElement(parent_element, "Node", {"id": str(node_id + 1)})
        predicate(element)
        if node.is_leaf:
            _leaf(element, node, classes)
            return
        name = features[node.feature]
        threshold = _num(node.threshold)
        add_node(element, node.left, _simple_predicate(name, "lessOrEqual", threshold))
        add_node(element, node.right, _simple_predicate(name, "greaterThan", threshold))

    add_node(model, 0, lambda element: ET.SubElement(element, "True"))
    return model


def _simple_predicate(field, operator, value):
    return lambda element: ET.SubElement(element, "SimplePredicate", {"field": field, "operator": operator, "value": value})


def _leaf(element, node, classes):
    if classes is None:
        element.set("score", _num(node.value[0]))
        return
    probabilities = leaf_probabilities(node.value)
    # np.argmax keeps the first of equal maxima, as predict does.
    element.set("score", classes[int(np.argmax(probabilities))])
    element.set("recordCount", _num(sum(node.value)))
    for label, count, probability in zip(classes, node.value, probabilities):
        ET.SubElement(
            element,
            "ScoreDistribution",
            {"value": label, "recordCount": _num(count), "probability": _num(probability)},
        )


def _random_forest(root, forest, features, target_name, classes):
    model = ET.SubElement(root, "MiningModel", {"modelName": "RandomForestClassifier", "functionName": "classification"})
    _mining_schema(model, features, target_name)
    segmentation = ET.SubElement(model, "Segmentation", {"multipleModelMethod": "average"})
    for index, tree in enumerate(forest.estimators_):
        segment = ET.SubElement(segmentation, "Segment", {"id": str(index + 1)})
        ET.SubElement(segment, "True")
        _tree_model(segment, tree, features, target_name, classes)
    _classification_output(model, target_name, classes, before="Segmentation")


def _gradient_boosting(root, booster, features, target_name):
    if booster.loss not in ("squared_error", "ls"):
        raise TypeError(f"pmml export: GradientBoostingRegressor loss {booster.loss!r} is not supported")
    if not isinstance(booster.init_, DummyRegressor) or booster.init_.strategy != "mean":
        raise TypeError("pmml export: GradientBoostingRegressor needs the default init (the training mean)")
    model = ET.SubElement(root, "MiningModel", {"modelName": "GradientBoostingRegressor", "functionName": "regression"})
    _mining_schema(model, features, target_name)
    targets = ET.SubElement(model, "Targets")
    ET.SubElement(
        targets,
        "Target",
        {
            "field": target_name,
            "rescaleFactor": _num(booster.learning_rate),
            "rescaleConstant": _num(booster.init_.constant_[0][0]),
        },
    )
    segmentation = ET.SubElement(model, "Segmentation", {"multipleModelMethod": "sum"})
    for index, stage in enumerate(booster.estimators_[:, 0]):
        segment = ET.SubElement(segmentation, "Segment", {"id": str(index + 1)})
        ET.SubElement(segment, "True")
        _tree_model(segment, stage, features, target_name, None)
