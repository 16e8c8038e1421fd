package batch_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/stretchr/testify/require"

	"github.com/mlctl/mlctl/internal/testenv"
	"github.com/mlctl/mlctl/pkg/batch"
	"github.com/mlctl/mlctl/pkg/objstore"
)

// s3Bucket is a real S3 server (versitygw) with one bucket, and a Store
// that reaches it.
type s3Bucket struct {
	srv    *testenv.S3Server
	name   string
	st     *objstore.Store
	client *s3.Client
}

func newS3Bucket(t *testing.T) *s3Bucket {
	t.Helper()
	srv := testenv.StartS3(t)
	st := objstore.New(objstore.Options{S3Endpoint: srv.Endpoint, S3Credentials: srv.Credentials(), PartSize: 5 << 20})
	return &s3Bucket{srv: srv, name: srv.NewBucket(t), st: st, client: srv.Client()}
}

func (b *s3Bucket) uri(key string) string { return "s3://" + b.name + "/" + key }

func (b *s3Bucket) upload(t *testing.T, key, localPath string) {
	t.Helper()
	data, err := os.ReadFile(localPath)
	require.NoError(t, err)
	loc, err := objstore.Parse(b.uri(key))
	require.NoError(t, err)
	require.NoError(t, b.st.Put(context.Background(), loc, data))
}

// download copies an object to a local file, for the Parquet readers.
func (b *s3Bucket) download(t *testing.T, key string) string {
	t.Helper()
	loc, err := objstore.Parse(b.uri(key))
	require.NoError(t, err)
	data, err := b.st.Get(context.Background(), loc)
	require.NoError(t, err)
	p := filepath.Join(t.TempDir(), filepath.Base(key))
	require.NoError(t, os.WriteFile(p, data, 0o644))
	return p
}

// keys lists every object under prefix, hidden ones included, as S3
// itself has them (not through objstore's listing, which hides some).
func (b *s3Bucket) keys(t *testing.T, prefix string) []string {
	t.Helper()
	out, err := b.client.ListObjectsV2(context.Background(), &s3.ListObjectsV2Input{Bucket: aws.String(b.name), Prefix: aws.String(prefix)})
	require.NoError(t, err)
	var keys []string
	for _, o := range out.Contents {
		keys = append(keys, strings.TrimPrefix(aws.ToString(o.Key), prefix))
	}
	sort.Strings(keys)
	return keys
}

// pendingUploads lists multipart uploads neither completed nor aborted.
func (b *s3Bucket) pendingUploads(t *testing.T) []string {
	out, err := b.client.ListMultipartUploads(context.Background(), &s3.ListMultipartUploadsInput{Bucket: aws.String(b.name)})
	require.NoError(t, err)
	var keys []string
	for _, u := range out.Uploads {
		keys = append(keys, aws.ToString(u.Key))
	}
	return keys
}

func (b *s3Bucket) sources(t *testing.T, args ...string) []batch.Source {
	t.Helper()
	s, err := batch.Sources(context.Background(), b.st, args...)
	require.NoError(t, err)
	return s
}

func (b *s3Bucket) dir(t *testing.T, key string) batch.Store {
	t.Helper()
	d, err := batch.NewObjectDir(b.st, b.uri(key))
	require.NoError(t, err)
	return d
}

