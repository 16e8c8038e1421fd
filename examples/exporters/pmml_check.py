"""A tiny, independent PMML scorer for the documents ``pmml_models`` writes.

It reads the PMML file back (not the estimator) and scores rows with plain
Python floats, so that the generator of the conformance files can check each
export against scikit-learn before scikit-learn's predictions become the
oracle: a wrong export fails there instead of silently passing as expected
output. It covers exactly the shapes pmml_models writes, nothing more.
"""

import math
import xml.etree.ElementTree as ET

NS = "{http://www.dmg.org/PMML-4_4}"
CLASSES = "\0classes"  # where score() passes the target's Values to the scorers
MODEL_TAGS = ("RegressionModel", "NeuralNetwork", "NaiveBayesModel", "SupportVectorMachineModel", "ClusteringModel", "MiningModel", "NearestNeighborModel", "TreeModel")


def _kids(element, tag):
    return element.findall(NS + tag)


def _kid(element, tag):
    return element.find(NS + tag)


def model_element(root):
    """The document's top-level model element."""
    return next(child for child in root if child.tag[len(NS):] in MODEL_TAGS)


def score(path, rows):
    """Score ``rows`` (dicts field -> float); return one dict per row with
    'value' (label, number or cluster id) and 'probabilities' (class -> p)."""
    root = ET.parse(path).getroot()
    derived = _kid(root, "TransformationDictionary")
    model = model_element(root)
    # The target's Values, in order: ties go to the first (as in Classes()).
    classes = [v.get("value") for v in _kid(root, "DataDictionary").iter(NS + "Value")]
    results = []
    for row in rows:
        fields = dict(row)
        if derived is not None:
            for field in _kids(derived, "DerivedField"):
                fields[field.get("name")] = _expression(field[0], fields)
        fields[CLASSES] = classes
        results.append(_score(model, fields))
    return results


def _expression(element, fields):
    tag = element.tag[len(NS):]
    if tag == "FieldRef":
        return fields[element.get("field")]
    if tag == "Constant":
        return float(element.text)
    if tag == "Apply":
        a, b = (_expression(child, fields) for child in element)
        function = element.get("function")
        if function == "/":
            return a / b
        return {"+": a + b, "-": a - b, "*": a * b}[function]
    raise ValueError(f"pmml_check: expression <{tag}> not covered")


def _score(model, fields):
    tag = model.tag[len(NS):]
    return {
        "RegressionModel": _regression,
        "NeuralNetwork": _neural,
        "NaiveBayesModel": _naive_bayes,
        "SupportVectorMachineModel": _svm,
        "ClusteringModel": _clustering,
        "MiningModel": _mining,
        "NearestNeighborModel": _nearest,
        "TreeModel": _tree,
    }[tag](model, fields)


def _normalise(method, labels, values):
    if method == "softmax":
        top = max(values)
        exps = [math.exp(v - top) for v in values]
        total = sum(exps)
        probabilities = [e / total for e in exps]
    elif method == "logit":
        p = 1.0 / (1.0 + math.exp(-values[0]))
        probabilities = [p, 1.0 - p]
    else:
        raise ValueError(f"pmml_check: normalizationMethod {method!r} not covered")
    return _classified(labels, probabilities)


def _classified(labels, probabilities):
    best = max(range(len(labels)), key=lambda k: (probabilities[k], -k))
    return {"value": labels[best], "probabilities": dict(zip(labels, probabilities))}


def _regression(model, fields):
    tables = _kids(model, "RegressionTable")
    values = []
    for table in tables:
        y = float(table.get("intercept"))
        for predictor in _kids(table, "NumericPredictor"):
            y += float(predictor.get("coefficient")) * fields[predictor.get("name")]
        values.append(y)
    if model.get("functionName") == "regression":
        return {"value": values[0], "probabilities": {}}
    return _normalise(model.get("normalizationMethod"), [t.get("targetCategory") for t in tables], values)


