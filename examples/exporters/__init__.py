"""Small exporters that turn fitted scikit-learn estimators into PMML and ONNX.

They cover the estimators the example models and the PMML conformance files
use (LogisticRegression, DecisionTreeClassifier/Regressor,
RandomForestClassifier, GradientBoostingRegressor in pmml_export; the ones
listed in pmml_models) and are written to reproduce scikit-learn's own
predictions: see each module's docstring for how.
"""
