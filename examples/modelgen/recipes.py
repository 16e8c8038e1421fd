"""The scikit-learn example models: which dataset, which estimator.

Every estimator has a fixed random_state, so a rerun fits the same model.
"""

from dataclasses import dataclass
from typing import Callable

from sklearn.ensemble import GradientBoostingRegressor, RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.tree import DecisionTreeClassifier

from . import datasets

MODEL_SEED = 0


@dataclass(frozen=True)
class Recipe:
    """How to make one example model."""

    name: str
    description: str
    dataset: Callable[[], datasets.Split]
    estimator: Callable[[], object]


RECIPES = (
    Recipe(
        name="iris_logreg",
        description="Multinomial logistic regression on iris (species from 4 measurements).",
        dataset=datasets.iris,
        estimator=lambda: LogisticRegression(multi_class="multinomial", max_iter=1000, random_state=MODEL_SEED),
    ),
    Recipe(
        name="iris_forest",
        description="Random forest of 20 trees (depth <= 5) on iris.",
        dataset=datasets.iris,
        estimator=lambda: RandomForestClassifier(n_estimators=20, max_depth=5, random_state=MODEL_SEED),
    ),
    Recipe(
        name="diabetes_gbm",
        description="Gradient-boosted regression trees (50 stages, depth 3) on diabetes progression.",
        dataset=datasets.diabetes,
        estimator=lambda: GradientBoostingRegressor(n_estimators=50, max_depth=3, random_state=MODEL_SEED),
    ),
    Recipe(
        name="breast_cancer_tree",
        description="Decision tree (depth <= 5) on breast cancer diagnosis (malignant/benign).",
        dataset=datasets.breast_cancer,
        estimator=lambda: DecisionTreeClassifier(max_depth=5, random_state=MODEL_SEED),
    ),
)

# BENCH_RECIPES are larger models for benchmarks only (make_models.py
# --bench writes them outside the repository): the 100-tree forest the PMML
# speed target names.
BENCH_RECIPES = (
    Recipe(
        name="breast_cancer_forest100",
        description="Random forest of 100 trees (depth <= 8) on breast cancer diagnosis (30 features).",
        dataset=datasets.breast_cancer,
        estimator=lambda: RandomForestClassifier(n_estimators=100, max_depth=8, random_state=MODEL_SEED),
    ),
)