// TestS3InputsAndOutput scores a CSV and a Parquet object from a bucket
// into a prefix of it, and compares with the same run on local files:
// the same parts with the same rows and values, read back with arrow-go
// and with DuckDB. A rerun finds every part done.
func TestS3InputsAndOutput(t *testing.T) {
	o := packExample(t, "iris_logreg", "model.pmml")
	b := newS3Bucket(t)
	dir := t.TempDir()
	csvPath, pqPath := filepath.Join(dir, "in-0.csv"), filepath.Join(dir, "in-1.parquet")
	writeRows(t, "iris_logreg", csvPath, 3000, 1)
	writeParquetRows(t, csvPath, pqPath, 700)
	b.upload(t, "in/in-0.csv", csvPath)
	b.upload(t, "in/in-1.parquet", pqPath)
	b.upload(t, "in/_SUCCESS", csvPath)   // hidden: skipped
	b.upload(t, "in/README.txt", csvPath) // not a format batch reads: skipped
	o.Keep, o.BatchRows, o.Workers, o.ScoredAt, o.RowGroupRows = []string{"id"}, 256, 3, fixedTime, 1000

	local := o
	local.Sources = mustSources(t, csvPath, pqPath)
	local.Output = mustDir(t, filepath.Join(dir, "out"))
	_, err := batch.Run(context.Background(), local)
	require.NoError(t, err)

	remote := o
	remote.Sources = b.sources(t, b.uri("in/"))
	require.Equal(t, []string{b.uri("in/in-0.csv"), b.uri("in/in-1.parquet")}, sourceNames(remote.Sources))
	remote.Output = b.dir(t, "out")
	sum, err := batch.Run(context.Background(), remote)
	require.NoError(t, err)
	require.EqualValues(t, 6000, sum.Rows)
	require.Equal(t, b.uri("out/"), sum.Output)
	require.Equal(t, []string{"_manifest.json", "part-00000-000.parquet", "part-00001-000.parquet"}, b.keys(t, "out/"))
	require.Empty(t, b.pendingUploads(t))

	for _, part := range []string{"part-00000-000.parquet", "part-00001-000.parquet"} {
		want, wantKV := readParquet(t, filepath.Join(dir, "out", part))
		downloaded := b.download(t, "out/"+part)
		got, gotKV := readParquet(t, downloaded)
		require.True(t, want.Schema().Equal(got.Schema()), "%s: schema %s, local run has %s", part, got.Schema(), want.Schema())
		require.Equal(t, want.NumRows(), got.NumRows(), part)
		for _, f := range want.Schema().Fields() {
			require.Equal(t, columnValues(t, want, f.Name), columnValues(t, got, f.Name), "%s column %s", part, f.Name)
		}
		// The metadata differ only in the input's name.
		require.True(t, strings.HasPrefix(gotKV["mlctl.input"], b.uri("in/")), gotKV["mlctl.input"])
		delete(wantKV, "mlctl.input")
		delete(gotKV, "mlctl.input")
		require.Equal(t, wantKV, gotKV)

		// A subtest: without DuckDB it skips, and only it.
		t.Run("duckdb/"+part, func(t *testing.T) {
			duck := testenv.ReadParquetWithDuckDB(t, downloaded)
			require.Len(t, duck.Rows, int(want.NumRows()))
			wantIDs, wantSetosa := columnValues(t, want, "id"), columnValues(t, want, "probabilities_setosa")
			for i, r := range duck.Rows {
				require.Equal(t, wantIDs[i], r["id"], "%s row %d", part, i)
				require.Equal(t, wantSetosa[i], fmtFloat(r["probabilities_setosa"].(float64)), "%s row %d", part, i)
			}
		})
	}

	man, ok, err := batch.ReadManifest(context.Background(), remote.Output, batch.Shard{})
	require.NoError(t, err)
	require.True(t, ok)
	for _, p := range man.Parts {
		require.True(t, strings.HasPrefix(p.InputVersion, "etag:"), "input version %q of %s is not its ETag", p.InputVersion, p.Input)
	}

	// The same run again: both parts are done and stay as they were.
	before := b.download(t, "out/part-00000-000.parquet")
	again := o
	again.Sources, again.Output = b.sources(t, b.uri("in/*.csv"), b.uri("in/in-1.parquet")), b.dir(t, "out/")
	sum, err = batch.Run(context.Background(), again)
	require.NoError(t, err)
	require.Equal(t, 2, sum.PartsSkipped)
	require.Zero(t, sum.Parts)
	requireSameFile(t, before, b.download(t, "out/part-00000-000.parquet"))
}

