"""Small exporters that turn fitted scikit-learn estimators into PMML and ONNX.

They cover exactly the estimators the example models use (LogisticRegression,
DecisionTreeClassifier/Regressor, RandomForestClassifier,
GradientBoostingRegressor) and are written to reproduce scikit-learn's own
predictions: see each module's docstring for how.
"""
