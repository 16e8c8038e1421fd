# mlctl pickle sidecar: loads one scikit-learn pickle/joblib file and answers
# predict requests over stdin/stdout in length-prefixed binary frames (see
# frame.go for the layout). Embedded in the mlctl binary; run as
#   python3 -c <this source> [distribution names whose versions to report]
import hashlib
import io
import json
import os
import pickle
import platform
import struct
import sys
import traceback

MAGIC = b"MLPS"
VERSION = 1
HEADER = struct.Struct("<4sBBHQII")
MAX_FRAME = 1 << 30
MAX_META = 16 << 20

HELLO, LOAD, PREDICT, ERROR, SHUTDOWN = 1, 2, 3, 4, 5

WIRE_DTYPES = {
    "BOOL": "?", "UINT8": "<u1", "UINT16": "<u2", "UINT32": "<u4", "UINT64": "<u8",
    "INT8": "<i1", "INT16": "<i2", "INT32": "<i4", "INT64": "<i8",
    "FP16": "<f2", "FP32": "<f4", "FP64": "<f8",
}



def takes_plain_arrays(est):
    """True for plain numeric estimators (trees, ensembles, linear models)
    that use feature names only to check them: they may be given a matrix in
    the fitted column order. Pipelines and column transformers select columns
    by name and keep getting a DataFrame."""
    import warnings
    module = type(est).__module__
    plain = module.startswith(("sklearn.tree", "sklearn.ensemble", "sklearn.linear_model"))
    if plain:
        # The matrix is in fitted order by construction; the warning that it
        # has no names is noise here.
        warnings.filterwarnings("ignore", message="X does not have valid feature names")
    return plain


def label_is_argmax_of_proba(est):
    """True for estimators whose scikit-learn predict() is defined as
    classes_.take(argmax(predict_proba())): single-output trees and forests.
    For them one predict_proba call gives both outputs, bit for bit."""
    try:
        from sklearn.ensemble._forest import ForestClassifier
        from sklearn.tree import BaseDecisionTree
    except ImportError:
        return False
    single = getattr(est, "n_outputs_", 1) == 1
    return single and isinstance(est, (ForestClassifier, BaseDecisionTree))

class ProtocolError(Exception):
    """A frame that does not follow the protocol."""


class DigestMismatch(Exception):
    """The model file is not the one whose digest the caller expects."""


def take_protocol_streams():
    # The protocol owns the original stdin/stdout; anything the model prints
    # goes to stderr instead of corrupting frames.
    proto_in = os.fdopen(os.dup(0), "rb", buffering=1 << 16)
    proto_out = os.fdopen(os.dup(1), "wb", buffering=1 << 16)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    return proto_in, proto_out


def read_exact(stream, n):
    data = stream.read(n)
    if data is None or len(data) != n:
        if not data:
            return None
        raise ProtocolError("stream ended inside a frame: got %d of %d bytes" % (len(data), n))
    return data


def read_frame(stream):
    head = read_exact(stream, HEADER.size)
    if head is None:
        return None
    magic, version, mtype, flags, rid, meta_len, data_len = HEADER.unpack(head)
    if magic != MAGIC:
        raise ProtocolError("magic %r, expected %r" % (magic, MAGIC))
    if version != VERSION:
        raise ProtocolError("protocol version %d, expected %d" % (version, VERSION))
    if flags != 0:
        raise ProtocolError("reserved flags %#x are not zero" % flags)
    if meta_len > MAX_META or meta_len + data_len > MAX_FRAME:
        raise ProtocolError("frame of %d+%d bytes exceeds the limits" % (meta_len, data_len))
    body = read_exact(stream, meta_len + data_len) if meta_len + data_len else b""
    if body is None:
        raise ProtocolError("stream ended before a frame body")
    meta = json.loads(body[:meta_len]) if meta_len else {}
    return mtype, rid, meta, memoryview(body)[meta_len:]


def write_frame(stream, mtype, rid, meta, buffers=()):
    meta_bytes = json.dumps(meta, separators=(",", ":")).encode()
    data_len = sum(len(b) for b in buffers)
    if len(meta_bytes) > MAX_META or len(meta_bytes) + data_len > MAX_FRAME:
        raise ValueError("reply of %d bytes exceeds the %d-byte frame limit" % (len(meta_bytes) + data_len, MAX_FRAME))
    stream.write(HEADER.pack(MAGIC, VERSION, mtype, 0, rid, len(meta_bytes), data_len))
    stream.write(meta_bytes)
    for b in buffers:
        stream.write(b)
    stream.flush()


def write_error(stream, rid, exc):
    meta = {
        "type": type(exc).__name__,
        "message": str(exc),
        "invalid_input": isinstance(exc, (ValueError, TypeError, KeyError)),
        "unavailable": isinstance(exc, ImportError),
        "traceback": "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))[-8000:],
    }
    write_frame(stream, ERROR, rid, meta)


def distribution_version(name):
    try:
        from importlib import metadata
        return metadata.version(name)
    except Exception:
        return ""


