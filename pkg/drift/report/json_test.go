package report

import (
	"bytes"
	"encoding/json"
	"math"
	"testing"
)

func TestWriteJSONGolden(t *testing.T) {
	var b bytes.Buffer
	if err := WriteJSON(&b, sampleReport()); err != nil {
		t.Fatal(err)
	}
	if !json.Valid(b.Bytes()) {
		t.Fatalf("not valid JSON:\n%s", b.String())
	}
	golden(t, "report.json.golden", b.Bytes())
}

// Where every number is finite, the output is exactly encoding/json's:
// same field order, names, omitempty and number formatting.
func TestWriteJSONMatchesEncodingJSON(t *testing.T) {
	r := wideReport(4)
	r.Windows[0].Performance.Metrics = r.Windows[0].Performance.Metrics[:2]
	want, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	var got bytes.Buffer
	if err := WriteJSON(&got, r); err != nil {
		t.Fatal(err)
	}
	if got.String() != string(want)+"\n" {
		t.Errorf("WriteJSON differs from encoding/json:\n%s\n--- encoding/json ---\n%s", got.String(), want)
	}
}

func TestWriteJSONNonFiniteBecomesNull(t *testing.T) {
	var b bytes.Buffer
	if err := WriteJSON(&b, sampleReport()); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Windows []struct {
			Columns     []map[string]any `json:"columns"`
			Performance struct {
				Metrics []map[string]any `json:"metrics"`
			} `json:"performance"`
		} `json:"windows"`
	}
	if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	byName := map[string]map[string]any{}
	for _, c := range doc.Windows[0].Columns {
		byName[c["name"].(string)] = c
	}
	edges := byName["a_very_long_feature_name_from_a_one_hot_encoder_petal_width_bucket_17"]["histogram"].(map[string]any)["edges"].([]any)
	tests := []struct {
		name string
		got  any
		want any
	}{
		{"+Inf statistic", byName["species_hint"]["statistic"], nil},
		{"p-value 0 kept", byName["species_hint"]["p_value"], 0.0},
		{"NaN score", byName["notes\x1b[31m\n"]["score"], nil},
		{"NaN p-value pointer", byName["notes\x1b[31m\n"]["p_value"], nil},
		{"finite threshold kept", byName["notes\x1b[31m\n"]["threshold"], 0.05},
		{"-Inf edge", edges[0], nil},
		{"finite edge", edges[1], 1.0},
		{"+Inf edge", edges[3], nil},
		{"NaN metric", doc.Windows[0].Performance.Metrics[2]["current"], nil},
		{"distance test has no p_value", byName["label"]["p_value"], nil},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s: got %v, want %v", tt.name, tt.got, tt.want)
		}
	}
	if _, ok := byName["label"]["p_value"]; ok {
		t.Error("p_value present for a distance test; omitempty should drop a nil pointer")
	}
	if _, ok := byName["notes\x1b[31m\n"]["p_value"]; !ok {
		t.Error("p_value missing for an untested p-value test; a NaN pointer should be null")
	}
}

func TestWriteJSONNoNaNAnywhere(t *testing.T) {
	r := sampleReport()
	w := &r.Windows[0]
	w.Dataset.Share = math.NaN()
	w.Columns[0].Histogram.Ref[0] = math.Inf(-1)
	var b bytes.Buffer
	if err := WriteJSON(&b, r); err != nil {
		t.Fatal(err)
	}
	if !json.Valid(b.Bytes()) || bytes.Contains(b.Bytes(), []byte("NaN")) || bytes.Contains(b.Bytes(), []byte("Inf")) {
		t.Errorf("non-finite number leaked:\n%s", b.String())
	}
}