_ACTIVATE = {
    "identity": lambda z: z,
    "rectifier": lambda z: max(z, 0.0),
    "logistic": lambda z: 1.0 / (1.0 + math.exp(-z)),
    "tanh": math.tanh,
}


def _neural(model, fields):
    values = {}
    for neural_input in _kids(_kid(model, "NeuralInputs"), "NeuralInput"):
        values[neural_input.get("id")] = _expression(neural_input[0][0], fields)
    default = model.get("activationFunction")
    for layer in _kids(model, "NeuralLayer"):
        activation = _ACTIVATE[layer.get("activationFunction", default)]
        outputs = []
        for neuron in _kids(layer, "Neuron"):
            z = float(neuron.get("bias"))
            for con in _kids(neuron, "Con"):
                z += float(con.get("weight")) * values[con.get("from")]
            outputs.append((neuron.get("id"), activation(z)))
        if layer.get("normalizationMethod") == "softmax":
            top = max(v for _, v in outputs)
            exps = [(i, math.exp(v - top)) for i, v in outputs]
            total = sum(e for _, e in exps)
            outputs = [(i, e / total) for i, e in exps]
        values.update(outputs)
    neural_outputs = _kids(_kid(model, "NeuralOutputs"), "NeuralOutput")
    if model.get("functionName") == "regression":
        return {"value": values[neural_outputs[0].get("outputNeuron")], "probabilities": {}}
    labels = [o[0][0].get("value") for o in neural_outputs]
    return _classified(labels, [values[o.get("outputNeuron")] for o in neural_outputs])


def _naive_bayes(model, fields):
    counts = _kids(_kid(_kid(model, "BayesOutput"), "TargetValueCounts"), "TargetValueCount")
    labels = [c.get("value") for c in counts]
    # Log space, as scikit-learn: the densities must not underflow anyway.
    logs = [math.log(float(c.get("count"))) for c in counts]
    for bayes_input in _kids(_kid(model, "BayesInputs"), "BayesInput"):
        x = fields[bayes_input.get("fieldName")]
        for k, stat in enumerate(_kids(_kid(bayes_input, "TargetValueStats"), "TargetValueStat")):
            assert stat.get("value") == labels[k]
            gauss = _kid(stat, "GaussianDistribution")
            mean, variance = float(gauss.get("mean")), float(gauss.get("variance"))
            density = math.exp(-((x - mean) ** 2) / (2 * variance)) / math.sqrt(2 * math.pi * variance)
            if density == 0.0:
                raise ValueError(f"pmml_check: Gaussian density of {x} underflows; PMML would use the threshold")
            logs[k] += -0.5 * math.log(2 * math.pi * variance) - (x - mean) ** 2 / (2 * variance)
    top = max(logs)
    exps = [math.exp(v - top) for v in logs]
    return _classified(labels, [e / sum(exps) for e in exps])


def _svm(model, fields):
    kernel = next(child for child in model if child.tag.endswith("KernelType"))
    kind = kernel.tag[len(NS):]
    gamma, coef0, degree = (float(kernel.get(a, "1")) for a in ("gamma", "coef0", "degree"))
    dictionary = _kid(model, "VectorDictionary")
    x = [fields[f.get("field")] for f in _kids(_kid(dictionary, "VectorFields"), "FieldRef")]
    vectors = {v.get("id"): [float(t) for t in _kid(v, "Array").text.split()] for v in _kids(dictionary, "VectorInstance")}

    def k(v):
        dot = sum(a * b for a, b in zip(x, v))
        if kind == "LinearKernelType":
            return dot
        if kind == "PolynomialKernelType":
            return (gamma * dot + coef0) ** degree
        if kind == "SigmoidKernelType":
            return math.tanh(gamma * dot + coef0)
        return math.exp(-gamma * sum((a - b) ** 2 for a, b in zip(x, v)))

    labels = fields[CLASSES]
    votes = {}
    for machine in _kids(model, "SupportVectorMachine"):
        ids = [s.get("vectorId") for s in _kids(_kid(machine, "SupportVectors"), "SupportVector")]
        coefficients = _kid(machine, "Coefficients")
        f = float(coefficients.get("absoluteValue"))
        for vector_id, c in zip(ids, _kids(coefficients, "Coefficient")):
            f += float(c.get("value")) * k(vectors[vector_id])
        winner = machine.get("targetCategory") if f < float(machine.get("threshold")) else machine.get("alternateTargetCategory")
        votes[winner] = votes.get(winner, 0) + 1
    return {"value": max(votes, key=lambda label: (votes[label], -labels.index(label))), "probabilities": {}}


