"""PMML 4.4 for the estimators ``pmml_export`` hands over beyond its own four.

``pmml_export.export_pmml`` sends these here; each becomes the PMML shape the
JPMML-SkLearn converter uses for it, written so that a PMML evaluator
reproduces scikit-learn's predictions:

* KNeighborsClassifier / KNeighborsRegressor -> NearestNeighborModel with the
  training rows in an InlineTable, euclidean distance, majorityVote/average
  (uniform weights) or weightedMajorityVote/weightedAverage (distance
  weights). PMML weighs a neighbour 1/(d + threshold) where scikit-learn
  uses 1/d, so threshold is 1e-300: adding it changes no distance above
  about 1e-284, and an exact match (d = 0) still outweighs every other
  neighbour, as in scikit-learn.
* GaussianNB -> NaiveBayesModel with a GaussianDistribution per field and
  class (``var_`` already includes var_smoothing) and the class counts as
  TargetValueCounts. threshold (1e-300) replaces a density that underflows
  to 0, which scikit-learn, working in log space, never needs.
* GradientBoostingClassifier -> MiningModel modelChain: per class a
  regression MiningModel summing the trees (leaf scores pre-multiplied by
  learning_rate, as scikit-learn adds them) exposed as the OutputField
  ``decisionFunction(<class>)``, then a RegressionModel adding the initial
  raw prediction and applying logit (binary) or softmax (multiclass).
* MLPClassifier / MLPRegressor -> NeuralNetwork: hidden activations relu
  (rectifier), logistic, tanh or identity; a softmax output layer, a
  logistic output neuron followed by a layer giving (1 - p, p), or one
  identity output.
* SVC -> SupportVectorMachineModel, OneAgainstOne, one machine per pair of
  classes (the only output is the label: scikit-learn's probabilities come
  from Platt scaling, which PMML lacks).
* KMeans -> ClusteringModel (centerBased, squaredEuclidean) whose OutputField
  ``cluster`` is the nearest cluster's id, the index scikit-learn predicts.
* LinearRegression / Ridge -> RegressionModel.
* Pipeline(StandardScaler or MinMaxScaler ..., model) -> the model above
  reading DerivedFields of a TransformationDictionary that repeat the
  scaler's arithmetic with Apply: (x - mean) / scale, and x * scale + min.
"""

import xml.etree.ElementTree as ET

import numpy as np
from sklearn.cluster import KMeans
from sklearn.ensemble import GradientBoostingClassifier
from sklearn.linear_model import LinearRegression, Ridge
from sklearn.naive_bayes import GaussianNB
from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import MinMaxScaler, StandardScaler
from sklearn.svm import SVC

from .sklearn_trees import tree_nodes

# PMML's threshold attributes are added to distances or replace zero
# densities; this one is far below every value the examples produce.
TINY_THRESHOLD = "1e-300"

CLUSTER_OUTPUT = "cluster"

_ACTIVATIONS = {"relu": "rectifier", "logistic": "logistic", "tanh": "tanh", "identity": "identity"}


def supports(estimator):
    """True when this module exports ``estimator``."""
    model = estimator.steps[-1][1] if isinstance(estimator, Pipeline) else estimator
    return isinstance(model, tuple(_EXPORTERS))


def build(estimator, feature_names, target_name, description, helpers):
    """Build the PMML document (an Element) for ``estimator``.

    ``helpers`` is the pmml_export module, whose writers this shares.
    ``target_name`` is ignored for KMeans, which has no target.
    """
    features = [str(name) for name in feature_names]
    scalers, model = [], estimator
    if isinstance(estimator, Pipeline):
        scalers = [step for _, step in estimator.steps[:-1]]
        model = estimator.steps[-1][1]
    if isinstance(model, KMeans):
        target_name = None
    classes = helpers._class_labels(model)
    root = ET.Element("PMML", {"version": helpers.PMML_VERSION, "xmlns": helpers.PMML_NAMESPACE})
    header = ET.SubElement(root, "Header", {"description": description})
    ET.SubElement(header, "Application", {"name": "mlctl examples", "version": "1.0.0"})
    _data_dictionary(root, features, target_name, classes)
    inputs = features
    if scalers:
        inputs = _transformations(root, scalers, features)
    exporter = next(fn for kind, fn in _EXPORTERS.items() if isinstance(model, kind))
    exporter(_Context(root, model, features, inputs, target_name, classes, helpers))
    return root


