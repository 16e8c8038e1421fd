// Package codec turns request bodies into batches and batches into
// responses: CSV, JSON in every shape the MLflow scoring protocol accepts
// (dataframe_split, dataframe_records, instances, inputs), JSON lines, and
// the Open Inference Protocol's tensor JSON. Every command and server decodes
// through here, so a schema error reads the same everywhere: it names the
// row, the field and what was expected.
package codec
