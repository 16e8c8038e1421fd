package objstore

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func mustParse(t testing.TB, uri string) Location {
	t.Helper()
	loc, err := Parse(uri)
	require.NoError(t, err)
	return loc
}

func writeFiles(t *testing.T, root string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(root, name)
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(content), 0o644))
	}
}

func names(objs []Object) []string {
	var out []string
	for _, o := range objs {
		out = append(out, o.Name)
	}
	return out
}

func TestLocalList(t *testing.T) {
	root := t.TempDir()
	writeFiles(t, root, map[string]string{
		"in/b.csv":          "bb",
		"in/a.csv":          "a",
		"in/c.jsonl":        "{}",
		"in/sub/d.csv":      "d",
		"in/_SUCCESS":       "",
		"in/.hidden.csv":    "x",
		"in/.tmp/e.csv":     "x",
		"in-other/z.csv":    "z",
		"in/a-b/x.csv":      "x",
		"single/model.data": "12345",
	})
	st := New(Options{})
	ctx := context.Background()
	tests := []struct {
		uri  string
		want []string
	}{
		{"in/*.csv", []string{"a.csv", "b.csv"}},
		{"in/*/*.csv", []string{"a-b/x.csv", "sub/d.csv"}},
		{"in/[ab].*", []string{"a.csv", "b.csv"}},
		{"in/.*.csv", []string{".hidden.csv"}}, // named explicitly, so kept
		{"in", []string{"a-b/x.csv", "a.csv", "b.csv", "c.jsonl", "sub/d.csv"}},
		{"in/", []string{"a-b/x.csv", "a.csv", "b.csv", "c.jsonl", "sub/d.csv"}},
		{"single/model.data", []string{"model.data"}},
		{"in/_SUCCESS", []string{"_SUCCESS"}}, // a file named outright is listed
	}
	for _, tt := range tests {
		t.Run(tt.uri, func(t *testing.T) {
			objs, err := st.List(ctx, mustParse(t, filepath.Join(root, tt.uri)))
			require.NoError(t, err)
			assert.Equal(t, tt.want, names(objs))
		})
	}

	objs, err := st.List(ctx, mustParse(t, "file://"+filepath.Join(root, "in", "*.csv")))
	require.NoError(t, err)
	require.Len(t, objs, 2)
	assert.Equal(t, filepath.Join(root, "in", "b.csv"), objs[1].Location.String())
	assert.Equal(t, int64(2), objs[1].Size)
	assert.False(t, objs[1].ModTime.IsZero())
	assert.Contains(t, objs[1].Fingerprint(), "size:2")
}

func TestLocalListErrors(t *testing.T) {
	root := t.TempDir()
	writeFiles(t, root, map[string]string{"in/a.csv": "a"})
	st := New(Options{MaxList: 1})
	ctx := context.Background()
	tests := []struct {
		uri  string
		want error
	}{
		{"missing/", ErrNotFound},
		{"in/*.parquet", ErrNotFound},
		{"in/[", ErrBadURI},
	}
	for _, tt := range tests {
		t.Run(tt.uri, func(t *testing.T) {
			uri := filepath.Join(root, tt.uri)
			_, err := st.List(ctx, mustParse(t, uri))
			require.Error(t, err)
			assert.ErrorIs(t, err, tt.want)
			assert.Contains(t, err.Error(), filepath.Clean(uri), "the error names the location")
		})
	}

	writeFiles(t, root, map[string]string{"in/b.csv": "b"})
	_, err := st.List(ctx, mustParse(t, filepath.Join(root, "in")))
	assert.ErrorIs(t, err, ErrTooLarge, "MaxList bounds a listing")
}

