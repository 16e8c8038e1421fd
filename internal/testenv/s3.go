package testenv

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// InstallS3 is the command that installs versitygw where StartS3 finds it.
const InstallS3 = "bash scripts/testenv/s3.sh"

const (
	s3StartTimeout = 20 * time.Second
	s3StopTimeout  = 5 * time.Second
	s3StartTries   = 3 // another process may take the port we picked
)

// S3Server is a running versitygw serving a fresh, empty posix directory
// on 127.0.0.1 with its own random root credentials.
type S3Server struct {
	Endpoint  string // http://127.0.0.1:PORT
	AccessKey string
	SecretKey string
	Region    string
	Dir       string // the posix root: one subdirectory per bucket
}

// StartS3 starts versitygw for the test and stops it in t.Cleanup. It
// creates no bucket. It skips the test if versitygw is not installed.
func StartS3(t testing.TB) *S3Server {
	t.Helper()
	bin, ok := findBinary("versitygw")
	if !ok {
		missing(t, "versitygw (S3 server; looked on PATH, in GOPATH/bin and "+filepath.Join(cacheDir(), "bin")+")", InstallS3)
	}
	srv := &S3Server{
		AccessKey: "mlctl" + randomHex(t, 6),
		SecretKey: randomHex(t, 20),
		Region:    "us-east-1",
		Dir:       t.TempDir(),
	}
	var lastErr error
	for range s3StartTries {
		err := srv.start(t, bin)
		if err == nil {
			return srv
		}
		lastErr = err
	}
	t.Fatalf("starting versitygw: %v", lastErr)
	return nil
}

func (s *S3Server) start(t testing.TB, bin string) error {
	port, err := freePort()
	if err != nil {
		return err
	}
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	args := []string{"--port", addr, "--region", s.Region, "--quiet", "posix"}
	if !supportsXattr(s.Dir) {
		// versitygw keeps object metadata in xattrs; some tmpfs lack them.
		args = append(args, "--sidecar", t.TempDir())
	}
	args = append(args, s.Dir)
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), "ROOT_ACCESS_KEY="+s.AccessKey, "ROOT_SECRET_KEY="+s.SecretKey)
	p, err := startProcess("versitygw", cmd)
	if err != nil {
		return err
	}
	endpoint := "http://" + addr
	// Any HTTP answer (an anonymous request gets 403) means it is up.
	if err := p.waitUp(endpoint+"/", s3StartTimeout, func(*http.Response) bool { return true }); err != nil {
		return err
	}
	s.Endpoint = endpoint
	p.stopAtCleanup(t, s3StopTimeout)
	return nil
}

// Credentials are the server's root credentials.
func (s *S3Server) Credentials() aws.CredentialsProvider {
	return credentials.NewStaticCredentialsProvider(s.AccessKey, s.SecretKey, "")
}

// Client is an S3 client for the server with its root credentials.
func (s *S3Server) Client() *s3.Client {
	return s3.New(s3.Options{
		Region:                     s.Region,
		BaseEndpoint:               aws.String(s.Endpoint),
		UsePathStyle:               true,
		Credentials:                s.Credentials(),
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenRequired,
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenRequired,
	})
}

// CreateBucket creates a bucket named name, failing the test on error.
func (s *S3Server) CreateBucket(t testing.TB, name string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := s.Client().CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(name)}); err != nil {
		t.Fatalf("creating bucket %q: %v", name, err)
	}
}

// NewBucket creates a bucket with a fresh random name and returns the name.
func (s *S3Server) NewBucket(t testing.TB) string {
	t.Helper()
	name := "test-" + randomHex(t, 6)
	s.CreateBucket(t, name)
	return name
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func randomHex(t testing.TB, n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

// syncBuffer collects a child process's output for error messages.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.buf.Len() > 1<<20 {
		return len(p), nil // keep the start; the server only logs on trouble
	}
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return strings.TrimSpace(b.buf.String())
}
