package cli

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/rogpeppe/go-internal/testscript"

	"github.com/mlctl/mlctl/internal/testenv"
	"github.com/mlctl/mlctl/pkg/flavors/onnx"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"mlctl": func() { os.Exit(Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)) },
	})
}

// TestScripts drives the real mlctl command through the scripts in
// testdata/script, against the real runtimes: ONNX Runtime and Python with
// scikit-learn. A script that needs one that is missing says so and skips.
func TestScripts(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	ortLib, ortErr := onnx.LibraryPath("")
	python := "/usr/bin/python3"
	pyErr := exec.Command(python, "-c", "import sklearn, numpy").Run()
	testscript.Run(t, testscript.Params{
		Dir: "testdata/script",
		Setup: func(env *testscript.Env) error {
			env.Setenv("EXAMPLES", filepath.Join(root, "examples", "models"))
			env.Setenv("MLCTL_ORT_LIB", ortLib)
			env.Setenv("MLCTL_PYTHON", python)
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"freeport": cmdFreePort,
			"waitfor":  cmdWaitFor,
			"http":     cmdHTTP,
			// mlctl batch: generated inputs, waiting for a part, reading parts back.
			"genrows":       cmdGenRows,
			"waitfile":      cmdWaitFile,
			"parquet2csv":   cmdParquetToCSV,
			"partscomplete": cmdPartsComplete,
			"scoredat":      cmdScoredAt,
		},
		Condition: func(cond string) (bool, error) {
			switch cond {
			case "ort":
				if ortErr != nil {
					t.Logf("ONNX Runtime not found (%v): run scripts/setup.sh", ortErr)
				}
				return ortErr == nil, nil
			case "sklearn":
				if pyErr != nil {
					t.Logf("%s cannot import scikit-learn: run scripts/setup.sh", python)
				}
				return pyErr == nil, nil
			}
			return false, nil
		},
	})
}

// cmdFreePort sets an environment variable to a free loopback address.
func cmdFreePort(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: freeport VAR")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	ts.Check(err)
	ts.Setenv(args[0], l.Addr().String())
	l.Close()
}

// cmdWaitFor polls a URL until it answers 200, for up to 30 seconds.
func cmdWaitFor(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: waitfor URL")
	}
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(args[0])
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	ts.Fatalf("%s did not answer 200 within 30s", args[0])
}

