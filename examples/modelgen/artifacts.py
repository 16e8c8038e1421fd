"""Writers for the files every example model directory holds.

All output is deterministic: floats are written with ``repr`` (which
round-trips float64 exactly), JSON keys keep a fixed order, and nothing
records the time or the machine beyond the Python and library versions.
"""

import csv
import json
import pickle
import platform

import sklearn

PICKLE_PROTOCOL = 4
MODEL_VERSION = "1.0.0"


def write_pickle(estimator, path):
    """Pickle a fitted estimator with a fixed protocol."""
    with open(path, "wb") as out:
        pickle.dump(estimator, out, protocol=PICKLE_PROTOCOL)


def write_input_csv(frame, path):
    """Write a header of feature names and one row per held-out example."""
    with open(path, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(list(frame.columns))
        for row in frame.itertuples(index=False):
            writer.writerow([repr(float(value)) for value in row])


def read_input_csv(path):
    """Read an input.csv back: (feature names, rows of floats)."""
    with open(path, newline="", encoding="utf-8") as source:
        reader = csv.reader(source)
        header = next(reader)
        rows = [[float(value) for value in row] for row in reader]
    return header, rows


def write_json(document, path):
    """Write a flat JSON object, one key per line and one matrix row per line."""
    lines = []
    for key, value in document.items():
        if isinstance(value, list) and value and isinstance(value[0], list):
            rows = ",\n".join("    " + json.dumps(row) for row in value)
            text = "[\n" + rows + "\n  ]"
        else:
            text = json.dumps(value)
        lines.append(f"  {json.dumps(key)}: {text}")
    with open(path, "w", encoding="utf-8") as out:
        out.write("{\n" + ",\n".join(lines) + "\n}\n")


def classification_expectation(classes, labels, probabilities, features, onnx_precision):
    """The expected.json document of a classifier."""
    return {
        "task": "classification",
        "classes": list(classes),
        "label": list(labels),
        "probabilities": [[float(p) for p in row] for row in probabilities],
        "features": list(features),
        "onnx_precision": onnx_precision,
    }


def regression_expectation(predictions, features, onnx_precision):
    """The expected.json document of a regressor."""
    return {
        "task": "regression",
        "prediction": [float(p) for p in predictions],
        "features": list(features),
        "onnx_precision": onnx_precision,
    }


def sklearn_expectation(estimator, frame, onnx_precision):
    """scikit-learn's own predictions on ``frame``: the oracle for the model."""
    features = list(frame.columns)
    if hasattr(estimator, "classes_"):
        return classification_expectation(
            [str(c) for c in estimator.classes_],
            [str(label) for label in estimator.predict(frame)],
            estimator.predict_proba(frame),
            features,
            onnx_precision,
        )
    return regression_expectation(estimator.predict(frame), features, onnx_precision)


def meta(name, dataset, estimator, **extra):
    """The meta.json document: what the model is and what made it."""
    document = {
        "name": name,
        "version": MODEL_VERSION,
        "dataset": dataset,
        "estimator": estimator,
        "sklearn_version": sklearn.__version__,
        "python_version": platform.python_version(),
    }
    document.update(extra)
    return document
