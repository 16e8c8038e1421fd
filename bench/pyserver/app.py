"""The Python baseline for mlctl's serving benchmarks.

The shape of MLflow's scoring server (mlflow/pyfunc/scoring_server: FastAPI
since MLflow 2.10, served by uvicorn with one worker process per core): read
the JSON body, build a pandas DataFrame from MLflow's dataframe_split (or
dataframe_records / inputs), call the scikit-learn model's predict, and
answer {"predictions": [...]}. It loads the same model.pkl that mlctl packs.

    MODEL_PATH=examples/models/iris_forest/model.pkl \
        /usr/bin/python3 -m uvicorn --app-dir bench/pyserver app:app \
        --host 127.0.0.1 --port 8092 --workers 2 --no-access-log

Debian packages only: python3-fastapi, python3-uvicorn, python3-pandas,
python3-sklearn (bench/setup.sh).
"""

import json
import os
import pickle

import numpy as np
import pandas as pd
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response

MAX_BODY = 32 << 20

with open(os.environ["MODEL_PATH"], "rb") as f:
    model = pickle.load(f)  # the benchmark's own model file: trusted

app = FastAPI()


def error(status, message):
    return JSONResponse({"error_code": "BAD_REQUEST", "message": message}, status_code=status)


def to_frame(body):
    """MLflow's input shapes → a DataFrame, as its scoring server does."""
    if "dataframe_split" in body:
        split = body["dataframe_split"]
        return pd.DataFrame(data=split["data"], columns=split.get("columns"), index=split.get("index"))
    if "dataframe_records" in body:
        return pd.DataFrame(body["dataframe_records"])
    if "inputs" in body:
        return pd.DataFrame(body["inputs"])
    raise ValueError("expected one of dataframe_split, dataframe_records, inputs")


@app.get("/ping")
@app.get("/health")
def ping():
    return PlainTextResponse("\n")


@app.post("/invocations")
async def invocations(request: Request):
    if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
        return error(415, "expected Content-Type application/json")
    raw = await request.body()
    if len(raw) > MAX_BODY:
        return error(413, "request body too large")
    try:
        frame = to_frame(json.loads(raw))
    except (ValueError, KeyError, TypeError) as e:
        return error(400, f"could not read the input: {e}")
    try:
        predictions = model.predict(frame)
    except Exception as e:  # the model's own error, reported like MLflow does
        return error(400, f"model failed: {e}")
    if isinstance(predictions, np.ndarray):
        predictions = predictions.tolist()
    return Response(json.dumps({"predictions": predictions}), media_type="application/json")