// cmdHTTP sends a request and prints "STATUS" then the body to stdout:
// http METHOD URL [CONTENT-TYPE BODY-FILE] [HEADER=VALUE...]
func cmdHTTP(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) < 2 {
		ts.Fatalf("usage: http METHOD URL [CONTENT-TYPE BODY-FILE] [HEADER=VALUE...]")
	}
	var body io.Reader
	var ct string
	rest := args[2:]
	if len(rest) >= 2 && !strings.Contains(rest[0], "=") {
		ct = rest[0]
		body = strings.NewReader(ts.ReadFile(rest[1]))
		rest = rest[2:]
	}
	req, err := http.NewRequest(args[0], args[1], body)
	ts.Check(err)
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	for _, h := range rest {
		k, v, _ := strings.Cut(h, "=")
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		if neg {
			return
		}
		ts.Fatalf("%s %s: %v", args[0], args[1], err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	fmt.Fprintf(ts.Stdout(), "%d\n%s\n", resp.StatusCode, b)
	if neg {
		ts.Fatalf("http: unexpected success")
	}
}

// cmdGenRows writes N CSV rows made from an example's input.csv: an id
// column, then its rows in turn with every number nudged by a fixed
// pseudo-random amount, so that rows differ and the file is the same on
// every run; -noid leaves the id column out: genrows [-noid] EXAMPLE_DIR N FILE
func cmdGenRows(ts *testscript.TestScript, neg bool, args []string) {
	withID := len(args) == 0 || args[0] != "-noid"
	if !withID {
		args = args[1:]
	}
	if len(args) != 3 {
		ts.Fatalf("usage: genrows [-noid] EXAMPLE_DIR N FILE")
	}
	n, err := strconv.Atoi(args[1])
	ts.Check(err)
	raw, err := os.ReadFile(filepath.Join(args[0], "input.csv"))
	ts.Check(err)
	lines := strings.Split(strings.TrimSpace(string(raw)), "\n")
	ts.Check(os.MkdirAll(filepath.Dir(ts.MkAbs(args[2])), 0o755))
	f, err := os.Create(ts.MkAbs(args[2]))
	ts.Check(err)
	defer f.Close()
	w := csv.NewWriter(f)
	header := strings.Split(lines[0], ",")
	if withID {
		header = append([]string{"id"}, header...)
	}
	ts.Check(w.Write(header))
	state := uint64(1)
	for i := range n {
		cells := strings.Split(lines[1+i%(len(lines)-1)], ",")
		var rec []string
		if withID {
			rec = append(rec, "r"+strconv.Itoa(i))
		}
		for _, c := range cells {
			v, err := strconv.ParseFloat(c, 64)
			ts.Check(err)
			state = state*6364136223846793005 + 1442695040888963407
			v *= 1 + 0.05*(float64(state>>11)/(1<<53)-0.5)
			rec = append(rec, strconv.FormatFloat(v, 'g', -1, 64))
		}
		ts.Check(w.Write(rec))
	}
	w.Flush()
	ts.Check(w.Error())
}

// cmdWaitFile waits up to 2 minutes for a file to exist: waitfile PATH
func cmdWaitFile(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: waitfile PATH")
	}
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		if _, err := os.Stat(ts.MkAbs(args[0])); err == nil {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	ts.Fatalf("%s did not appear within 2 minutes", args[0])
}

// readParquetTable reads a whole Parquet file with arrow-go.
func readParquetTable(ts *testscript.TestScript, path string) arrow.Table {
	f, err := os.Open(ts.MkAbs(path))
	ts.Check(err)
	defer f.Close()
	pf, err := file.NewParquetReader(f)
	if err != nil {
		ts.Fatalf("%s: %v", path, err)
	}
	defer pf.Close()
	fr, err := pqarrow.NewFileReader(pf, pqarrow.ArrowReadProperties{}, memory.DefaultAllocator)
	ts.Check(err)
	tbl, err := fr.ReadTable(context.Background())
	if err != nil {
		ts.Fatalf("%s: %v", path, err)
	}
	return tbl
}

// cmdParquetToCSV writes columns of a Parquet file as CSV, numbers as
// mlctl predict -o x.csv writes them (shortest round-trip text):
// parquet2csv FILE.parquet OUT.csv COLUMN...
func cmdParquetToCSV(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) < 3 {
		ts.Fatalf("usage: parquet2csv FILE.parquet OUT.csv COLUMN...")
	}
	tbl := readParquetTable(ts, args[0])
	defer tbl.Release()
	names := args[2:]
	cols := make([][]string, len(names))
	for k, name := range names {
		idx := tbl.Schema().FieldIndices(name)
		if len(idx) == 0 {
			ts.Fatalf("%s has no column %q: %s", args[0], name, tbl.Schema())
		}
		for _, chunk := range tbl.Column(idx[0]).Data().Chunks() {
			for i := 0; i < chunk.Len(); i++ {
				cols[k] = append(cols[k], cellText(chunk, i))
			}
		}
	}
	out, err := os.Create(ts.MkAbs(args[1]))
	ts.Check(err)
	defer out.Close()
	w := csv.NewWriter(out)
	ts.Check(w.Write(names))
	for i := 0; i < int(tbl.NumRows()); i++ {
		rec := make([]string, len(cols))
		for k := range cols {
			rec[k] = cols[k][i]
		}
		ts.Check(w.Write(rec))
	}
	w.Flush()
	ts.Check(w.Error())
}

func cellText(a arrow.Array, i int) string {
	if a.IsNull(i) {
		return ""
	}
	switch a := a.(type) {
	case *array.Float64:
		return strconv.FormatFloat(a.Value(i), 'g', -1, 64)
	case *array.Float32:
		return strconv.FormatFloat(float64(a.Value(i)), 'g', -1, 32)
	case *array.String:
		return a.Value(i)
	default:
		return a.ValueStr(i)
	}
}

// cmdPartsComplete checks an output directory after a crash: every
// visible part-*.parquet reads as a whole Parquet file, every part the
// manifest lists is visible with its row count, and at most one visible
// part is not listed yet (killed between its rename and the manifest
// write; a rerun writes it again). Other files are the manifest or
// hidden ('.', '_'); with -clean, no temporary file (".tmp-…") may be
// left. It prints "N complete parts": partscomplete [-clean] DIR
func cmdPartsComplete(ts *testscript.TestScript, neg bool, args []string) {
	clean := len(args) > 0 && args[0] == "-clean"
	if clean {
		args = args[1:]
	}
	if len(args) != 1 {
		ts.Fatalf("usage: partscomplete [-clean] DIR")
	}
	dir := ts.MkAbs(args[0])
	var man struct {
		Parts []struct {
			Name string `json:"name"`
			Rows int64  `json:"rows"`
		} `json:"parts"`
	}
	raw, err := os.ReadFile(filepath.Join(dir, "_manifest.json"))
	ts.Check(err)
	ts.Check(json.Unmarshal(raw, &man))
	ents, err := os.ReadDir(dir)
	ts.Check(err)
	rows := map[string]int64{}
	for _, e := range ents {
		name := e.Name()
		switch {
		case strings.HasPrefix(name, ".tmp-") && clean:
			ts.Fatalf("temporary file %s left in %s", name, args[0])
		case strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_"):
		case strings.HasPrefix(name, "part-"):
			tbl := readParquetTable(ts, filepath.Join(args[0], name))
			rows[name] = tbl.NumRows()
			tbl.Release()
		default:
			ts.Fatalf("unexpected file %s in %s", name, args[0])
		}
	}
	for _, p := range man.Parts {
		n, ok := rows[p.Name]
		if !ok {
			ts.Fatalf("the manifest lists %s, which is not there", p.Name)
		}
		if n != p.Rows {
			ts.Fatalf("%s holds %d rows; the manifest says %d", p.Name, n, p.Rows)
		}
	}
	if len(rows) > len(man.Parts)+1 {
		ts.Fatalf("%d visible parts, %d listed in the manifest: only the last may be unlisted", len(rows), len(man.Parts))
	}
	fmt.Fprintf(ts.Stdout(), "%d complete parts\n", len(rows))
}

