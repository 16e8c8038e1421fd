package rollout_test

import (
	"fmt"

	"github.com/mlctl/mlctl/pkg/deploy/rollout"
)

// Quantile reads a latency quantile from cumulative histogram buckets, as
// a canary's analysis does between two scrapes of the router's /metrics.
func ExampleQuantile() {
	buckets := []rollout.Bucket{{UpperBound: 0.01, Count: 90}, {UpperBound: 0.1, Count: 99}, {UpperBound: 1, Count: 100}}
	fmt.Printf("p50 %.4fs, p99 %.4fs\n", rollout.Quantile(0.5, buckets), rollout.Quantile(0.99, buckets))
	// Output: p50 0.0056s, p99 0.1000s
}
