package daemon_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/metadata"

	"github.com/mlctl/mlctl/pkg/pack"
	"github.com/mlctl/mlctl/pkg/serve"
	"github.com/mlctl/mlctl/pkg/serve/daemon"
	pb "github.com/mlctl/mlctl/pkg/serve/grpcapi/inferencepb"
)

// selfSigned writes a certificate for 127.0.0.1 and returns its paths and pool.
func selfSigned(t *testing.T, dir string) (string, string, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "mlctl test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, IsCA: true, BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	keyDER, err := x509.MarshalECPrivateKey(key)
	require.NoError(t, err)
	certPath, keyPath := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	require.NoError(t, os.WriteFile(certPath, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600))
	require.NoError(t, os.WriteFile(keyPath, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600))
	cert, err := x509.ParseCertificate(der)
	require.NoError(t, err)
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return certPath, keyPath, pool
}

func TestTLSAndTokenOnBothProtocols(t *testing.T) {
	dir := t.TempDir()
	b := filepath.Join(dir, "iris.mlb")
	_, err := pack.Pack(context.Background(), pack.Options{
		Models: []string{filepath.Join("..", "..", "..", "examples", "models", "iris_forest", "model.pmml")}, Out: b, Name: "iris",
	})
	require.NoError(t, err)
	certPath, keyPath, pool := selfSigned(t, dir)
	t.Setenv("MLCTL_TEST_TOKEN", "t0ken")
	cfg := serve.Config{
		Models: []serve.ModelConfig{{Bundles: []string{b}}},
		TLS:    serve.TLSConfig{Cert: certPath, Key: keyPath},
		Auth:   serve.AuthConfig{TokenEnv: "MLCTL_TEST_TOKEN"},
	}
	ctx, cancel := context.WithCancel(context.Background())
	addrs := make(chan [2]string, 1)
	done := make(chan error, 1)
	go func() {
		done <- daemon.Run(ctx, daemon.Options{Config: cfg, HTTPAddr: "127.0.0.1:0", GRPCAddr: "127.0.0.1:0",
			Listening: func(h, g string) { addrs <- [2]string{h, g} }})
	}()
	a := <-addrs
	defer func() { cancel(); require.NoError(t, <-done) }()

	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	post := func(token string) int {
		req, _ := http.NewRequest(http.MethodPost, "https://"+a[0]+"/invocations", strings.NewReader(`{"instances": [[5.1, 3.5, 1.4, 0.2]]}`))
		req.Header.Set("Content-Type", "application/json")
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := client.Do(req)
		require.NoError(t, err)
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode
	}
	assert.Equal(t, 401, post(""))
	assert.Equal(t, 200, post("t0ken"))
	_, err = http.Get("http://" + a[0] + "/ping")
	assert.NoError(t, err, "a plain-HTTP request reaches the TLS listener and is refused by the TLS layer, not the app")

	conn, err := grpc.NewClient(a[1], grpc.WithTransportCredentials(credentials.NewTLS(&tls.Config{RootCAs: pool})))
	require.NoError(t, err)
	defer conn.Close()
	c := pb.NewGRPCInferenceServiceClient(conn)
	_, err = c.ServerMetadata(context.Background(), &pb.ServerMetadataRequest{})
	assert.ErrorContains(t, err, "Unauthenticated")
	mctx := metadata.AppendToOutgoingContext(context.Background(), "authorization", "Bearer t0ken")
	live, err := c.ServerLive(mctx, &pb.ServerLiveRequest{})
	require.NoError(t, err)
	assert.True(t, live.Live)
}
