package testenv

import (
	"bufio"
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// InstallDuckDB is the command that installs DuckDB for Node.js where
// ReadParquetWithDuckDB finds it.
const InstallDuckDB = "bash scripts/testenv/duckdb.sh"

const duckDBTimeout = 2 * time.Minute

//go:embed read_parquet.js
var readParquetJS []byte

// ParquetTable is a Parquet file as DuckDB reads it.
type ParquetTable struct {
	// Columns in file order, with DuckDB's type names ("BIGINT", "DOUBLE",
	// "VARCHAR", "DOUBLE[]", ...).
	Columns []ParquetColumn
	// Rows map column name to value. Values are Go types by column type:
	// integers int64 (UBIGINT uint64), FLOAT/DOUBLE float64 (NaN and ±Inf
	// included), BOOLEAN bool, VARCHAR string, X[] []any of X's Go type,
	// NULL nil; other types stay as decoded from DuckDB's JSON (strings,
	// json.Number, maps).
	Rows []map[string]any
	// Metadata is the file's key-value metadata (parquet_kv_metadata).
	Metadata map[string]string
}

// ParquetColumn is one top-level column.
type ParquetColumn struct {
	Name string
	Type string
}

// Column returns the values of the named column, in row order.
func (p *ParquetTable) Column(name string) []any {
	vals := make([]any, len(p.Rows))
	for i, r := range p.Rows {
		vals[i] = r[name]
	}
	return vals
}

// ReadParquetWithDuckDB reads the Parquet file at path with DuckDB, an
// implementation independent of the one that wrote it. It skips the test
// when node or the DuckDB package is missing and fails it when DuckDB
// cannot read the file.
func ReadParquetWithDuckDB(t testing.TB, path string) *ParquetTable {
	t.Helper()
	node, ok := findBinary("node")
	if !ok {
		missing(t, "node (Node.js, for DuckDB)", "apt-get install nodejs npm && "+InstallDuckDB)
	}
	api := filepath.Join(cacheDir(), "duckdb-node", "node_modules", "@duckdb", "node-api")
	if _, err := os.Stat(filepath.Join(api, "package.json")); err != nil {
		missing(t, "DuckDB for Node.js ("+api+")", InstallDuckDB)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		t.Fatal(err)
	}
	script := filepath.Join(t.TempDir(), "read_parquet.js")
	if err := os.WriteFile(script, readParquetJS, 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), duckDBTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, script, abs)
	cmd.Env = append(os.Environ(), "MLCTL_DUCKDB_NODE_API="+api)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("DuckDB could not read %s: %v\n%s", path, err, stderr.String())
	}
	table, err := parseDuckDBOutput(out)
	if err != nil {
		t.Fatalf("reading DuckDB's output for %s: %v", path, err)
	}
	return table
}

// duckDBLine is one line the script prints; exactly one field is set.
type duckDBLine struct {
	Columns  []ParquetColumn            `json:"columns"`
	Metadata map[string]string          `json:"metadata"`
	Row      map[string]json.RawMessage `json:"row"`
}

func parseDuckDBOutput(out []byte) (*ParquetTable, error) {
	table := &ParquetTable{Metadata: map[string]string{}}
	types := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 64<<20)
	for n := 1; sc.Scan(); n++ {
		var line duckDBLine
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			return nil, fmt.Errorf("line %d: %w", n, err)
		}
		switch {
		case line.Columns != nil:
			table.Columns = line.Columns
			for _, c := range line.Columns {
				types[c.Name] = c.Type
			}
		case line.Metadata != nil:
			for k, v := range line.Metadata {
				table.Metadata[k] = v
			}
		case line.Row != nil:
			row := make(map[string]any, len(line.Row))
			for name, raw := range line.Row {
				v, err := duckDBValue(raw, types[name])
				if err != nil {
					return nil, fmt.Errorf("line %d, column %q: %w", n, name, err)
				}
				row[name] = v
			}
			table.Rows = append(table.Rows, row)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if table.Columns == nil {
		return nil, fmt.Errorf("no column list in output")
	}
	return table, nil
}

// duckDBValue turns one JSON value from DuckDB into the Go value its
// column type calls for. DuckDB's JSON writes 64-bit integers and
// non-finite floats as strings, so both forms are accepted.
func duckDBValue(raw json.RawMessage, typ string) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	return convertDuckDB(v, typ)
}

func convertDuckDB(v any, typ string) (any, error) {
	if v == nil {
		return nil, nil
	}
	if elem, ok := strings.CutSuffix(typ, "[]"); ok {
		list, isList := v.([]any)
		if !isList {
			return nil, fmt.Errorf("type %s: expected a list, got %T", typ, v)
		}
		for i := range list {
			c, err := convertDuckDB(list[i], elem)
			if err != nil {
				return nil, fmt.Errorf("element %d: %w", i, err)
			}
			list[i] = c
		}
		return list, nil
	}
	text := fmt.Sprint(v) // json.Number or string
	switch typ {
	case "TINYINT", "SMALLINT", "INTEGER", "BIGINT", "UTINYINT", "USMALLINT", "UINTEGER":
		return strconv.ParseInt(text, 10, 64)
	case "UBIGINT":
		return strconv.ParseUint(text, 10, 64)
	case "FLOAT", "DOUBLE":
		switch text {
		case "NaN":
			return math.NaN(), nil
		case "Infinity":
			return math.Inf(1), nil
		case "-Infinity":
			return math.Inf(-1), nil
		}
		return strconv.ParseFloat(text, 64)
	}
	return v, nil
}