def hello_versions(extra):
    import numpy
    import sklearn
    versions = {
        "python": platform.python_version(),
        "numpy": numpy.__version__,
        "scikit-learn": sklearn.__version__,
    }
    for name in ("pandas", "joblib"):
        try:
            versions[name] = __import__(name).__version__
        except ImportError:
            pass
    for name in extra:
        version = distribution_version(name)
        if name not in versions and version:
            versions[name] = version
    return versions


class Sidecar:
    def __init__(self, out):
        self.out = out
        self.est = None
        self.feature_names = None
        self.classes = None
        self.is_classifier = False
        self.has_proba = False

    def load(self, meta):
        import numpy as np
        path = meta["path"]
        with open(path, "rb") as f:
            content = f.read()
        digest = hashlib.sha256(content).hexdigest()
        want = meta.get("sha256", "").lower()
        if want and digest != want:
            raise DigestMismatch("%s has sha256 %s, expected %s; refusing to unpickle it" % (path, digest, want))
        try:
            import joblib
            est = joblib.load(io.BytesIO(content))
        except ImportError:
            est = pickle.loads(content)
        if not hasattr(est, "predict"):
            raise TypeError("%s holds a %s, which has no predict method" % (path, type(est).__name__))
        self.est = est

        from sklearn.base import is_regressor
        names = getattr(est, "feature_names_in_", None)
        self.feature_names = [str(n) for n in names] if names is not None else None
        classes = getattr(est, "classes_", None)
        if isinstance(classes, list):
            raise TypeError("%s is a multi-output classifier (classes_ is a list), which mlctl does not serve" % type(est).__name__)
        self.is_classifier = classes is not None
        self.has_proba = self.is_classifier and hasattr(est, "predict_proba")
        self.label_from_proba = self.has_proba and label_is_argmax_of_proba(est)
        self.plain_arrays = takes_plain_arrays(est)
        label_dtype = ""
        class_names = []
        if classes is not None:
            label_dtype = "BYTES"
            classes = np.asarray(classes)
            self.classes = classes
            integral = classes.dtype.kind in "iub" or (
                classes.dtype.kind == "f" and bool(np.all(np.mod(classes, 1) == 0)))
            if integral:
                label_dtype = "INT64"
                class_names = [str(int(c)) for c in classes]
            else:
                class_names = [str(c) for c in classes]
        n_outputs = getattr(est, "n_outputs_", None)
        if n_outputs is None:
            coef = getattr(est, "coef_", None)
            n_outputs = coef.shape[0] if coef is not None and getattr(coef, "ndim", 1) == 2 and not self.is_classifier else 1
        n_features = getattr(est, "n_features_in_", None)
        return {
            "estimator": type(est).__name__,
            "module": type(est).__module__,
            "feature_names": self.feature_names,
            "n_features": int(n_features) if n_features is not None else 0,
            "classes": class_names,
            "label_dtype": label_dtype,
            "has_predict_proba": self.has_proba,
            "is_classifier": self.is_classifier,
            "is_regressor": is_regressor(est),
            "n_outputs": int(n_outputs),
        }

    def inputs(self, meta, data):
        import numpy as np
        rows = int(meta["rows"])
        arrays = []
        off = 0
        for col in meta["columns"]:
            nbytes = int(col["nbytes"])
            if off + nbytes > len(data):
                raise ProtocolError("column %r runs past the frame's data" % col["name"])
            buf = data[off:off + nbytes]
            off += nbytes
            if col["dtype"] == "BYTES":
                arr = decode_strings(buf, rows * max(1, prod(col["shape"][1:])), col["name"])
            else:
                arr = np.frombuffer(buf, dtype=WIRE_DTYPES[col["dtype"]])
            null_bytes = int(col.get("null_bytes", 0))
            if null_bytes:
                mask = np.frombuffer(data[off:off + null_bytes], dtype="?")
                off += null_bytes
                arr = arr.astype(object)
                arr[mask] = None
            arrays.append((col["name"], arr.reshape(col["shape"])))
        if meta.get("matrix"):
            name, x = arrays[0]
            if self.feature_names is not None and x.shape[1] == len(self.feature_names):
                import pandas as pd
                return pd.DataFrame(x, columns=self.feature_names, copy=False)
            return x
        if self.feature_names is not None and self.plain_arrays:
            # Columns in the fitted order, as one float matrix: building a
            # DataFrame costs more than predicting a small batch.
            given = dict(arrays)
            missing = [n for n in self.feature_names if n not in given]
            if missing:
                raise KeyError("the model needs columns %s, which the request lacks" % ", ".join(missing))
            x = np.empty((rows, len(self.feature_names)), dtype=np.float64)
            for j, name in enumerate(self.feature_names):
                try:
                    x[:, j] = given[name]
                except (TypeError, ValueError) as e:
                    raise ValueError("column %r: %s" % (name, e))
            return x
        if self.feature_names is not None:
            import pandas as pd
            given = dict(arrays)
            missing = [n for n in self.feature_names if n not in given]
            if missing:
                raise KeyError("the model needs columns %s, which the request lacks" % ", ".join(missing))
            return pd.DataFrame({n: given[n] for n in self.feature_names})
        x = np.empty((rows, len(arrays)), dtype=np.float64)
        for j, (name, arr) in enumerate(arrays):
            try:
                x[:, j] = arr
            except (TypeError, ValueError) as e:
                raise ValueError("column %r: %s" % (name, e))
        return x

    def predict(self, meta, data):
        import numpy as np
        x = self.inputs(meta, data)
        outputs = []
        buffers = []
        if self.label_from_proba:
            # scikit-learn's own predict is this argmax: one pass, not two.
            proba = np.ascontiguousarray(self.est.predict_proba(x), dtype="<f8")
            encode_labels(self.classes.take(np.argmax(proba, axis=1)), self.classes, outputs, buffers)
            add_output(outputs, buffers, "probabilities", "FP64", proba)
            return {"outputs": outputs}, buffers
        pred = np.asarray(self.est.predict(x))
        if self.is_classifier:
            encode_labels(pred, self.classes, outputs, buffers)
            if self.has_proba:
                proba = np.ascontiguousarray(self.est.predict_proba(x), dtype="<f8")
                add_output(outputs, buffers, "probabilities", "FP64", proba)
        else:
            if pred.dtype.kind in "iufb":
                add_output(outputs, buffers, "prediction", "FP64", np.ascontiguousarray(pred, dtype="<f8"))
            else:
                add_strings(outputs, buffers, "prediction", pred)
        return {"outputs": outputs}, buffers

    def serve(self, inp):
        while True:
            got = read_frame(inp)
            if got is None:
                return
            mtype, rid, meta, data = got
            if mtype == SHUTDOWN:
                return
            try:
                if mtype == LOAD:
                    write_frame(self.out, LOAD, rid, self.load(meta))
                elif mtype == PREDICT:
                    if self.est is None:
                        raise RuntimeError("predict before load")
                    reply, buffers = self.predict(meta, data)
                    write_frame(self.out, PREDICT, rid, reply, buffers)
                else:
                    raise ProtocolError("unexpected message type %d" % mtype)
            except Exception as e:
                write_error(self.out, rid, e)


