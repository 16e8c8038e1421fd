package objstore_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"io"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mlctl/mlctl/internal/testenv"
	"github.com/mlctl/mlctl/pkg/objstore"
)

// s3Env is a versitygw server with one bucket and a Store pointed at it.
type s3Env struct {
	srv    *testenv.S3Server
	bucket string
	st     *objstore.Store
}

func newS3Env(t *testing.T, opts objstore.Options) *s3Env {
	t.Helper()
	srv := testenv.StartS3(t)
	opts.S3Endpoint = srv.Endpoint
	opts.S3Credentials = srv.Credentials()
	return &s3Env{srv: srv, bucket: srv.NewBucket(t), st: objstore.New(opts)}
}

func (e *s3Env) loc(t testing.TB, key string) objstore.Location {
	t.Helper()
	loc, err := objstore.Parse("s3://" + e.bucket + "/" + key)
	require.NoError(t, err)
	return loc
}

func (e *s3Env) put(t *testing.T, key string, data []byte) {
	t.Helper()
	require.NoError(t, e.st.Put(context.Background(), e.loc(t, key), data))
}

// pendingUploads lists multipart uploads neither completed nor aborted.
func (e *s3Env) pendingUploads(t *testing.T) []string {
	t.Helper()
	out, err := e.srv.Client().ListMultipartUploads(context.Background(), &s3.ListMultipartUploadsInput{Bucket: aws.String(e.bucket)})
	require.NoError(t, err)
	var keys []string
	for _, u := range out.Uploads {
		keys = append(keys, aws.ToString(u.Key))
	}
	return keys
}

func randomBytes(t *testing.T, n int) []byte {
	b := make([]byte, n)
	_, err := rand.Read(b)
	require.NoError(t, err)
	return b
}

func objNames(objs []objstore.Object) []string {
	var out []string
	for _, o := range objs {
		out = append(out, o.Name)
	}
	return out
}

func TestS3List(t *testing.T) {
	e := newS3Env(t, objstore.Options{})
	for _, key := range []string{
		"in/b.csv", "in/a.csv", "in/c.jsonl", "in/sub/d.csv", "in/_SUCCESS", "in/.tmp/e.csv",
		"in-other/z.csv", "in/a-b/x.parquet", "in/a-b/y.parquet", "model.bin",
	} {
		e.put(t, key, []byte(key))
	}
	ctx := context.Background()
	tests := []struct {
		key  string
		want []string
	}{
		{"in/*.csv", []string{"a.csv", "b.csv"}},
		{"in/*/*.parquet", []string{"a-b/x.parquet", "a-b/y.parquet"}},
		{"in/[ab].csv", []string{"a.csv", "b.csv"}},
		{"in", []string{"a-b/x.parquet", "a-b/y.parquet", "a.csv", "b.csv", "c.jsonl", "sub/d.csv"}},
		{"in/", []string{"a-b/x.parquet", "a-b/y.parquet", "a.csv", "b.csv", "c.jsonl", "sub/d.csv"}},
		{"model.bin", []string{"model.bin"}},
		{"", []string{"in-other/z.csv", "in/a-b/x.parquet", "in/a-b/y.parquet", "in/a.csv", "in/b.csv", "in/c.jsonl", "in/sub/d.csv", "model.bin"}},
	}
	for _, tt := range tests {
		t.Run(tt.key, func(t *testing.T) {
			objs, err := e.st.List(ctx, e.loc(t, tt.key))
			require.NoError(t, err)
			assert.Equal(t, tt.want, objNames(objs))
		})
	}

	objs, err := e.st.List(ctx, e.loc(t, "in/b.csv"))
	require.NoError(t, err)
	require.Len(t, objs, 1)
	assert.Equal(t, "s3://"+e.bucket+"/in/b.csv", objs[0].Location.String())
	assert.Equal(t, int64(len("in/b.csv")), objs[0].Size)
	assert.NotEmpty(t, objs[0].ETag)
	assert.False(t, objs[0].ModTime.IsZero())
	assert.Equal(t, "etag:"+objs[0].ETag, objs[0].Fingerprint())

	_, err = e.st.List(ctx, e.loc(t, "in/*.avro"))
	assert.ErrorIs(t, err, objstore.ErrNotFound)
	assert.Contains(t, err.Error(), "s3://"+e.bucket+"/in/*.avro")
}