// cmdScoredAt sets VAR to the scored_at a run recorded in its manifest:
// scoredat DIR VAR
func cmdScoredAt(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: scoredat DIR VAR")
	}
	var man struct {
		ScoredAt time.Time `json:"scored_at"`
	}
	raw, err := os.ReadFile(filepath.Join(ts.MkAbs(args[0]), "_manifest.json"))
	ts.Check(err)
	ts.Check(json.Unmarshal(raw, &man))
	ts.Setenv(args[1], man.ScoredAt.Format(time.RFC3339Nano))
}

// TestBatchS3 runs mlctl batch from and to a real S3 server (versitygw)
// as a user would: the endpoint from MLCTL_S3_ENDPOINT or --s3-endpoint,
// the credentials from the AWS environment variables.
func TestBatchS3(t *testing.T) {
	srv := testenv.StartS3(t)
	bucket := srv.NewBucket(t)
	dir := t.TempDir()
	mlctl := func(args ...string) (int, string, string) {
		var stdout, stderr strings.Builder
		code := Main(args, strings.NewReader(""), &stdout, &stderr)
		return code, stdout.String(), stderr.String()
	}
	bundleDir := filepath.Join(dir, "iris")
	code, _, stderr := mlctl("pack", filepath.Join("..", "..", "examples", "models", "iris_logreg", "model.pmml"), "-o", bundleDir)
	if code != 0 {
		t.Fatalf("pack: %s", stderr)
	}
	csvRows := "id,sepal_length,sepal_width,petal_length,petal_width\na,5.1,3.5,1.4,0.2\nb,6.3,3.3,6.0,2.5\n"
	ctx := context.Background()
	_, err := srv.Client().PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("in/rows.csv"), Body: strings.NewReader(csvRows)})
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("AWS_ACCESS_KEY_ID", srv.AccessKey)
	t.Setenv("AWS_SECRET_ACCESS_KEY", srv.SecretKey)
	t.Setenv("AWS_REGION", srv.Region)
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "no-config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "no-credentials"))
	in, out := "s3://"+bucket+"/in/*.csv", "s3://"+bucket+"/out/"

	t.Setenv("MLCTL_S3_ENDPOINT", srv.Endpoint)
	code, stdout, stderr := mlctl("batch", bundleDir, "-i", in, "-o", out, "--keep", "id", "--progress", "none")
	if code != 0 || !strings.Contains(stdout, "scored 2 rows") || !strings.Contains(stdout, "→ "+out) {
		t.Fatalf("batch to S3: exit %d\n%s%s", code, stdout, stderr)
	}
	got, err := srv.Client().HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String("out/part-00000-000.parquet")})
	if err != nil || aws.ToInt64(got.ContentLength) == 0 {
		t.Fatalf("no part in the bucket: %v", err)
	}

	// The flag wins over the variable; the rerun finds the part done.
	t.Setenv("MLCTL_S3_ENDPOINT", "http://127.0.0.1:1")
	code, stdout, stderr = mlctl("batch", bundleDir, "-i", in, "-o", out, "--keep", "id", "--progress", "none", "--s3-endpoint", srv.Endpoint)
	if code != 0 || !strings.Contains(stdout, "1 already done") {
		t.Fatalf("rerun with --s3-endpoint: exit %d\n%s%s", code, stdout, stderr)
	}

	t.Setenv("MLCTL_S3_ENDPOINT", srv.Endpoint)
	t.Setenv("AWS_SECRET_ACCESS_KEY", "wrong")
	code, _, stderr = mlctl("batch", bundleDir, "-i", in, "-o", out, "--progress", "none")
	if code == 0 || !strings.Contains(stderr, "input "+in+": list "+in+": access denied: check the AWS credentials") {
		t.Fatalf("wrong credentials: exit %d\n%s", code, stderr)
	}
}