def prod(dims):
    n = 1
    for d in dims:
        n *= int(d)
    return n


def encode_labels(pred, classes, outputs, buffers):
    import numpy as np
    if pred.dtype.kind in "iub":
        add_output(outputs, buffers, "label", "INT64", np.ascontiguousarray(pred, dtype="<i8"))
        return
    if pred.ndim == 1 and len(classes):
        # Send indices into classes_ rather than the labels: no per-row
        # string encoding, and Go maps them to the classes it already has.
        try:
            idx = np.clip(np.searchsorted(classes, pred), 0, len(classes) - 1)
            if np.array_equal(classes[idx], pred):
                add_output(outputs, buffers, "label", "INT64", idx.astype("<i8"), class_index=True)
                return
        except TypeError:
            pass
    add_strings(outputs, buffers, "label", pred)


def add_output(outputs, buffers, name, dtype, arr, class_index=False):
    out = {"name": name, "dtype": dtype, "shape": list(arr.shape), "nbytes": arr.nbytes}
    if class_index:
        out["class_index"] = True
    outputs.append(out)
    buffers.append(memoryview(arr).cast("B"))


def add_strings(outputs, buffers, name, arr):
    parts = []
    for v in arr.reshape(-1):
        b = str(v).encode("utf-8")
        parts.append(struct.pack("<I", len(b)))
        parts.append(b)
    blob = b"".join(parts)
    outputs.append({"name": name, "dtype": "BYTES", "shape": list(arr.shape), "nbytes": len(blob)})
    buffers.append(blob)


def decode_strings(buf, n, name):
    import numpy as np
    out = np.empty(n, dtype=object)
    mv = memoryview(buf)
    off = 0
    for i in range(n):
        if off + 4 > len(mv):
            raise ProtocolError("column %r: string %d runs past its buffer" % (name, i))
        (size,) = struct.unpack_from("<I", mv, off)
        off += 4
        if off + size > len(mv):
            raise ProtocolError("column %r: string %d runs past its buffer" % (name, i))
        out[i] = bytes(mv[off:off + size]).decode("utf-8")
        off += size
    if off != len(mv):
        raise ProtocolError("column %r: %d bytes left after %d strings" % (name, len(mv) - off, n))
    return out


def main():
    inp, out = take_protocol_streams()
    try:
        versions = hello_versions(sys.argv[1:])
    except Exception as e:
        write_error(out, 0, e)
        return 1
    write_frame(out, HELLO, 0, {"versions": versions})
    try:
        Sidecar(out).serve(inp)
    except ProtocolError as e:
        print("mlctl pickle sidecar: protocol error: %s" % e, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    code = main()
    sys.stderr.flush()
    # Skip interpreter teardown: with scikit-learn and pandas imported it
    # takes long, and there is nothing to clean up.
    os._exit(code)
