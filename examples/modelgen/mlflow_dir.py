"""Write a scikit-learn model as an MLflow 2.x model directory.

The layout mirrors what ``mlflow.sklearn.log_model`` writes (MLflow 2.9):
MLmodel (YAML, keys sorted, as MLflow's yaml.safe_dump writes them),
model.pkl, requirements.txt, python_env.yaml, conda.yaml and
input_example.json in pandas "split" orientation. The model UUID, run id
and creation time are derived from the model name so that regeneration
does not change the files.
"""

import json
import platform
import uuid
from importlib import metadata

import numpy as np
import sklearn
import yaml

from .artifacts import write_pickle

MLFLOW_VERSION = "2.9.2"
CREATED = "2024-01-01 00:00:00.000000"
EXAMPLE_ROWS = 5
_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://github.com/mlctl/mlctl/examples")


def write_mlflow_model(estimator, frame, directory, name):
    """Write ``estimator`` and an input example from ``frame`` to ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    write_pickle(estimator, directory / "model.pkl")
    requirements = _requirements()
    (directory / "requirements.txt").write_text("".join(line + "\n" for line in requirements))
    # MLflow writes python_env.yaml in its own key order, the rest sorted.
    _write_yaml(_python_env(), directory / "python_env.yaml", sort_keys=False)
    _write_yaml(_conda_env(requirements), directory / "conda.yaml")
    example = {
        "columns": list(frame.columns),
        "data": frame.head(EXAMPLE_ROWS).to_numpy(dtype=np.float64).tolist(),
    }
    (directory / "input_example.json").write_text(json.dumps(example))
    _write_yaml(_mlmodel(frame, name), directory / "MLmodel")


def _write_yaml(document, path, sort_keys=True):
    with open(path, "w", encoding="utf-8") as out:
        yaml.safe_dump(document, out, default_flow_style=False, sort_keys=sort_keys)


def _version(distribution, fallback):
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return fallback


def _requirements():
    return [
        f"mlflow=={MLFLOW_VERSION}",
        f"numpy=={np.__version__}",
        f"scikit-learn=={sklearn.__version__}",
        f"scipy=={_version('scipy', '1.10.1')}",
    ]


def _python_env():
    return {
        "python": platform.python_version(),
        "build_dependencies": [
            f"pip=={_version('pip', '23.0.1')}",
            f"setuptools=={_version('setuptools', '66.1.1')}",
            f"wheel=={_version('wheel', '0.38.4')}",
        ],
        "dependencies": ["-r requirements.txt"],
    }


def _conda_env(requirements):
    return {
        "channels": ["conda-forge"],
        "dependencies": [
            f"python={platform.python_version()}",
            f"pip<={_version('pip', '23.0.1')}",
            {"pip": list(requirements)},
        ],
        "name": "mlflow-env",
    }


def _signature(frame):
    inputs = [{"type": "double", "name": str(column), "required": True} for column in frame.columns]
    outputs = [{"type": "string", "required": True}]
    return {"inputs": json.dumps(inputs), "outputs": json.dumps(outputs), "params": None}


def _mlmodel(frame, name):
    python_version = platform.python_version()
    return {
        "artifact_path": "model",
        "flavors": {
            "python_function": {
                "env": {"conda": "conda.yaml", "virtualenv": "python_env.yaml"},
                "loader_module": "mlflow.sklearn",
                "model_path": "model.pkl",
                "predict_fn": "predict",
                "python_version": python_version,
            },
            "sklearn": {
                "code": None,
                "pickled_model": "model.pkl",
                "serialization_format": "pickle",
                "sklearn_version": sklearn.__version__,
            },
        },
        "mlflow_version": MLFLOW_VERSION,
        "model_uuid": uuid.uuid5(_NAMESPACE, name).hex,
        "run_id": uuid.uuid5(_NAMESPACE, name + "/run").hex,
        "saved_input_example_info": {
            "artifact_path": "input_example.json",
            "pandas_orient": "split",
            "type": "dataframe",
        },
        "signature": _signature(frame),
        "utc_time_created": CREATED,
    }