class _Context:
    """What every model writer needs: the document root, the fitted model,
    the raw features (for the MiningSchema), the fields the model reads
    (the features, or the scaled DerivedFields), target and classes."""

    def __init__(self, root, model, features, inputs, target, classes, helpers):
        self.root, self.model, self.features, self.inputs = root, model, features, inputs
        self.target, self.classes, self.h = target, classes, helpers

    def num(self, value):
        return self.h._num(value)

    def model_element(self, tag, attributes):
        element = ET.SubElement(self.root, tag, attributes)
        schema = ET.SubElement(element, "MiningSchema")
        if self.target is not None:
            ET.SubElement(schema, "MiningField", {"name": self.target, "usageType": "target"})
        for name in self.features:
            ET.SubElement(schema, "MiningField", {"name": name, "usageType": "active"})
        return element

    def label_output(self, model, probabilities=True):
        """Output: the predicted label and, when asked, one probability per class."""
        output = ET.SubElement(model, "Output")
        ET.SubElement(
            output,
            "OutputField",
            {"name": f"predicted_{self.target}", "optype": "categorical", "dataType": "string", "feature": "predictedValue"},
        )
        if not probabilities:
            return
        for label in self.classes:
            ET.SubElement(
                output,
                "OutputField",
                {"name": f"probability_{label}", "optype": "continuous", "dataType": "double", "feature": "probability", "value": label},
            )


def _data_dictionary(root, features, target_name, classes):
    count = len(features) + (0 if target_name is None else 1)
    fields = ET.SubElement(root, "DataDictionary", {"numberOfFields": str(count)})
    for name in features:
        ET.SubElement(fields, "DataField", {"name": name, "optype": "continuous", "dataType": "double"})
    if target_name is None:
        return
    if classes is None:
        ET.SubElement(fields, "DataField", {"name": target_name, "optype": "continuous", "dataType": "double"})
        return
    target = ET.SubElement(fields, "DataField", {"name": target_name, "optype": "categorical", "dataType": "string"})
    for label in classes:
        ET.SubElement(target, "Value", {"value": label})


def _transformations(root, scalers, features):
    """Write the scalers as DerivedFields; return the names the model reads."""
    dictionary = ET.SubElement(root, "TransformationDictionary")
    names = list(features)
    for index, scaler in enumerate(scalers):
        if isinstance(scaler, StandardScaler):
            if not (scaler.with_mean and scaler.with_std):
                raise TypeError("pmml export: StandardScaler needs with_mean and with_std")
            # transform() does X -= mean_; X /= scale_.
            steps, prefix = [("-", scaler.mean_), ("/", scaler.scale_)], "standardScaler"
        elif isinstance(scaler, MinMaxScaler):
            if scaler.clip:
                raise TypeError("pmml export: MinMaxScaler(clip=True) is not supported")
            # transform() does X *= scale_; X += min_.
            steps, prefix = [("*", scaler.scale_), ("+", scaler.min_)], "minMaxScaler"
        else:
            raise TypeError(f"pmml export: unsupported pipeline step {type(scaler).__name__}")
        new_names = []
        for column, (name, feature) in enumerate(zip(names, features)):
            derived_name = f"{prefix}{index}({feature})"
            derived = ET.SubElement(dictionary, "DerivedField", {"name": derived_name, "optype": "continuous", "dataType": "double"})
            # Apply(op2, Apply(op1, field, c1), c2): the operations in transform()'s order.
            node = ET.Element("FieldRef", {"field": name})
            for function, values in steps:
                apply = ET.Element("Apply", {"function": function})
                apply.append(node)
                ET.SubElement(apply, "Constant", {"dataType": "double"}).text = repr(float(values[column]))
                node = apply
            derived.append(node)
            new_names.append(derived_name)
        names = new_names
    return names


def _regression(ctx):
    model = ctx.model_element("RegressionModel", {"modelName": type(ctx.model).__name__, "functionName": "regression"})
    coefficients = np.asarray(ctx.model.coef_, dtype=np.float64)
    if coefficients.ndim != 1:
        raise TypeError("pmml export: only single-target linear regressions are supported")
    table = ET.SubElement(model, "RegressionTable", {"intercept": ctx.num(ctx.model.intercept_)})
    for name, coefficient in zip(ctx.inputs, coefficients):
        ET.SubElement(table, "NumericPredictor", {"name": name, "exponent": "1", "coefficient": ctx.num(coefficient)})