func TestLocalWriter(t *testing.T) {
	root := t.TempDir()
	st := New(Options{})
	ctx := context.Background()
	loc := mustParse(t, filepath.Join(root, "out", "deep", "part-0.parquet"))

	t.Run("commit publishes", func(t *testing.T) {
		w, err := st.Create(ctx, loc)
		require.NoError(t, err)
		_, err = w.Write([]byte("hello "))
		require.NoError(t, err)
		ok, err := st.Exists(ctx, loc)
		require.NoError(t, err)
		assert.False(t, ok, "nothing is visible before Commit")
		_, err = w.Write([]byte("world"))
		require.NoError(t, err)
		require.NoError(t, w.Commit())
		assert.NoError(t, w.Abort(), "Abort after Commit is a no-op")
		got, err := st.Get(ctx, loc)
		require.NoError(t, err)
		assert.Equal(t, "hello world", string(got))
		_, err = w.Write([]byte("more"))
		assert.Error(t, err, "a committed writer takes no more data")
	})

	t.Run("abort leaves the old content", func(t *testing.T) {
		w, err := st.Create(ctx, loc)
		require.NoError(t, err)
		_, err = w.Write([]byte("replacement"))
		require.NoError(t, err)
		require.NoError(t, w.Abort())
		got, err := st.Get(ctx, loc)
		require.NoError(t, err)
		assert.Equal(t, "hello world", string(got))
	})

	t.Run("cancelled context aborts", func(t *testing.T) {
		cctx, cancel := context.WithCancel(ctx)
		other := loc.Join("../other.parquet")
		w, err := st.Create(cctx, other)
		require.NoError(t, err)
		_, err = w.Write([]byte("partial"))
		require.NoError(t, err)
		cancel()
		_, err = w.Write([]byte("more"))
		assert.ErrorIs(t, err, ErrAborted)
		assert.ErrorIs(t, w.Commit(), ErrAborted)
		ok, err := st.Exists(ctx, other)
		require.NoError(t, err)
		assert.False(t, ok)
	})

	entries, err := os.ReadDir(filepath.Dir(loc.Path))
	require.NoError(t, err)
	var left []string
	for _, e := range entries {
		left = append(left, e.Name())
	}
	assert.Equal(t, []string{"part-0.parquet"}, left, "no temporary files are left behind")
}

func TestLocalPutGetStatDelete(t *testing.T) {
	root := t.TempDir()
	st := New(Options{MaxGetBytes: 8})
	ctx := context.Background()
	loc := mustParse(t, filepath.Join(root, "manifest.json"))

	_, err := st.Stat(ctx, loc)
	assert.ErrorIs(t, err, ErrNotFound)
	_, err = st.Get(ctx, loc)
	assert.ErrorIs(t, err, ErrNotFound)

	require.NoError(t, st.Put(ctx, loc, []byte(`{"a":1}`)))
	obj, err := st.Stat(ctx, loc)
	require.NoError(t, err)
	assert.Equal(t, int64(7), obj.Size)
	assert.Equal(t, "manifest.json", obj.Name)
	got, err := st.Get(ctx, loc)
	require.NoError(t, err)
	assert.Equal(t, `{"a":1}`, string(got))

	require.NoError(t, st.Put(ctx, loc, []byte(`{"a":12}`)))
	_, err = st.Get(ctx, loc)
	assert.NoError(t, err, "exactly MaxGetBytes is allowed")
	require.NoError(t, st.Put(ctx, loc, []byte(`{"a":123}`)))
	_, err = st.Get(ctx, loc)
	assert.ErrorIs(t, err, ErrTooLarge)

	_, err = st.Stat(ctx, mustParse(t, root))
	assert.ErrorIs(t, err, ErrNotFound, "a directory is not an object")

	require.NoError(t, st.Delete(ctx, loc))
	require.NoError(t, st.Delete(ctx, loc), "deleting what is gone is not an error")
	ok, err := st.Exists(ctx, loc)
	require.NoError(t, err)
	assert.False(t, ok)
}

func TestLocalOpenRandom(t *testing.T) {
	root := t.TempDir()
	writeFiles(t, root, map[string]string{"x.bin": "0123456789"})
	st := New(Options{})
	r, err := st.OpenRandom(context.Background(), mustParse(t, filepath.Join(root, "x.bin")))
	require.NoError(t, err)
	defer r.Close()
	assert.Equal(t, int64(10), r.Size())
	buf := make([]byte, 4)
	n, err := r.ReadAt(buf, 8)
	assert.Equal(t, 2, n)
	assert.ErrorIs(t, err, io.EOF)
	assert.Equal(t, "89", string(buf[:n]))
	_, err = r.Seek(3, io.SeekStart)
	require.NoError(t, err)
	rest, err := io.ReadAll(r)
	require.NoError(t, err)
	assert.Equal(t, "3456789", string(rest))

	_, err = st.OpenRandom(context.Background(), mustParse(t, root))
	assert.True(t, errors.Is(err, ErrNotFound), "opening a directory: %v", err)
}