func TestS3RandomRead(t *testing.T) {
	const readAhead = 64 << 10
	e := newS3Env(t, objstore.Options{ReadAhead: readAhead})
	ctx := context.Background()
	data := randomBytes(t, 3<<20+123)
	e.put(t, "big.bin", data)

	r, err := e.st.OpenRandom(ctx, e.loc(t, "big.bin"))
	require.NoError(t, err)
	defer r.Close()
	require.Equal(t, int64(len(data)), r.Size())

	size := int64(len(data))
	tests := []struct {
		name    string
		off     int64
		n       int
		wantEOF bool
	}{
		{"footer", size - 8, 8, false},
		{"small at start", 0, 10, false},
		{"within the cached block", 100, 1000, false},
		{"across a block end", readAhead - 10, 100, false},
		{"larger than read-ahead", 1 << 20, 3 * readAhead, false},
		{"past the end", size - 5, 10, true},
		{"at the end", size, 10, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			buf := make([]byte, tt.n)
			n, err := r.ReadAt(buf, tt.off)
			end := min(tt.off+int64(tt.n), size)
			assert.Equal(t, int(end-tt.off), n)
			if tt.wantEOF {
				assert.ErrorIs(t, err, io.EOF)
			} else {
				require.NoError(t, err)
			}
			assert.True(t, bytes.Equal(data[tt.off:end], buf[:n]), "bytes at %d differ", tt.off)
		})
	}

	t.Run("concurrent", func(t *testing.T) {
		var wg sync.WaitGroup
		for i := range 8 {
			wg.Go(func() {
				off := int64(i) * 300_001
				buf := make([]byte, 5000)
				_, err := r.ReadAt(buf, off)
				assert.NoError(t, err)
				assert.True(t, bytes.Equal(data[off:off+5000], buf))
			})
		}
		wg.Wait()
	})

	t.Run("sequential read through Seek", func(t *testing.T) {
		_, err := r.Seek(size-1000, io.SeekStart)
		require.NoError(t, err)
		rest, err := io.ReadAll(r)
		require.NoError(t, err)
		assert.True(t, bytes.Equal(data[size-1000:], rest))
	})

	t.Run("replaced object", func(t *testing.T) {
		e.put(t, "big.bin", randomBytes(t, len(data)))
		buf := make([]byte, 10)
		_, err := r.ReadAt(buf, 2<<20) // not cached: a new GET
		assert.ErrorIs(t, err, objstore.ErrChanged)
	})
}

func TestS3StreamingRead(t *testing.T) {
	e := newS3Env(t, objstore.Options{})
	e.put(t, "in.jsonl", []byte("{\"x\":1}\n{\"x\":2}\n"))
	rc, err := e.st.OpenReader(context.Background(), e.loc(t, "in.jsonl"))
	require.NoError(t, err)
	defer rc.Close()
	got, err := io.ReadAll(rc)
	require.NoError(t, err)
	assert.Equal(t, "{\"x\":1}\n{\"x\":2}\n", string(got))
}

// writeChunks writes data in pieces, as a Parquet writer would.
func writeChunks(t *testing.T, w io.Writer, data []byte) {
	t.Helper()
	for len(data) > 0 {
		n := min(len(data), 700_001)
		_, err := w.Write(data[:n])
		require.NoError(t, err)
		data = data[n:]
	}
}

func TestS3Writer(t *testing.T) {
	e := newS3Env(t, objstore.Options{PartSize: 5 << 20})
	ctx := context.Background()
	data := randomBytes(t, 12<<20+7) // three parts

	t.Run("commit publishes a multipart object", func(t *testing.T) {
		loc := e.loc(t, "out/part-0.parquet")
		w, err := e.st.Create(ctx, loc)
		require.NoError(t, err)
		defer w.Abort()
		writeChunks(t, w, data[:6<<20])
		ok, err := e.st.Exists(ctx, loc)
		require.NoError(t, err)
		assert.False(t, ok, "nothing is visible before Commit")
		writeChunks(t, w, data[6<<20:])
		require.NoError(t, w.Commit())

		obj, err := e.st.Stat(ctx, loc)
		require.NoError(t, err)
		assert.Equal(t, int64(len(data)), obj.Size)
		assert.True(t, strings.HasSuffix(obj.ETag, "-3"), "ETag %q: want a 3-part multipart upload", obj.ETag)
		rc, err := e.st.OpenReader(ctx, loc)
		require.NoError(t, err)
		got, err := io.ReadAll(rc)
		rc.Close()
		require.NoError(t, err)
		assert.True(t, bytes.Equal(data, got), "content differs")
		assert.Empty(t, e.pendingUploads(t))
	})

	t.Run("abort leaves nothing", func(t *testing.T) {
		loc := e.loc(t, "out/aborted.parquet")
		w, err := e.st.Create(ctx, loc)
		require.NoError(t, err)
		writeChunks(t, w, data)
		require.NoError(t, w.Abort())
		ok, err := e.st.Exists(ctx, loc)
		require.NoError(t, err)
		assert.False(t, ok)
		assert.Empty(t, e.pendingUploads(t), "the multipart upload is aborted, not left to cost storage")
		assert.Error(t, w.Commit(), "an aborted writer cannot commit")
	})

	t.Run("cancelled context leaves nothing", func(t *testing.T) {
		loc := e.loc(t, "out/cancelled.parquet")
		cctx, cancel := context.WithCancel(ctx)
		w, err := e.st.Create(cctx, loc)
		require.NoError(t, err)
		writeChunks(t, w, data)
		cancel()
		_, err = w.Write([]byte("more"))
		assert.ErrorIs(t, err, objstore.ErrAborted)
		err = w.Commit()
		require.Error(t, err)
		assert.True(t, errors.Is(err, objstore.ErrAborted) || errors.Is(err, context.Canceled), "commit after cancel: %v", err)
		ok, err := e.st.Exists(ctx, loc)
		require.NoError(t, err)
		assert.False(t, ok)
		assert.Empty(t, e.pendingUploads(t))
	})

	t.Run("small object, abort and commit", func(t *testing.T) {
		loc := e.loc(t, "out/small.json")
		w, err := e.st.Create(ctx, loc)
		require.NoError(t, err)
		_, err = w.Write([]byte("{}"))
		require.NoError(t, err)
		require.NoError(t, w.Abort())
		ok, err := e.st.Exists(ctx, loc)
		require.NoError(t, err)
		assert.False(t, ok)

		w, err = e.st.Create(ctx, loc)
		require.NoError(t, err)
		_, err = w.Write([]byte("{}"))
		require.NoError(t, err)
		require.NoError(t, w.Commit())
		got, err := e.st.Get(ctx, loc)
		require.NoError(t, err)
		assert.Equal(t, "{}", string(got))
	})
}