def _gaussian_nb(ctx):
    nb = ctx.model
    model = ctx.model_element("NaiveBayesModel", {"modelName": "GaussianNB", "functionName": "classification", "threshold": TINY_THRESHOLD})
    if ctx.inputs != ctx.features:
        raise TypeError("pmml export: GaussianNB reads raw fields only (BayesInput takes no DerivedField here)")
    ctx.label_output(model)
    inputs = ET.SubElement(model, "BayesInputs")
    for column, name in enumerate(ctx.inputs):
        bayes_input = ET.SubElement(inputs, "BayesInput", {"fieldName": name})
        stats = ET.SubElement(bayes_input, "TargetValueStats")
        for k, label in enumerate(ctx.classes):
            stat = ET.SubElement(stats, "TargetValueStat", {"value": label})
            ET.SubElement(
                stat,
                "GaussianDistribution",
                {"mean": ctx.num(nb.theta_[k, column]), "variance": ctx.num(nb.var_[k, column])},
            )
    output = ET.SubElement(model, "BayesOutput", {"fieldName": ctx.target})
    counts = ET.SubElement(output, "TargetValueCounts")
    for label, count in zip(ctx.classes, nb.class_count_):
        ET.SubElement(counts, "TargetValueCount", {"value": label, "count": ctx.num(count)})


def _nearest_neighbors(ctx):
    knn = ctx.model
    if knn.effective_metric_ != "euclidean":
        raise TypeError(f"pmml export: KNN metric {knn.effective_metric_!r} is not supported (euclidean only)")
    if knn.weights not in ("uniform", "distance"):
        raise TypeError("pmml export: KNN weights must be 'uniform' or 'distance'")
    if ctx.inputs != ctx.features:
        raise TypeError("pmml export: KNN reads raw fields only")
    weighted = knn.weights == "distance"
    attributes = {"modelName": type(knn).__name__, "numberOfNeighbors": str(knn.n_neighbors), "threshold": TINY_THRESHOLD}
    if ctx.classes is None:
        attributes["functionName"] = "regression"
        attributes["continuousScoringMethod"] = "weightedAverage" if weighted else "average"
    else:
        attributes["functionName"] = "classification"
        attributes["categoricalScoringMethod"] = "weightedMajorityVote" if weighted else "majorityVote"
    model = ctx.model_element("NearestNeighborModel", attributes)
    if ctx.classes is not None:
        ctx.label_output(model)
    training = ET.SubElement(model, "TrainingInstances", {"recordCount": str(knn.n_samples_fit_), "isTransformed": "false"})
    fields = ET.SubElement(training, "InstanceFields")
    for name in ctx.features + [ctx.target]:
        ET.SubElement(fields, "InstanceField", {"field": name, "column": name})
    table = ET.SubElement(training, "InlineTable")
    x = np.asarray(knn._fit_X, dtype=np.float64)
    if ctx.classes is None:
        y = [ctx.num(v) for v in np.asarray(knn._y, dtype=np.float64)]
    else:
        y = [ctx.classes[int(i)] for i in knn._y]
    for row, target in zip(x, y):
        row_element = ET.SubElement(table, "row")
        for name, value in zip(ctx.features, row):
            ET.SubElement(row_element, name).text = ctx.num(value)
        ET.SubElement(row_element, ctx.target).text = target
    measure = ET.SubElement(model, "ComparisonMeasure", {"kind": "distance"})
    ET.SubElement(measure, "euclidean")
    inputs = ET.SubElement(model, "KNNInputs")
    for name in ctx.features:
        ET.SubElement(inputs, "KNNInput", {"field": name, "compareFunction": "absDiff"})


def _kmeans(ctx):
    kmeans = ctx.model
    centers = np.asarray(kmeans.cluster_centers_, dtype=np.float64)
    model = ctx.model_element(
        "ClusteringModel",
        {"modelName": "KMeans", "functionName": "clustering", "modelClass": "centerBased", "numberOfClusters": str(len(centers))},
    )
    output = ET.SubElement(model, "Output")
    ET.SubElement(output, "OutputField", {"name": CLUSTER_OUTPUT, "optype": "categorical", "dataType": "string", "feature": "predictedValue"})
    measure = ET.SubElement(model, "ComparisonMeasure", {"kind": "distance"})
    ET.SubElement(measure, "squaredEuclidean")
    for name in ctx.inputs:
        ET.SubElement(model, "ClusteringField", {"field": name, "compareFunction": "absDiff"})
    for index, center in enumerate(centers):
        cluster = ET.SubElement(model, "Cluster", {"id": str(index), "name": str(index), "size": str(int(np.sum(kmeans.labels_ == index)))})
        _array(cluster, center)


