"""Estimators that misbehave on purpose, for the pickle flavor's tests.

The first feature of the first row chooses the misbehaviour:
666 exits the process, 777 sleeps, 555 raises RuntimeError.
"""
import os
import sys
import time

import numpy as np

CRASH, SLEEP, RAISE = 666.0, 777.0, 555.0


class Tricky:
    def __init__(self):
        self.classes_ = np.array([0, 1])
        self.n_features_in_ = 2

    def _misbehave(self, X):
        X = np.asarray(X, dtype=np.float64)
        first = X[0, 0] if X.size else 0.0
        if first == CRASH:
            print("Tricky: exiting on purpose", file=sys.stderr, flush=True)
            os._exit(3)
        if first == SLEEP:
            time.sleep(30)
        if first == RAISE:
            raise RuntimeError("Tricky: raising on purpose")
        return X

    def predict(self, X):
        X = self._misbehave(X)
        return (X[:, 0] > 0).astype(np.int64)

    def predict_proba(self, X):
        X = np.asarray(X, dtype=np.float64)
        p = 1.0 / (1.0 + np.exp(-X[:, 0]))
        return np.column_stack([1.0 - p, p])


class Chatty(Tricky):
    """Prints to stdout, which must not corrupt the protocol."""

    def predict(self, X):
        print("Chatty: predicting", len(X), "rows")
        return super().predict(X)


class Marker:
    """Unpickling it creates a file: proof that a pickle was (not) loaded."""

    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        return (open, (self.path, "w"))
