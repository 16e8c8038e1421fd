// Package pickle serves scikit-learn models saved with pickle or joblib.
//
// The model runs in a Python sidecar: one child process of the interpreter
// in LoadOptions.Python (default /usr/bin/python3, else python3 on PATH),
// running a small program embedded in this package. Go and Python speak
// length-prefixed binary frames over the child's stdin and stdout: a fixed
// 24-byte header, a JSON section naming and sizing the columns, and the raw
// little-endian column buffers, which Python wraps with numpy.frombuffer.
//
// Unpickling runs code from the file. Load refuses a file whose sha256 is
// not LoadOptions.SHA256, and the sidecar re-checks the digest on the very
// bytes it unpickles. There is no sandbox: see docs/pickle-trust.md.
//
// One sidecar serves one model; concurrent Predict calls take turns on it.
// A call that times out (the context's deadline, or 60 s) kills the sidecar,
// and so does a crash; the next call starts a new one and reloads the file.
package pickle
