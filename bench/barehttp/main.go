// Command barehttp is the serving benchmarks' "bare HTTP" limit (X_http): a
// Go net/http handler that decodes the same MLflow dataframe_split JSON body
// a model server gets and answers a constant. A model server is measured
// against it: for a tiny model the HTTP stack and JSON, not the model, set
// the ceiling.
//
//	barehttp -addr 127.0.0.1:8090
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
)

// dataframeSplit is MLflow's {"dataframe_split": {"columns": …, "data": …}}.
type dataframeSplit struct {
	DataframeSplit struct {
		Columns []string    `json:"columns"`
		Data    [][]float64 `json:"data"`
	} `json:"dataframe_split"`
}

const maxBody = 32 << 20

var answer = []byte(`{"predictions": [0]}` + "\n")

func invocations(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		http.Error(w, err.Error(), http.StatusRequestEntityTooLarge)
		return
	}
	var in dataframeSplit
	if err := json.Unmarshal(body, &in); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	if len(in.DataframeSplit.Data) == 0 {
		http.Error(w, "dataframe_split.data is empty", http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(answer)
}

func main() {
	addr := flag.String("addr", "127.0.0.1:8090", "listen address (loopback only)")
	flag.Parse()
	host, _, err := net.SplitHostPort(*addr)
	if err != nil {
		log.Fatalf("barehttp: -addr %q: %v", *addr, err)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		log.Fatalf("barehttp: -addr %q: listen on a loopback address only", *addr)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /invocations", invocations)
	mux.HandleFunc("GET /ping", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "\n") })
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatalf("barehttp: %v", err)
	}
	fmt.Fprintf(os.Stderr, "barehttp: listening on %s\n", ln.Addr())
	if err := http.Serve(ln, mux); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Fatalf("barehttp: %v", err)
	}
}