// TestS3ResumeAfterInterrupt cancels a run while its third part is being
// uploaded in several pieces: the part is not visible, its multipart upload
// is aborted, and the rerun gives the bytes of a run never interrupted.
func TestS3ResumeAfterInterrupt(t *testing.T) {
	o := packExample(t, "iris_logreg", "model.pmml")
	b := newS3Bucket(t)
	dir := t.TempDir()
	var inputs []string
	for i, n := range []int{2000, 2000, 200_000, 2000} {
		p := filepath.Join(dir, fmt.Sprintf("in-%d.csv", i))
		writeRows(t, "iris_logreg", p, n, int64(i))
		b.upload(t, "in/"+filepath.Base(p), p)
		inputs = append(inputs, b.uri("in/"+filepath.Base(p)))
	}
	big, err := os.Stat(filepath.Join(dir, "in-2.csv"))
	require.NoError(t, err)
	// Uncompressed, with every column kept and small row groups, the third
	// part passes S3's 5 MiB multipart threshold well before the cancel.
	o.KeepAll, o.BatchRows, o.Workers, o.Compression, o.RowGroupRows = true, 2000, 2, "none", 8192

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var pendingAtCancel atomic.Int64
	interrupted := o
	interrupted.Sources = b.sources(t, inputs...)
	interrupted.Sources[2] = cancelling{Source: interrupted.Sources[2], after: big.Size() * 4 / 5, cancel: func() {
		// On the reader's goroutine: no require here.
		out, err := b.client.ListMultipartUploads(context.Background(), &s3.ListMultipartUploadsInput{Bucket: aws.String(b.name)})
		if err == nil {
			pendingAtCancel.Store(int64(len(out.Uploads)))
		}
		cancel()
	}}
	interrupted.Output = b.dir(t, "a/")
	_, err = batch.Run(ctx, interrupted)
	require.ErrorIs(t, err, context.Canceled)
	require.Contains(t, err.Error(), "rerun the same command")

	require.EqualValues(t, 1, pendingAtCancel.Load(), "the third part was not being uploaded in pieces when the run was cancelled")
	// Checked at once: on S3, as on versitygw, an UploadPart still in
	// flight when the upload is aborted may land afterwards and bring the
	// upload back (AWS: "abort again"); a bucket lifecycle rule cleans up
	// those, and the uploads a SIGKILL leaves (docs/batch.md).
	require.Empty(t, b.pendingUploads(t), "the interrupted part's multipart upload was not aborted")
	man, ok, err := batch.ReadManifest(context.Background(), interrupted.Output, batch.Shard{})
	require.NoError(t, err)
	require.True(t, ok)
	visible := b.keys(t, "a/")
	require.Equal(t, append([]string{"_manifest.json"}, partNames(man)...), visible, "the bucket holds exactly the manifest and the parts it lists")
	require.NotContains(t, visible, "part-00002-000.parquet")

	resumed := o
	resumed.Sources, resumed.Output = b.sources(t, inputs...), b.dir(t, "a/")
	sum, err := batch.Run(context.Background(), resumed)
	require.NoError(t, err)
	require.Equal(t, len(man.Parts), sum.PartsSkipped)
	require.Equal(t, 4, sum.Parts+sum.PartsSkipped)

	clean := o
	clean.Sources, clean.Output, clean.ScoredAt = b.sources(t, inputs...), b.dir(t, "b/"), man.ScoredAt
	_, err = batch.Run(context.Background(), clean)
	require.NoError(t, err)
	parts := b.keys(t, "b/")
	require.Len(t, parts, 5)
	require.Equal(t, parts, b.keys(t, "a/"))
	for _, name := range parts[1:] {
		requireSameFile(t, b.download(t, "b/"+name), b.download(t, "a/"+name))
	}
	for _, u := range b.pendingUploads(t) {
		require.False(t, strings.HasPrefix(u, "b/"), "a run that was not interrupted left the upload of %s pending", u)
	}
}

// cancelling is an input that calls cancel once `after` bytes of it have
// been read.
type cancelling struct {
	batch.Source
	after  int64
	cancel func()
}

func (s cancelling) Open(ctx context.Context) (io.ReadCloser, error) {
	rc, err := s.Source.Open(ctx)
	if err != nil {
		return nil, err
	}
	return &cancelOnce{ReadCloser: rc, left: s.after, cancel: s.cancel}, nil
}

type cancelOnce struct {
	io.ReadCloser
	left   int64
	cancel func()
	done   bool
}

func (c *cancelOnce) Read(p []byte) (int, error) {
	n, err := c.ReadCloser.Read(p[:min(len(p), 64<<10)])
	c.left -= int64(n)
	if c.left <= 0 && !c.done {
		c.done = true
		c.cancel()
	}
	return n, err
}

