package grpcapi

import (
	"bytes"
	"encoding/base64"
	"go/build"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	pb "github.com/mlctl/mlctl/pkg/serve/grpcapi/inferencepb"
)

const grpcurlInstall = "go install github.com/fullstorydev/grpcurl/cmd/grpcurl@v1.9.4"

// grpcurlPath finds grpcurl on PATH or in $(go env GOPATH)/bin.
func grpcurlPath(t *testing.T) string {
	if p, err := exec.LookPath("grpcurl"); err == nil {
		return p
	}
	p := filepath.Join(build.Default.GOPATH, "bin", "grpcurl")
	if _, err := os.Stat(p); err == nil {
		return p
	}
	t.Skipf("grpcurl is not on PATH nor in %s: install it with %q to run the third-party client test",
		filepath.Dir(p), grpcurlInstall)
	return ""
}

// grpcurl runs the real client against addr; it finds the API through
// server reflection, as a user without the .proto would.
func grpcurl(t *testing.T, bin string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"-plaintext", "-max-time", "20"}, args...)...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err = cmd.Run()
	return out.String(), errOut.String(), err
}

func TestGrpcurl(t *testing.T) {
	bin := grpcurlPath(t)
	_, _, addr := startServer(t, newFakeCore(), Options{})
	svc := "inference.GRPCInferenceService/"

	run := func(t *testing.T, into proto.Message, args ...string) {
		t.Helper()
		out, errOut, err := grpcurl(t, bin, args...)
		require.NoError(t, err, "grpcurl %v: %s", args, errOut)
		require.NoError(t, protojson.Unmarshal([]byte(out), into), "grpcurl printed %s", out)
	}

	t.Run("list", func(t *testing.T) {
		out, errOut, err := grpcurl(t, bin, addr, "list")
		require.NoError(t, err, errOut)
		assert.Contains(t, out, "inference.GRPCInferenceService")
		assert.Contains(t, out, "grpc.health.v1.Health")
	})
	t.Run("ServerLive", func(t *testing.T) {
		var resp pb.ServerLiveResponse
		run(t, &resp, addr, svc+"ServerLive")
		assert.True(t, resp.GetLive())
	})
	t.Run("ModelMetadata", func(t *testing.T) {
		var resp pb.ModelMetadataResponse
		run(t, &resp, "-d", `{"name": "sum"}`, addr, svc+"ModelMetadata")
		assert.Equal(t, []string{"1", "2"}, resp.GetVersions())
		require.Len(t, resp.GetInputs(), 1)
		assert.Equal(t, []int64{-1, 4}, resp.GetInputs()[0].GetShape())
	})
	t.Run("ModelInfer typed", func(t *testing.T) {
		var resp pb.ModelInferResponse
		run(t, &resp, "-d", `{"model_name": "sum", "id": "g-1", "inputs": [{"name": "x", "datatype": "FP64", "shape": [2, 4],
			"contents": {"fp64_contents": [1, 2, 3, 4, 0.5, 0.5, 0.5, 0.5]}}]}`, addr, svc+"ModelInfer")
		assert.Equal(t, "g-1", resp.GetId())
		assert.Equal(t, "2", resp.GetModelVersion())
		assert.Equal(t, "uuid-sum-2", resp.GetParameters()["model_uuid"].GetStringParam())
		require.Len(t, resp.GetOutputs(), 2)
		assert.Equal(t, []float64{20, 4}, resp.GetOutputs()[0].GetContents().GetFp64Contents())
	})
	t.Run("ModelInfer raw", func(t *testing.T) {
		var resp pb.ModelInferResponse
		raw := base64.StdEncoding.EncodeToString(fp64Raw(1, 2, 3, 4))
		run(t, &resp, "-d", `{"model_name": "sum", "model_version": "1", "inputs": [{"name": "x", "datatype": "FP64", "shape": [1, 4]}],
			"outputs": [{"name": "total"}], "raw_input_contents": ["`+raw+`"]}`, addr, svc+"ModelInfer")
		assert.Equal(t, "1", resp.GetModelVersion())
		assert.Equal(t, [][]byte{fp64Raw(10)}, resp.GetRawOutputContents())
	})
	t.Run("errors", func(t *testing.T) {
		_, errOut, err := grpcurl(t, bin, "-d", `{"model_name": "nope", "inputs": [{"name": "x", "datatype": "FP64", "shape": [1, 4],
			"contents": {"fp64_contents": [1, 2, 3, 4]}}]}`, addr, svc+"ModelInfer")
		require.Error(t, err)
		assert.Contains(t, errOut, "Code: NotFound")
		_, errOut, err = grpcurl(t, bin, "-d", `{"model_name": "sum", "inputs": [{"name": "x", "datatype": "FP32", "shape": [1, 4],
			"contents": {"fp32_contents": [1, 2, 3, 4]}}]}`, addr, svc+"ModelInfer")
		require.Error(t, err)
		assert.Contains(t, errOut, "Code: InvalidArgument")
		assert.Contains(t, errOut, `input "x": expected datatype FP64, got FP32`)
	})
	t.Run("token", func(t *testing.T) {
		_, _, authAddr := startServer(t, newFakeCore(), Options{Token: "s3cret"})
		_, errOut, err := grpcurl(t, bin, authAddr, svc+"ServerReady")
		require.Error(t, err)
		assert.Contains(t, errOut, "code = Unauthenticated", "reflection is refused first")
		var resp pb.ServerReadyResponse
		run(t, &resp, "-H", "authorization: Bearer s3cret", authAddr, svc+"ServerReady")
		assert.True(t, resp.GetReady())
	})
}