def _array(parent, values):
    array = ET.SubElement(parent, "Array", {"n": str(len(values)), "type": "real"})
    array.text = " ".join(repr(float(v)) for v in values)


def _neural_network(ctx):
    mlp = ctx.model
    hidden = _ACTIVATIONS.get(mlp.activation)
    if hidden is None:
        raise TypeError(f"pmml export: MLP activation {mlp.activation!r} is not supported")
    classifier = ctx.classes is not None
    function = "classification" if classifier else "regression"
    model = ctx.model_element("NeuralNetwork", {"modelName": type(mlp).__name__, "functionName": function, "activationFunction": hidden})
    if classifier:
        ctx.label_output(model)
    neural_inputs = ET.SubElement(model, "NeuralInputs", {"numberOfInputs": str(len(ctx.inputs))})
    previous = []
    for index, name in enumerate(ctx.inputs):
        neuron = f"input/{index}"
        element = ET.SubElement(neural_inputs, "NeuralInput", {"id": neuron})
        derived = ET.SubElement(element, "DerivedField", {"optype": "continuous", "dataType": "double"})
        ET.SubElement(derived, "FieldRef", {"field": name})
        previous.append(neuron)
    layers = len(mlp.coefs_)
    for layer, (weights, biases) in enumerate(zip(mlp.coefs_, mlp.intercepts_)):
        last = layer == layers - 1
        attributes = {"numberOfNeurons": str(len(biases))}
        if last:
            # out_activation_: softmax (multiclass), logistic (binary or
            # multilabel), identity (regression).
            out = mlp.out_activation_
            if out == "softmax":
                attributes.update(activationFunction="identity", normalizationMethod="softmax")
            elif out in ("logistic", "identity"):
                attributes["activationFunction"] = out
            else:
                raise TypeError(f"pmml export: MLP output activation {out!r} is not supported")
        element = ET.SubElement(model, "NeuralLayer", attributes)
        current = []
        for j, bias in enumerate(biases):
            neuron = f"{layer + 1}/{j}"
            n = ET.SubElement(element, "Neuron", {"id": neuron, "bias": ctx.num(bias)})
            for i, source in enumerate(previous):
                ET.SubElement(n, "Con", {"from": source, "weight": ctx.num(weights[i, j])})
            current.append(neuron)
        previous = current
    if classifier and mlp.out_activation_ == "logistic":
        if len(ctx.classes) != 2:
            raise TypeError("pmml export: multilabel MLPClassifier is not supported")
        # predict_proba gives (1 - p, p): 1 + (-1)p and 0 + 1p are exact.
        element = ET.SubElement(model, "NeuralLayer", {"numberOfNeurons": "2", "activationFunction": "identity"})
        complement = ET.SubElement(element, "Neuron", {"id": f"{layers + 1}/0", "bias": "1.0"})
        ET.SubElement(complement, "Con", {"from": previous[0], "weight": "-1.0"})
        same = ET.SubElement(element, "Neuron", {"id": f"{layers + 1}/1", "bias": "0.0"})
        ET.SubElement(same, "Con", {"from": previous[0], "weight": "1.0"})
        previous = [f"{layers + 1}/0", f"{layers + 1}/1"]
    outputs = ET.SubElement(model, "NeuralOutputs", {"numberOfOutputs": str(len(previous))})
    for index, neuron in enumerate(previous):
        output = ET.SubElement(outputs, "NeuralOutput", {"outputNeuron": neuron})
        derived = ET.SubElement(output, "DerivedField", {"optype": "categorical" if classifier else "continuous", "dataType": "string" if classifier else "double"})
        if classifier:
            ET.SubElement(derived, "NormDiscrete", {"field": ctx.target, "value": ctx.classes[index]})
        else:
            ET.SubElement(derived, "FieldRef", {"field": ctx.target})


