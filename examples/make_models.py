#!/usr/bin/python3
"""Generate the example models under examples/models/.

Usage: /usr/bin/python3 examples/make_models.py [--out examples/models] [--bench]

For each scikit-learn recipe (see modelgen/recipes.py) this fits the model on
a fixed split and writes examples/models/<name>/ with model.pkl, model.pmml,
model.onnx, input.csv (held-out rows), expected.json (scikit-learn's own
predictions on those rows: the oracle) and meta.json. It also writes
iris_mlp (a PyTorch MLP, ONNX only) and iris_logreg_mlflow (an MLflow model
directory). Every step is seeded, so a rerun rewrites identical files.
With --bench it writes only the larger benchmark models (BENCH_RECIPES),
which are not committed: scripts/bench_pmml.sh makes them under bench/out.
"""

import argparse
import sys
import time
from pathlib import Path

sys.dont_write_bytecode = True

import onnx  # noqa: E402

from exporters.onnx_export import export_onnx, output_precision  # noqa: E402
from exporters.pmml_export import export_pmml  # noqa: E402
from modelgen import artifacts, datasets, torch_mlp, verify  # noqa: E402
from modelgen.mlflow_dir import write_mlflow_model  # noqa: E402
from modelgen.recipes import BENCH_RECIPES, RECIPES  # noqa: E402

DEFAULT_OUT = Path(__file__).resolve().parent / "models"


def make_sklearn_model(recipe, out):
    """Fit one recipe and write its directory; return the fitted estimator and split."""
    split = recipe.dataset()
    estimator = recipe.estimator()
    estimator.fit(split.x_train, split.y_train)
    directory = out / recipe.name
    directory.mkdir(parents=True, exist_ok=True)

    artifacts.write_pickle(estimator, directory / "model.pkl")
    export_pmml(estimator, split.features, split.target_name, directory / "model.pmml", recipe.description)
    export_onnx(estimator, len(split.features), directory / "model.onnx", recipe.description)
    precision = output_precision(onnx.load(directory / "model.onnx"))
    artifacts.write_input_csv(split.x_test, directory / "input.csv")
    artifacts.write_json(artifacts.sklearn_expectation(estimator, split.x_test, precision), directory / "expected.json")
    artifacts.write_json(
        artifacts.meta(recipe.name, split.name, type(estimator).__name__, description=recipe.description),
        directory / "meta.json",
    )

    classifier = hasattr(estimator, "classes_")
    verify.check_onnx(directory / "model.onnx", ["label", "probabilities"] if classifier else ["variable"])
    verify.check_pmml(directory / "model.pmml", split.features, split.target_name)
    trees = _trees(estimator)
    if trees:
        verify.check_tree_walks(trees, split.x_test)
    return estimator, split


def _trees(estimator):
    """The individual trees of a tree model, or [] for other estimators."""
    if hasattr(estimator, "tree_"):
        return [estimator]
    if hasattr(estimator, "estimators_"):
        # A forest keeps a list; gradient boosting a (stages, 1) array.
        return list(getattr(estimator.estimators_, "ravel", lambda: estimator.estimators_)())
    return []


def make_torch_mlp(out):
    """Train the iris MLP and write its directory (ONNX only)."""
    name = "iris_mlp"
    split = datasets.iris()
    classes = sorted(set(split.y_train))
    class_index = [classes.index(label) for label in split.y_train]
    model = torch_mlp.train(split.x_train.to_numpy(), class_index)
    directory = out / name
    directory.mkdir(parents=True, exist_ok=True)
    torch_mlp.export(model, str(directory / "model.onnx"))
    artifacts.write_input_csv(split.x_test, directory / "input.csv")
    labels, probabilities = torch_mlp.predict(model, split.x_test.to_numpy())
    expectation = artifacts.classification_expectation(
        list(range(len(classes))), [int(label) for label in labels], probabilities, split.features, "float32"
    )
    artifacts.write_json(expectation, directory / "expected.json")
    artifacts.write_json(
        artifacts.meta(
            name,
            split.name,
            "torch MLP 4-16-3 (ReLU, softmax)",
            description="PyTorch MLP on iris; label is the class index into class_names.",
            class_names=classes,
            torch_version=torch_mlp.torch.__version__,
        ),
        directory / "meta.json",
    )
    verify.check_onnx(directory / "model.onnx", ["label", "probabilities"])


def main(argv=None):
    """Generate every example model; return a process exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output directory (default: %(default)s)")
    parser.add_argument("--bench", action="store_true", help="write only the benchmark models (BENCH_RECIPES)")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    if args.bench:
        for recipe in BENCH_RECIPES:
            make_sklearn_model(recipe, args.out)
            print(f"wrote {args.out / recipe.name}")
        return 0

    started = time.monotonic()
    fitted = {}
    for recipe in RECIPES:
        fitted[recipe.name] = make_sklearn_model(recipe, args.out)
        print(f"wrote {args.out / recipe.name}")
    make_torch_mlp(args.out)
    print(f"wrote {args.out / 'iris_mlp'}")
    estimator, split = fitted["iris_logreg"]
    write_mlflow_model(estimator, split.x_test, args.out / "iris_logreg_mlflow", "iris_logreg_mlflow")
    print(f"wrote {args.out / 'iris_logreg_mlflow'}")
    print(f"done in {time.monotonic() - started:.1f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
