package daemon

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"

	"github.com/mlctl/mlctl/pkg/load"
	"github.com/mlctl/mlctl/pkg/serve"
	"github.com/mlctl/mlctl/pkg/serve/grpcapi"
	"github.com/mlctl/mlctl/pkg/serve/httpapi"
	"github.com/mlctl/mlctl/pkg/serve/predlog"
)

// Options describe one server process.
type Options struct {
	Config serve.Config
	// HTTPAddr and GRPCAddr are listen addresses; GRPCAddr "" turns gRPC off.
	HTTPAddr string
	GRPCAddr string
	Load     load.Options
	Version  string
	Logger   *slog.Logger
	// DrainTimeout bounds graceful shutdown (default 30 s).
	DrainTimeout time.Duration
	// Listening, when set, is called once both listeners are open, with
	// their actual addresses (useful with port 0).
	Listening func(httpAddr, grpcAddr string)
}

// Run serves until ctx is done, then shuts down gracefully: listeners stop
// accepting, in-flight requests finish, models drain, the log flushes.
func Run(ctx context.Context, o Options) (err error) {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.DrainTimeout <= 0 {
		o.DrainTimeout = 30 * time.Second
	}
	cfg := o.Config
	if err := cfg.Validate(); err != nil {
		return err
	}
	token, err := tokenFrom(cfg.Auth)
	if err != nil {
		return err
	}
	var plog *predlog.Logger
	if p := cfg.PredictionLog; p != nil && p.Dir != "" {
		rate := p.SampleRate
		if rate == 0 {
			rate = 1
		}
		if plog, err = predlog.Open(predlog.Config{Dir: p.Dir, SampleRate: rate, MaxFileBytes: p.MaxFileBytes, MaxFiles: p.MaxFiles}); err != nil {
			return fmt.Errorf("prediction log: %w", err)
		}
		defer func() {
			if cerr := plog.Close(); err == nil {
				err = cerr
			}
		}()
	}
	var dropped func() uint64
	if plog != nil {
		dropped = plog.Dropped
	}
	metrics := serve.NewMetrics(dropped)
	srv := serve.New(serve.Options{
		Version: o.Version, Load: o.Load, Metrics: metrics, PredLog: plog, Logger: o.Logger, Defaults: cfg.Defaults,
	})
	for _, mc := range cfg.Models {
		for _, b := range mc.Bundles {
			if _, err := srv.Deploy(ctx, b, mc); err != nil {
				srv.Shutdown(context.Background())
				return fmt.Errorf("model %s: bundle %s: %w", mc.Name, b, err)
			}
		}
		for _, rc := range mc.Remotes {
			if err := deployRemote(ctx, srv, mc, rc); err != nil {
				srv.Shutdown(context.Background())
				return fmt.Errorf("model %s: remote %s: %w", mc.Name, rc.URL, err)
			}
		}
	}
	watchCtx, stopWatch := context.WithCancel(ctx)
	defer stopWatch()
	if cfg.Watch != "" {
		go srv.Watch(watchCtx, cfg.Watch, time.Duration(cfg.WatchInterval), serve.ModelConfig{})
	}

	tlsConf, err := tlsConfig(cfg.TLS)
	if err != nil {
		return err
	}
	hl, err := net.Listen("tcp", o.HTTPAddr)
	if err != nil {
		return fmt.Errorf("http listener: %w", err)
	}
	ho := httpapi.Options{
		MaxBodyBytes: cfg.Limits.MaxBodyBytes, RequestTimeout: time.Duration(cfg.Limits.RequestTimeout),
		Token: token, Metrics: metrics, Logger: o.Logger, Version: o.Version,
	}
	if cfg.Router {
		ho.Router = srv
	}
	handler := httpapi.New(srv, srv, ho)
	// Each listener gets its own copy: net/http edits the config it is
	// given (ALPN for HTTP/2), and gRPC reads its own concurrently.
	var httpTLS *tls.Config
	if tlsConf != nil {
		httpTLS = tlsConf.Clone()
	}
	hs := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second, TLSConfig: httpTLS, ErrorLog: slog.NewLogLogger(o.Logger.Handler(), slog.LevelWarn)}
	errc := make(chan error, 2)
	go func() {
		var err error
		if httpTLS != nil {
			err = hs.ServeTLS(hl, "", "")
		} else {
			err = hs.Serve(hl)
		}
		if !errors.Is(err, http.ErrServerClosed) {
			errc <- fmt.Errorf("http: %w", err)
		}
	}()
	var gs *grpc.Server
	grpcAddr := ""
	if o.GRPCAddr != "" {
		gl, err := net.Listen("tcp", o.GRPCAddr)
		if err != nil {
			hs.Close()
			return fmt.Errorf("grpc listener: %w", err)
		}
		grpcAddr = gl.Addr().String()
		gopts := grpcapi.Options{MaxRecvBytes: int(cfg.Limits.MaxBodyBytes), Logger: o.Logger, Token: token, Metrics: metrics}
		if tlsConf != nil {
			gopts.ServerOptions = append(gopts.ServerOptions, grpc.Creds(credentials.NewTLS(tlsConf.Clone())))
		}
		gs = grpcapi.NewServer(srv, gopts)
		go func() {
			if err := gs.Serve(gl); err != nil && !errors.Is(err, grpc.ErrServerStopped) {
				errc <- fmt.Errorf("grpc: %w", err)
			}
		}()
	}
	o.Logger.Info("serving", "http", hl.Addr().String(), "grpc", grpcAddr, "models", len(srv.Models()))
	if o.Listening != nil {
		o.Listening(hl.Addr().String(), grpcAddr)
	}

	select {
	case <-ctx.Done():
	case err := <-errc:
		hs.Close()
		if gs != nil {
			gs.Stop()
		}
		srv.Shutdown(context.Background())
		return err
	}
	o.Logger.Info("shutting down: draining in-flight requests")
	stopWatch()
	drain, cancel := context.WithTimeout(context.Background(), o.DrainTimeout)
	defer cancel()
	var errs []error
	// Stop accepting first; requests already read finish before Shutdown
	// returns.
	if err := hs.Shutdown(drain); err != nil {
		errs = append(errs, fmt.Errorf("http shutdown: %w", err))
	}
	if gs != nil {
		stopped := make(chan struct{})
		go func() { gs.GracefulStop(); close(stopped) }()
		select {
		case <-stopped:
		case <-drain.Done():
			gs.Stop()
		}
	}
	if err := srv.Shutdown(drain); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

func tokenFrom(a serve.AuthConfig) (string, error) {
	if a.TokenEnv == "" {
		return "", nil
	}
	t := os.Getenv(a.TokenEnv)
	if t == "" {
		return "", fmt.Errorf("auth.token_env names %s, which is empty: set it to the bearer token clients must send", a.TokenEnv)
	}
	return t, nil
}

func tlsConfig(t serve.TLSConfig) (*tls.Config, error) {
	if t.Cert == "" && t.Key == "" {
		return nil, nil
	}
	cert, err := tls.LoadX509KeyPair(t.Cert, t.Key)
	if err != nil {
		return nil, fmt.Errorf("tls: %w", err)
	}
	return &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}, nil
}
