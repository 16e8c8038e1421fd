package predlog_test

import (
	"fmt"
	"log"
	"os"
	"time"

	"github.com/mlctl/mlctl/pkg/flavors"
	"github.com/mlctl/mlctl/pkg/serve/predlog"
)

func Example() {
	dir, err := os.MkdirTemp("", "predlog-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	l, err := predlog.Open(predlog.Config{Dir: dir})
	if err != nil {
		log.Fatal(err)
	}
	petal, _ := flavors.NewTensor("petal", flavors.FP64, []int64{2, 2}, []float64{1.4, 0.2, 4.7, 1.4})
	label, _ := flavors.Column("label", []string{"setosa", "versicolor"})
	l.Log(predlog.Entry{
		Time: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), RequestID: "req-1",
		Model: "iris", Version: "1", Protocol: "mlflow", Latency: 1500 * time.Microsecond,
		Inputs:  flavors.Batch{Tensors: []flavors.Tensor{petal}},
		Outputs: flavors.Batch{Tensors: []flavors.Tensor{label}},
	})
	if err := l.Close(); err != nil {
		log.Fatal(err)
	}

	err = predlog.ReadDir(dir, func(r predlog.Row) error {
		fmt.Println(r.Time.Format(time.RFC3339), r.RequestID, r.Inputs["petal"], r.Outputs["label"])
		return nil
	})
	if err != nil {
		log.Fatal(err)
	}
	// Output:
	// 2026-01-02T03:04:05Z req-1 [1.4 0.2] setosa
	// 2026-01-02T03:04:05Z req-1 [4.7 1.4] versicolor
}
