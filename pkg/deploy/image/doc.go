// Package image assembles the OCI image that serves one bundle revision,
// without a daemon, with go-containerregistry.
//
// An image is a base (a locally built image such as mlctl-base/glibc, an OCI
// layout or tarball on disk, or scratch) plus up to three layers: the mlctl
// binary at /usr/local/bin/mlctl, the bundle's files under /bundle, and, when
// the served flavor is onnx, the ONNX Runtime library at
// /usr/lib/mlctl/libonnxruntime.so. The config runs `mlctl serve /bundle` as
// the non-root user 65532, exposes the HTTP and gRPC ports, checks health
// with the exec-form `mlctl healthcheck` (no shell needed), and carries OCI
// labels plus io.mlctl.bundle.* labels naming the bundle.
//
// Images are reproducible: every timestamp is the bundle's creation time,
// tar entries are sorted with fixed owners and modes, so the same inputs give
// the same digest on any machine.
//
// The base must provide what the served flavor links against: mlctl is a
// cgo binary (glibc), ONNX Runtime needs libstdc++ too, and pickle bundles
// need Python with scikit-learn. DefaultBase names the locally built base per
// flavor (scripts/testenv/docker.sh builds them).
package image