func TestS3Errors(t *testing.T) {
	e := newS3Env(t, objstore.Options{})
	ctx := context.Background()
	e.put(t, "x.csv", []byte("a\n1\n"))

	wrongCreds := objstore.New(objstore.Options{
		S3Endpoint:    e.srv.Endpoint,
		S3Credentials: credentials.NewStaticCredentialsProvider(e.srv.AccessKey, "wrong-secret", ""),
	})
	unknownKey := objstore.New(objstore.Options{
		S3Endpoint:    e.srv.Endpoint,
		S3Credentials: credentials.NewStaticCredentialsProvider("nobody", "wrong-secret", ""),
	})
	x := e.loc(t, "x.csv")
	tests := []struct {
		name string
		run  func() error
		want error
		uri  string
	}{
		{"list with a wrong secret", func() error { _, err := wrongCreds.List(ctx, e.loc(t, "")); return err }, objstore.ErrAccessDenied, "s3://" + e.bucket + "/"},
		{"stat with a wrong secret", func() error { _, err := wrongCreds.Stat(ctx, x); return err }, objstore.ErrAccessDenied, x.String()},
		{"get with an unknown key", func() error { _, err := unknownKey.Get(ctx, x); return err }, objstore.ErrAccessDenied, x.String()},
		{"put with a wrong secret", func() error { return wrongCreds.Put(ctx, e.loc(t, "y"), []byte("y")) }, objstore.ErrAccessDenied, "s3://" + e.bucket + "/y"},
		{"missing bucket", func() error { _, err := e.st.List(ctx, mustParseS3(t, "s3://no-such-bucket/in/")); return err }, objstore.ErrNoSuchBucket, "s3://no-such-bucket/in/"},
		{"missing object", func() error { _, err := e.st.OpenReader(ctx, e.loc(t, "nope.csv")); return err }, objstore.ErrNotFound, "s3://" + e.bucket + "/nope.csv"},
		{"missing object, random access", func() error { _, err := e.st.OpenRandom(ctx, e.loc(t, "nope.csv")); return err }, objstore.ErrNotFound, "nope.csv"},
		{"write to a missing bucket", func() error {
			w, err := e.st.Create(ctx, mustParseS3(t, "s3://no-such-bucket/out.parquet"))
			require.NoError(t, err)
			defer w.Abort()
			w.Write([]byte("x"))
			return w.Commit()
		}, objstore.ErrNoSuchBucket, "s3://no-such-bucket/out.parquet"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.run()
			require.Error(t, err)
			assert.ErrorIs(t, err, tt.want)
			assert.Contains(t, err.Error(), tt.uri)
		})
	}

	ok, err := e.st.Exists(ctx, e.loc(t, "nope.csv"))
	require.NoError(t, err)
	assert.False(t, ok)
	_, err = wrongCreds.Exists(ctx, x)
	assert.ErrorIs(t, err, objstore.ErrAccessDenied, "Exists reports errors other than not-found")
	require.NoError(t, e.st.Delete(ctx, x))
	require.NoError(t, e.st.Delete(ctx, x), "deleting what is gone is not an error")
}

func mustParseS3(t testing.TB, uri string) objstore.Location {
	t.Helper()
	loc, err := objstore.Parse(uri)
	require.NoError(t, err)
	return loc
}