_KERNELS = {"linear": "LinearKernelType", "poly": "PolynomialKernelType", "rbf": "RadialBasisKernelType", "sigmoid": "SigmoidKernelType"}


def svc_machines(svc):
    """The one-against-one machines of a fitted SVC as (i, j, support vector
    indices, coefficients, intercept), with libsvm's decision value
    sum(coef * K) + intercept > 0 voting for classes_[i], else classes_[j]."""
    dual = np.asarray(svc._dual_coef_, dtype=np.float64)
    intercepts = np.asarray(svc._intercept_, dtype=np.float64)
    starts = np.concatenate([[0], np.cumsum(svc.n_support_)])
    machines, pair = [], 0
    n = len(svc.classes_)
    for i in range(n):
        for j in range(i + 1, n):
            vectors = list(range(starts[i], starts[i + 1])) + list(range(starts[j], starts[j + 1]))
            coefficients = [dual[j - 1, v] for v in range(starts[i], starts[i + 1])]
            coefficients += [dual[i, v] for v in range(starts[j], starts[j + 1])]
            machines.append((i, j, vectors, coefficients, intercepts[pair]))
            pair += 1
    return machines


def _svc(ctx):
    svc = ctx.model
    kernel = _KERNELS.get(svc.kernel)
    if kernel is None:
        raise TypeError(f"pmml export: SVC kernel {svc.kernel!r} is not supported")
    if getattr(svc, "break_ties", False):
        raise TypeError("pmml export: SVC(break_ties=True) is not supported")
    model = ctx.model_element(
        "SupportVectorMachineModel",
        {"modelName": "SVC", "functionName": "classification", "svmRepresentation": "SupportVectors", "classificationMethod": "OneAgainstOne"},
    )
    ctx.label_output(model, probabilities=False)
    attributes = {}
    if svc.kernel != "linear":
        attributes["gamma"] = ctx.num(svc._gamma)
    if svc.kernel in ("poly", "sigmoid"):
        attributes["coef0"] = ctx.num(svc.coef0)
    if svc.kernel == "poly":
        attributes["degree"] = ctx.num(svc.degree)
    ET.SubElement(model, kernel, attributes)
    vectors = np.asarray(svc.support_vectors_, dtype=np.float64)
    dictionary = ET.SubElement(model, "VectorDictionary", {"numberOfVectors": str(len(vectors))})
    fields = ET.SubElement(dictionary, "VectorFields", {"numberOfFields": str(len(ctx.inputs))})
    for name in ctx.inputs:
        ET.SubElement(fields, "FieldRef", {"field": name})
    for index, vector in enumerate(vectors):
        instance = ET.SubElement(dictionary, "VectorInstance", {"id": str(index)})
        _array(instance, vector)
    for i, j, indices, coefficients, intercept in svc_machines(svc):
        # PMML votes targetCategory when f(x) < 0: with f the negated libsvm
        # decision that is "decision > 0", libsvm's vote for class i (a
        # decision of exactly 0 goes to j in both).
        machine = ET.SubElement(
            model,
            "SupportVectorMachine",
            {"targetCategory": ctx.classes[i], "alternateTargetCategory": ctx.classes[j], "threshold": "0.0"},
        )
        supports_element = ET.SubElement(machine, "SupportVectors", {"numberOfSupportVectors": str(len(indices)), "numberOfAttributes": str(len(ctx.inputs))})
        for v in indices:
            ET.SubElement(supports_element, "SupportVector", {"vectorId": str(v)})
        coefficients_element = ET.SubElement(
            machine, "Coefficients", {"numberOfCoefficients": str(len(indices)), "absoluteValue": ctx.num(-intercept)}
        )
        for c in coefficients:
            ET.SubElement(coefficients_element, "Coefficient", {"value": ctx.num(-c)})


def decision_field(label):
    """The OutputField carrying a gradient-boosting class's summed trees."""
    return f"decisionFunction({label})"


