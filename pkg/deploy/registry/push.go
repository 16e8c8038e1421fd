package registry

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
)

// Options say how to reach a registry.
type Options struct {
	// Insecure allows plain HTTP and unverified TLS to the registry, as
	// Docker's insecure-registries does. Loopback registries (127.0.0.0/8,
	// ::1, localhost) may use plain HTTP without it.
	Insecure bool
	// Keychain resolves credentials; nil means DefaultKeychain().
	Keychain authn.Keychain
	// Transport carries the requests; nil means a clone of
	// http.DefaultTransport.
	Transport http.RoundTripper
	// UserAgent is sent with every request (default "mlctl").
	UserAgent string
}

// Errors a caller may test with errors.Is.
var (
	// ErrUnauthorized: the registry refused the request for lack of (or
	// wrong) credentials.
	ErrUnauthorized = errors.New("registry refused the credentials")
	// ErrDigestMismatch: the registry holds another manifest than the image's.
	ErrDigestMismatch = errors.New("registry digest differs from the image's")
	// ErrPlainHTTP: plain HTTP to a registry that is not on loopback, without
	// Options.Insecure.
	ErrPlainHTTP = errors.New("plain HTTP refused")
)

// DefaultKeychain is the Docker configuration's credentials (auths and
// credential helpers), then ECR's for ECR hosts, then anonymous.
func DefaultKeychain() authn.Keychain {
	return authn.NewMultiKeychain(authn.DefaultKeychain, NewECRKeychain(nil))
}

// ParseReference parses REGISTRY/REPO[:TAG|@DIGEST] (a missing registry is
// Docker Hub, a missing tag is latest, as docker does). insecure, or a
// loopback registry, lets the client fall back to plain HTTP.
func ParseReference(ref string, insecure bool) (name.Reference, error) {
	var opts []name.Option
	if insecure {
		opts = append(opts, name.Insecure)
	}
	r, err := name.ParseReference(ref, opts...)
	if err != nil {
		return nil, fmt.Errorf("image reference %q: expected REGISTRY/REPOSITORY:TAG: %w", ref, err)
	}
	if !insecure && IsLoopback(r.Context().RegistryStr()) {
		// The client tries HTTP only for some loopback forms (127.0.0.1,
		// localhost); allow it for all of 127.0.0.0/8 and ::1, as Docker does.
		return name.ParseReference(ref, name.Insecure)
	}
	return r, nil
}

// DigestRef is ref's repository with digest: REGISTRY/REPO@sha256:….
func DigestRef(ref, digest string) (string, error) {
	r, err := ParseReference(ref, false)
	if err != nil {
		return "", err
	}
	d, err := name.NewDigest(r.Context().Name() + "@" + digest)
	if err != nil {
		return "", fmt.Errorf("digest %q: %w", digest, err)
	}
	return d.String(), nil
}

// Push uploads img (its layers, config and manifest) to ref and returns the
// manifest digest ("sha256:…") after checking that the registry now serves
// that same digest for ref.
func Push(ctx context.Context, img v1.Image, ref string, o Options) (string, error) {
	r, err := ParseReference(ref, o.Insecure)
	if err != nil {
		return "", err
	}
	want, err := img.Digest()
	if err != nil {
		return "", fmt.Errorf("pushing to %s: image digest: %w", ref, err)
	}
	opts := o.remoteOptions(ctx)
	if err := remote.Write(r, img, opts...); err != nil {
		return "", classify("pushing to", r, err)
	}
	desc, err := remote.Head(r, opts...)
	if err != nil {
		return "", classify("checking the pushed image at", r, err)
	}
	if desc.Digest != want {
		return "", fmt.Errorf("%w: %s serves %s after the push, the image is %s", ErrDigestMismatch, ref, desc.Digest, want)
	}
	return want.String(), nil
}

// Pull reads the image ref names. For a digest reference
// (REGISTRY/REPO@sha256:…) it checks that the manifest read has that digest.
// Layers are fetched lazily, and checked against their digests as read.
func Pull(ctx context.Context, ref string, o Options) (v1.Image, error) {
	r, err := ParseReference(ref, o.Insecure)
	if err != nil {
		return nil, err
	}
	img, err := remote.Image(r, o.remoteOptions(ctx)...)
	if err != nil {
		return nil, classify("pulling", r, err)
	}
	if d, ok := r.(name.Digest); ok {
		got, err := img.Digest()
		if err != nil {
			return nil, fmt.Errorf("pulling %s: %w", ref, err)
		}
		if got.String() != d.DigestStr() {
			return nil, fmt.Errorf("%w: pulled %s, got manifest %s", ErrDigestMismatch, ref, got)
		}
	}
	return img, nil
}

func (o Options) remoteOptions(ctx context.Context) []remote.Option {
	kc := o.Keychain
	if kc == nil {
		kc = DefaultKeychain()
	}
	ua := o.UserAgent
	if ua == "" {
		ua = "mlctl"
	}
	return []remote.Option{
		remote.WithContext(ctx),
		remote.WithAuthFromKeychain(kc),
		remote.WithTransport(o.transport()),
		remote.WithUserAgent(ua),
	}
}

// transport refuses plain HTTP beyond loopback unless Insecure: the
// registry client would otherwise fall back to HTTP for private (RFC 1918)
// addresses too.
func (o Options) transport() http.RoundTripper {
	next := o.Transport
	if next == nil {
		t := http.DefaultTransport.(*http.Transport).Clone()
		if o.Insecure {
			t.TLSClientConfig = &tls.Config{InsecureSkipVerify: true} //nolint:gosec // the user asked for an insecure registry
		}
		next = t
	}
	return httpPolicy{next: next, insecure: o.Insecure}
}

type httpPolicy struct {
	next     http.RoundTripper
	insecure bool
}

func (p httpPolicy) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Scheme == "http" && !p.insecure && !IsLoopback(req.URL.Host) {
		return nil, fmt.Errorf("%w to %s: only loopback registries may use HTTP without --insecure-registry", ErrPlainHTTP, req.URL.Host)
	}
	return p.next.RoundTrip(req)
}

// IsLoopback reports whether a host[:port] is localhost or a loopback IP.
func IsLoopback(hostport string) bool {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	host = strings.Trim(host, "[]")
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// classify wraps a registry error with what was being done and, for an
// authorization failure, how to give credentials.
func classify(doing string, r name.Reference, err error) error {
	var te *transport.Error
	if errors.As(err, &te) && (te.StatusCode == http.StatusUnauthorized || te.StatusCode == http.StatusForbidden) {
		host := r.Context().RegistryStr()
		return fmt.Errorf("%w: %s %s: registry %s answered %d: log in with `docker login %s` (or set DOCKER_CONFIG to a directory whose config.json has its credentials): %v",
			ErrUnauthorized, doing, r, host, te.StatusCode, host, err)
	}
	return fmt.Errorf("%s %s: %w", doing, r, err)
}
