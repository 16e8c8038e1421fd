package serve

import (
	"fmt"
	"os"
	"time"

	"gopkg.in/yaml.v3"
)

// Config is a serve config file (serve.yaml). Flags fill the same struct for
// the single-model case. docs/serve.md documents every field.
type Config struct {
	Models []ModelConfig `yaml:"models"`
	// Watch is a directory of bundles to load, and reload when they change.
	Watch         string         `yaml:"watch"`
	WatchInterval Duration       `yaml:"watch_interval"`
	Defaults      ModelSettings  `yaml:"defaults"`
	PredictionLog *PredLogConfig `yaml:"prediction_log"`
	Limits        LimitsConfig   `yaml:"limits"`
	Auth          AuthConfig     `yaml:"auth"`
	TLS           TLSConfig      `yaml:"tls"`
	// Router turns on the router extension of the HTTP API: remote
	// versions added and traffic shifted at run time (docs/serve.md). Off by
	// default: it lets a caller point traffic at any URL, so use a token.
	Router bool `yaml:"router"`
}

// ModelConfig is one endpoint: a model name served from one or more bundle
// versions, with its traffic policy.
type ModelConfig struct {
	// Name overrides the bundles' manifest name for the endpoint.
	Name          string   `yaml:"name"`
	Bundles       []string `yaml:"bundles"`
	ModelSettings `yaml:",inline"`
	Traffic       []TrafficSplit `yaml:"traffic"`
	// Shadow names a version that sees a copy of every request; its answers
	// are logged and never returned.
	Shadow string `yaml:"shadow"`
	// Sticky makes the version choice a hash of this header (or, for JSON
	// bodies, parameter) so that one user always meets the same variant.
	Sticky string `yaml:"sticky"`
	// Remotes are versions served by other servers (containers, pods)
	// behind this endpoint, as a router.
	Remotes []RemoteConfig `yaml:"remotes"`
}

// RemoteConfig is one version served by another mlctl (or OIP) server.
type RemoteConfig struct {
	// URL is the server's base URL, such as http://127.0.0.1:9001.
	URL string `yaml:"url"`
	// Model is the model's name there (default: the endpoint's name);
	// Version the version it serves (read from the server when empty).
	Model   string `yaml:"model"`
	Version string `yaml:"version"`
	// TokenEnv names an environment variable holding its bearer token.
	TokenEnv string `yaml:"token_env"`
}

// ModelSettings tune a model's batching and execution.
type ModelSettings struct {
	Flavor        string   `yaml:"flavor"`
	Instances     int      `yaml:"instances"`
	MaxBatchRows  int      `yaml:"max_batch_rows"`
	MaxQueueDelay Duration `yaml:"max_queue_delay"`
	MaxQueueRows  int      `yaml:"max_queue_rows"`
}

// TrafficSplit gives a version its share of an endpoint's requests.
type TrafficSplit struct {
	Version string  `yaml:"version"`
	Weight  float64 `yaml:"weight"`
}

// PredLogConfig turns on the prediction log.
type PredLogConfig struct {
	Dir          string  `yaml:"dir"`
	SampleRate   float64 `yaml:"sample_rate"`
	MaxFileBytes int64   `yaml:"max_file_bytes"`
	MaxFiles     int     `yaml:"max_files"`
}

// LimitsConfig bounds what a client controls.
type LimitsConfig struct {
	MaxBodyBytes   int64    `yaml:"max_body_bytes"`
	RequestTimeout Duration `yaml:"request_timeout"`
}

// AuthConfig turns on bearer-token auth; the token comes from a variable
// so it never sits in a file.
type AuthConfig struct {
	TokenEnv string `yaml:"token_env"`
}

// TLSConfig turns on TLS for the HTTP and gRPC listeners.
type TLSConfig struct {
	Cert string `yaml:"cert"`
	Key  string `yaml:"key"`
}

// Duration reads "5ms", "2s" in YAML.
type Duration time.Duration

// UnmarshalYAML parses a Go duration string.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	var s string
	if err := n.Decode(&s); err != nil {
		return err
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("line %d: %q is not a duration (e.g. 2ms, 1s): %w", n.Line, s, err)
	}
	*d = Duration(v)
	return nil
}

// MarshalYAML writes the duration as a string.
func (d Duration) MarshalYAML() (any, error) { return time.Duration(d).String(), nil }

// ReadConfig parses a serve config file, refusing unknown fields.
func ReadConfig(path string) (*Config, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("serve config: %w", err)
	}
	defer f.Close()
	dec := yaml.NewDecoder(f)
	dec.KnownFields(true)
	var c Config
	if err := dec.Decode(&c); err != nil {
		return nil, fmt.Errorf("serve config %s: %w", path, err)
	}
	return &c, c.Validate()
}

// Validate checks what can be checked before loading anything.
func (c *Config) Validate() error {
	if len(c.Models) == 0 && c.Watch == "" && !c.Router {
		return fmt.Errorf("serve config: no models, no watch directory and no router: nothing to serve")
	}
	for i, m := range c.Models {
		if len(m.Bundles) == 0 && len(m.Remotes) == 0 {
			return fmt.Errorf("serve config: models[%d] (%s): bundles and remotes are empty", i, m.Name)
		}
		if len(m.Remotes) > 0 && m.Name == "" {
			return fmt.Errorf("serve config: models[%d]: a model with remotes needs a name", i)
		}
		for j, r := range m.Remotes {
			if r.URL == "" {
				return fmt.Errorf("serve config: models[%d].remotes[%d]: url is empty", i, j)
			}
		}
		var sum float64
		for j, t := range m.Traffic {
			if t.Weight < 0 {
				return fmt.Errorf("serve config: models[%d].traffic[%d]: weight %g is negative", i, j, t.Weight)
			}
			sum += t.Weight
		}
		if len(m.Traffic) > 0 && sum == 0 {
			return fmt.Errorf("serve config: models[%d].traffic: weights add up to 0", i)
		}
	}
	if p := c.PredictionLog; p != nil && (p.SampleRate < 0 || p.SampleRate > 1) {
		return fmt.Errorf("serve config: prediction_log.sample_rate %g: expected 0..1", p.SampleRate)
	}
	return nil
}

// merge fills zero settings from defaults.
func (s ModelSettings) merge(d ModelSettings) ModelSettings {
	if s.Flavor == "" {
		s.Flavor = d.Flavor
	}
	if s.Instances == 0 {
		s.Instances = d.Instances
	}
	if s.MaxBatchRows == 0 {
		s.MaxBatchRows = d.MaxBatchRows
	}
	if s.MaxQueueDelay == 0 {
		s.MaxQueueDelay = d.MaxQueueDelay
	}
	if s.MaxQueueRows == 0 {
		s.MaxQueueRows = d.MaxQueueRows
	}
	if s.Instances == 0 {
		s.Instances = 1
	}
	return s
}
