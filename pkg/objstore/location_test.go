package objstore

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParse(t *testing.T) {
	tests := []struct {
		uri  string
		want Location
		str  string
	}{
		{"data/in.csv", Location{Scheme: SchemeFile, Path: "data/in.csv"}, "data/in.csv"},
		{"./data//x/../*.csv", Location{Scheme: SchemeFile, Path: "data/*.csv"}, "data/*.csv"},
		{"/abs/dir/", Location{Scheme: SchemeFile, Path: "/abs/dir"}, "/abs/dir"},
		{"file:///abs/in.parquet", Location{Scheme: SchemeFile, Path: "/abs/in.parquet"}, "/abs/in.parquet"},
		{"file://localhost/abs/x", Location{Scheme: SchemeFile, Path: "/abs/x"}, "/abs/x"},
		{"s3://bucket", Location{Scheme: SchemeS3, Bucket: "bucket"}, "s3://bucket/"},
		{"s3://bucket/", Location{Scheme: SchemeS3, Bucket: "bucket"}, "s3://bucket/"},
		{"s3://my.bucket-1/p/q/", Location{Scheme: SchemeS3, Bucket: "my.bucket-1", Path: "p/q/"}, "s3://my.bucket-1/p/q/"},
		{"S3://b-1/p/*.parquet", Location{Scheme: SchemeS3, Bucket: "b-1", Path: "p/*.parquet"}, "s3://b-1/p/*.parquet"},
		// S3 keys are taken as written: no cleaning of "//" or "..".
		{"s3://bkt/a//b/../c", Location{Scheme: SchemeS3, Bucket: "bkt", Path: "a//b/../c"}, "s3://bkt/a//b/../c"},
	}
	for _, tt := range tests {
		t.Run(tt.uri, func(t *testing.T) {
			got, err := Parse(tt.uri)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
			assert.Equal(t, tt.str, got.String())
		})
	}
}

func TestParseRejects(t *testing.T) {
	tests := []struct {
		uri, why string
	}{
		{"", "empty"},
		{"s3://", "no bucket name"},
		{"s3:///key", "no bucket name"},
		{"s3://ab/key", "3 to 63"},
		{"s3://My_Bucket/key", "lowercase"},
		{"s3://b b/key", "lowercase"},
		{"gs://bucket/key", `unsupported scheme "gs"`},
		{"https://host/x.csv", `unsupported scheme "https"`},
		{"file://otherhost/x", `names host "otherhost"`},
		{"file://", "no path"},
		{"s3://bucket/" + strings.Repeat("k", 1025), "longer than"},
		{"in\x00.csv", "NUL"},
	}
	for _, tt := range tests {
		t.Run(tt.why, func(t *testing.T) {
			_, err := Parse(tt.uri)
			require.Error(t, err)
			assert.True(t, errors.Is(err, ErrBadURI), "%v is not ErrBadURI", err)
			assert.Contains(t, err.Error(), tt.why)
			var e *Error
			require.ErrorAs(t, err, &e)
			assert.Equal(t, tt.uri, e.URI, "the error names the URI as given")
		})
	}
}

func TestLocationJoin(t *testing.T) {
	tests := []struct {
		base, name, want string
	}{
		{"s3://bkt/out", "part-0.parquet", "s3://bkt/out/part-0.parquet"},
		{"s3://bkt/out/", "part-0.parquet", "s3://bkt/out/part-0.parquet"},
		{"s3://bkt", "part-0.parquet", "s3://bkt/part-0.parquet"},
		{"s3://bkt/out", "sub/x", "s3://bkt/out/sub/x"},
		{"out", "part-0.parquet", "out/part-0.parquet"},
		{"/tmp/out/", "a/b", "/tmp/out/a/b"},
	}
	for _, tt := range tests {
		base, err := Parse(tt.base)
		require.NoError(t, err)
		assert.Equal(t, tt.want, base.Join(tt.name).String(), "%s + %s", tt.base, tt.name)
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"data/*.csv", "s3://bucket/p/", "file:///x", "s3://b/", "gs://x", "a://b", "s3:///", "file://h/x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, uri string) {
		loc, err := Parse(uri)
		if err != nil {
			if !errors.Is(err, ErrBadURI) {
				t.Fatalf("Parse(%q) error %v is not ErrBadURI", uri, err)
			}
			return
		}
		again, err := Parse(loc.String())
		if err != nil {
			t.Fatalf("Parse(%q) = %+v, whose String %q does not parse: %v", uri, loc, loc.String(), err)
		}
		if again != loc {
			t.Fatalf("Parse(%q) = %+v, but Parse(String()) = %+v", uri, loc, again)
		}
	})
}