def _gradient_boosting_classifier(ctx):
    booster = ctx.model
    if ctx.inputs != ctx.features:
        raise TypeError("pmml export: GradientBoostingClassifier reads raw fields only")
    if booster.loss not in ("log_loss", "deviance"):
        raise TypeError(f"pmml export: GradientBoostingClassifier loss {booster.loss!r} is not supported")
    init = np.asarray(booster._raw_predict_init(np.zeros((1, len(ctx.features))))[0], dtype=np.float64)
    binary = len(ctx.classes) == 2
    columns = [ctx.classes[1]] if binary else list(ctx.classes)
    model = ctx.model_element("MiningModel", {"modelName": "GradientBoostingClassifier", "functionName": "classification"})
    ctx.label_output(model)
    chain = ET.SubElement(model, "Segmentation", {"multipleModelMethod": "modelChain"})
    for k, label in enumerate(columns):
        segment = ET.SubElement(chain, "Segment", {"id": str(k + 1)})
        ET.SubElement(segment, "True")
        summed = ET.SubElement(segment, "MiningModel", {"functionName": "regression"})
        schema = ET.SubElement(summed, "MiningSchema")
        for name in ctx.features:
            ET.SubElement(schema, "MiningField", {"name": name, "usageType": "active"})
        output = ET.SubElement(summed, "Output")
        ET.SubElement(
            output, "OutputField", {"name": decision_field(label), "optype": "continuous", "dataType": "double", "feature": "predictedValue", "isFinalResult": "false"}
        )
        trees = ET.SubElement(summed, "Segmentation", {"multipleModelMethod": "sum"})
        for stage, tree in enumerate(booster.estimators_[:, k]):
            tree_segment = ET.SubElement(trees, "Segment", {"id": f"{k + 1}.{stage + 1}"})
            ET.SubElement(tree_segment, "True")
            _scaled_tree(tree_segment, tree, ctx, booster.learning_rate)
    last = ET.SubElement(chain, "Segment", {"id": str(len(columns) + 1)})
    ET.SubElement(last, "True")
    regression = ET.SubElement(
        last,
        "RegressionModel",
        {"functionName": "classification", "normalizationMethod": "logit" if binary else "softmax"},
    )
    schema = ET.SubElement(regression, "MiningSchema")
    ET.SubElement(schema, "MiningField", {"name": ctx.target, "usageType": "target"})
    for label in columns:
        ET.SubElement(schema, "MiningField", {"name": decision_field(label), "usageType": "active"})
    if binary:
        tables = [(ctx.classes[1], init[0]), (ctx.classes[0], None)]
    else:
        tables = [(label, init[k]) for k, label in enumerate(columns)]
    for label, intercept in tables:
        table = ET.SubElement(regression, "RegressionTable", {"intercept": ctx.num(0.0 if intercept is None else intercept), "targetCategory": label})
        if intercept is not None:
            ET.SubElement(table, "NumericPredictor", {"name": decision_field(label), "exponent": "1", "coefficient": "1.0"})


def _scaled_tree(parent, tree, ctx, scale):
    """A regression TreeModel whose leaves hold scale * value, the amount
    scikit-learn adds to the raw prediction for this stage."""
    model = ET.SubElement(
        parent,
        "TreeModel",
        {"functionName": "regression", "splitCharacteristic": "binarySplit", "missingValueStrategy": "none", "noTrueChildStrategy": "returnNullPrediction"},
    )
    schema = ET.SubElement(model, "MiningSchema")
    for name in ctx.features:
        ET.SubElement(schema, "MiningField", {"name": name, "usageType": "active"})
    nodes = tree_nodes(tree)

    def add(parent_element, node_id, predicate):
        node = nodes[node_id]
        element = ET.SubElement(parent_element, "Node", {"id": str(node_id + 1)})
        predicate(element)
        if node.is_leaf:
            element.set("score", ctx.num(scale * node.value[0]))
            return
        name, threshold = ctx.features[node.feature], ctx.num(node.threshold)
        add(element, node.left, lambda e: ET.SubElement(e, "SimplePredicate", {"field": name, "operator": "lessOrEqual", "value": threshold}))
        add(element, node.right, lambda e: ET.SubElement(e, "SimplePredicate", {"field": name, "operator": "greaterThan", "value": threshold}))

    add(model, 0, lambda e: ET.SubElement(e, "True"))


_EXPORTERS = {
    KNeighborsClassifier: _nearest_neighbors,
    KNeighborsRegressor: _nearest_neighbors,
    GaussianNB: _gaussian_nb,
    GradientBoostingClassifier: _gradient_boosting_classifier,
    MLPClassifier: _neural_network,
    MLPRegressor: _neural_network,
    SVC: _svc,
    KMeans: _kmeans,
    LinearRegression: _regression,
    Ridge: _regression,
}
