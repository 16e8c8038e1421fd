#!/usr/bin/python3
"""Self-check: every model.pkl still predicts what its expected.json says.

Usage: /usr/bin/python3 examples/check_models.py [--models examples/models]

Loads each <model>/model.pkl, predicts on <model>/input.csv and compares
labels exactly and probabilities/predictions to 1e-12 relative. Directories
without a model.pkl (the ONNX-only iris_mlp) are skipped. Exits non-zero on
any difference.
"""

import argparse
import json
import pickle
import sys
from pathlib import Path

sys.dont_write_bytecode = True

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from modelgen.artifacts import read_input_csv  # noqa: E402

TOLERANCE = 1e-12
DEFAULT_MODELS = Path(__file__).resolve().parent / "models"


def check_model(directory):
    """Return a list of problems found in one model directory."""
    with open(directory / "model.pkl", "rb") as source:
        estimator = pickle.load(source)
    header, rows = read_input_csv(directory / "input.csv")
    expected = json.loads((directory / "expected.json").read_text())
    frame = pd.DataFrame(rows, columns=header)
    problems = []
    if header != expected["features"]:
        problems.append(f"input.csv header {header} differs from expected features {expected['features']}")
    if expected["task"] == "classification":
        labels = [str(label) for label in estimator.predict(frame)]
        if labels != expected["label"]:
            problems.append("labels differ")
        got, want = estimator.predict_proba(frame), np.asarray(expected["probabilities"])
    else:
        got, want = estimator.predict(frame), np.asarray(expected["prediction"])
    if not np.allclose(got, want, rtol=TOLERANCE, atol=0.0):
        problems.append(f"values differ: max abs difference {np.max(np.abs(got - want)):.3g}")
    return problems


def main(argv=None):
    """Check every model directory; return a process exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", type=Path, default=DEFAULT_MODELS, help="models directory (default: %(default)s)")
    args = parser.parse_args(argv)
    failed = 0
    checked = 0
    for directory in sorted(path for path in args.models.iterdir() if (path / "expected.json").exists()):
        if not (directory / "model.pkl").exists():
            print(f"skip {directory.name}: no model.pkl")
            continue
        problems = check_model(directory)
        checked += 1
        for problem in problems:
            print(f"FAIL {directory.name}: {problem}")
        if problems:
            failed += 1
        else:
            print(f"ok   {directory.name}")
    print(f"{checked - failed} passed, {failed} failed")
    return 1 if failed or checked == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