// TestS3Errors: refused credentials and a missing bucket stop the run
// before any scoring, with an error that names the URI.
func TestS3Errors(t *testing.T) {
	o := packExample(t, "iris_logreg", "model.pmml")
	b := newS3Bucket(t)
	in := filepath.Join(t.TempDir(), "in.csv")
	writeRows(t, "iris_logreg", in, 10, 1)
	b.upload(t, "in/in.csv", in)
	ctx := context.Background()

	wrong := objstore.New(objstore.Options{S3Endpoint: b.srv.Endpoint,
		S3Credentials: credentials.NewStaticCredentialsProvider("nobody", "not-the-secret", "")})
	_, err := batch.Sources(ctx, wrong, b.uri("in/*.csv"))
	require.ErrorIs(t, err, objstore.ErrAccessDenied)
	require.ErrorContains(t, err, b.uri("in/*.csv"))
	require.ErrorContains(t, err, "check the AWS credentials")

	for _, tc := range []struct {
		name, out string
		st        *objstore.Store
		sentinel  error
	}{
		{"wrong credentials", b.uri("out/"), wrong, objstore.ErrAccessDenied},
		{"no such bucket", "s3://no-such-bucket/out/", b.st, objstore.ErrNoSuchBucket},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := o
			r.Sources = mustSources(t, in)
			store, err := batch.NewObjectDir(tc.st, tc.out)
			require.NoError(t, err)
			r.Output = store
			_, err = batch.Run(ctx, r)
			require.ErrorIs(t, err, tc.sentinel)
			require.ErrorContains(t, err, tc.out)
		})
	}
	require.Equal(t, []string{"in.csv"}, b.keys(t, "in/"))
	require.Empty(t, b.keys(t, "out/"))
}

// TestObjectSourcesRules: what an argument resolves to, and the errors
// for arguments that resolve to nothing.
func TestObjectSourcesRules(t *testing.T) {
	b := newS3Bucket(t)
	in := filepath.Join(t.TempDir(), "x.csv")
	writeRows(t, "iris_logreg", in, 3, 1)
	for _, key := range []string{"d/a.csv", "d/b.jsonl", "d/sub/c.parquet", "d/.tmp-x.csv", "d/_SUCCESS", "d/notes.txt", "d2/z.csv", "e/only.txt"} {
		b.upload(t, key, in)
	}
	for _, tc := range []struct {
		args []string
		want []string
	}{
		{[]string{b.uri("d/")}, []string{"d/a.csv", "d/b.jsonl", "d/sub/c.parquet"}},
		{[]string{b.uri("d")}, []string{"d/a.csv", "d/b.jsonl", "d/sub/c.parquet"}},
		{[]string{b.uri("d/*.csv")}, []string{"d/a.csv"}},
		{[]string{b.uri("d/notes.txt")}, []string{"d/notes.txt"}}, // named exactly: taken (and refused later by its format)
		{[]string{b.uri("d2/z.csv"), b.uri("d/*.csv"), b.uri("d/a.csv")}, []string{"d2/z.csv", "d/a.csv"}},
		{[]string{in, b.uri("d/a.csv")}, []string{in, "d/a.csv"}},
	} {
		var want []string
		for _, w := range tc.want {
			if !filepath.IsAbs(w) {
				w = b.uri(w)
			}
			want = append(want, w)
		}
		require.Equal(t, want, sourceNames(b.sources(t, tc.args...)), "%v", tc.args)
	}
	for _, tc := range []struct{ arg, msg string }{
		{b.uri("e/"), "holds no .csv, .jsonl, .ndjson or .parquet object"},
		{b.uri("nothing/*.csv"), "no objects match"},
		{"s3://Bad_Bucket/x.csv", "bucket name"},
		{"ftp://host/x.csv", "unsupported scheme"},
	} {
		_, err := batch.Sources(context.Background(), b.st, tc.arg)
		require.ErrorContains(t, err, tc.arg)
		require.ErrorContains(t, err, tc.msg)
	}
	_, err := batch.NewObjectDir(b.st, b.uri("out/*.parquet"))
	require.ErrorContains(t, err, "not a pattern")
	_, err = b.dir(t, "out/").Create(context.Background(), "../x")
	require.ErrorContains(t, err, "expected a plain file name")
	_, err = b.dir(t, "out/").ReadFile(context.Background(), "missing.json")
	require.True(t, errors.Is(err, os.ErrNotExist), "%v", err)
}

func sourceNames(s []batch.Source) []string {
	var out []string
	for _, x := range s {
		out = append(out, x.Name())
	}
	return out
}

func requireSameFile(t *testing.T, a, b string) {
	t.Helper()
	x, err := os.ReadFile(a)
	require.NoError(t, err)
	y, err := os.ReadFile(b)
	require.NoError(t, err)
	require.True(t, bytes.Equal(x, y), "%s and %s differ", a, b)
}
