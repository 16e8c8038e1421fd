"""The example-model generator: datasets, model recipes and artifact writers."""