def _clustering(model, fields):
    names = [f.get("field") for f in _kids(model, "ClusteringField")]
    x = [fields[n] for n in names]
    best, best_distance = None, math.inf
    for cluster in _kids(model, "Cluster"):
        center = [float(t) for t in _kid(cluster, "Array").text.split()]
        distance = sum((a - b) ** 2 for a, b in zip(x, center))
        if distance < best_distance:
            best, best_distance = cluster.get("id"), distance
    return {"value": best, "probabilities": {}}


def _tree(model, fields):
    node = _kid(model, "Node")
    while True:
        children = _kids(node, "Node")
        if not children:
            return {"value": float(node.get("score")), "probabilities": {}}
        for child in children:
            predicate = _kid(child, "SimplePredicate")
            x, value = fields[predicate.get("field")], float(predicate.get("value"))
            if (x <= value) if predicate.get("operator") == "lessOrEqual" else (x > value):
                node = child
                break


def _mining(model, fields):
    segmentation = _kid(model, "Segmentation")
    method = segmentation.get("multipleModelMethod")
    segments = [next(c for c in s if c.tag[len(NS):] in MODEL_TAGS) for s in _kids(segmentation, "Segment")]
    if method == "sum":
        return {"value": sum(_score(s, fields)["value"] for s in segments), "probabilities": {}}
    if method != "modelChain":
        raise ValueError(f"pmml_check: Segmentation {method!r} not covered")
    fields = dict(fields)
    for segment in segments[:-1]:
        name = _kid(_kid(segment, "Output"), "OutputField").get("name")
        fields[name] = _score(segment, fields)["value"]
    return _score(segments[-1], fields)


def _nearest(model, fields):
    k = int(model.get("numberOfNeighbors"))
    threshold = float(model.get("threshold"))
    names = [i.get("field") for i in _kids(_kid(model, "KNNInputs"), "KNNInput")]
    target = _kid(model, "MiningSchema").find(NS + "MiningField[@usageType='target']").get("name")
    rows = _kids(_kid(_kid(model, "TrainingInstances"), "InlineTable"), "row")
    x = [fields[n] for n in names]
    scored = []
    for row in rows:
        center = [float(_kid(row, n).text) for n in names]
        scored.append((math.sqrt(sum((a - b) ** 2 for a, b in zip(x, center))), _kid(row, target).text))
    scored.sort(key=lambda pair: pair[0])
    neighbours = scored[:k]
    if len(scored) > k and scored[k][0] == scored[k - 1][0]:
        raise ValueError("pmml_check: the k-th and (k+1)-th neighbours are equally far; the row is ambiguous")
    if model.get("functionName") == "regression":
        if model.get("continuousScoringMethod") == "weightedAverage":
            weights = [1.0 / (d + threshold) for d, _ in neighbours]
            return {"value": sum(w * float(y) for w, (_, y) in zip(weights, neighbours)) / sum(weights), "probabilities": {}}
        return {"value": sum(float(y) for _, y in neighbours) / k, "probabilities": {}}
    labels = fields[CLASSES]
    weighted = model.get("categoricalScoringMethod") == "weightedMajorityVote"
    weights = [1.0 / (d + threshold) if weighted else 1.0 for d, _ in neighbours]
    tally = [sum(w for w, (_, y) in zip(weights, neighbours) if y == label) for label in labels]
    return _classified(labels, [t / sum(weights) for t in tally])
