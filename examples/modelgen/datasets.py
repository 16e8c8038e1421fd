"""Datasets bundled with scikit-learn, as DataFrames with snake_case columns.

Nothing is downloaded: iris, diabetes and breast cancer ship inside
scikit-learn. Classification targets are string labels so that a fitted
classifier's ``classes_`` are the names users see.
"""

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn import datasets
from sklearn.model_selection import train_test_split

SPLIT_SEED = 42


@dataclass
class Split:
    """A dataset split into training rows and held-out rows."""

    name: str
    target_name: str
    x_train: pd.DataFrame
    x_test: pd.DataFrame
    y_train: np.ndarray
    y_test: np.ndarray

    @property
    def features(self):
        """The feature column names, in model input order."""
        return list(self.x_train.columns)


def snake_case(name):
    """'mean radius' -> 'mean_radius'; 'sepal length (cm)' -> 'sepal_length'."""
    name = re.sub(r"\(.*?\)", "", name)
    return re.sub(r"[^0-9a-z]+", "_", name.lower()).strip("_")


def _split(name, target_name, bunch, labels, test_rows, stratify):
    frame = pd.DataFrame(bunch.data, columns=[snake_case(c) for c in bunch.feature_names])
    x_train, x_test, y_train, y_test = train_test_split(
        frame,
        labels,
        test_size=test_rows,
        random_state=SPLIT_SEED,
        stratify=labels if stratify else None,
    )
    return Split(name, target_name, x_train, x_test, np.asarray(y_train), np.asarray(y_test))


def iris(test_rows=30):
    """Iris: 4 features, species 'setosa', 'versicolor', 'virginica'."""
    bunch = datasets.load_iris()
    labels = np.asarray(bunch.target_names)[bunch.target]
    return _split("iris", "species", bunch, labels, test_rows, stratify=True)


def breast_cancer(test_rows=30):
    """Breast cancer (Wisconsin): 30 features, diagnosis 'malignant'/'benign'."""
    bunch = datasets.load_breast_cancer()
    labels = np.asarray(bunch.target_names)[bunch.target]
    return _split("breast_cancer", "diagnosis", bunch, labels, test_rows, stratify=True)


def diabetes(test_rows=25):
    """Diabetes: 10 scaled features, disease progression one year on."""
    bunch = datasets.load_diabetes()
    return _split("diabetes", "progression", bunch, bunch.target.astype(np.float64), test_rows, stratify=False)
