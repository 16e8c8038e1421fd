package registry

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/google/go-containerregistry/pkg/authn"
)

// ECRHost is a parsed Amazon ECR private registry host name.
type ECRHost struct {
	Account string // 12 digits
	Region  string // e.g. eu-west-1
	FIPS    bool   // dkr.ecr-fips.REGION…
}

// ecrHostPattern matches ACCOUNT.dkr.ecr[-fips].REGION.DOMAIN for the AWS
// partitions' registry domains (commercial, China, the isolated regions),
// with an optional :port as name.Registry may carry.
var ecrHostPattern = regexp.MustCompile(`^([0-9]{12})\.dkr[.-]ecr(-fips)?\.([a-z0-9][a-z0-9-]{0,30})\.(amazonaws\.com|amazonaws\.com\.cn|c2s\.ic\.gov|sc2s\.sgov\.gov|cloud\.adc-e\.uk|csp\.hci\.ic\.gov)(:[0-9]{1,5})?$`)

// maxHostLen bounds a host name before matching (DNS names are ≤ 253).
const maxHostLen = 253 + 6

// ParseECRHost reports whether host is an Amazon ECR private registry and,
// if so, its account and region. Matching is case-insensitive.
func ParseECRHost(host string) (ECRHost, bool) {
	if len(host) > maxHostLen {
		return ECRHost{}, false
	}
	m := ecrHostPattern.FindStringSubmatch(strings.ToLower(host))
	if m == nil {
		return ECRHost{}, false
	}
	return ECRHost{Account: m[1], Region: m[3], FIPS: m[2] != ""}, true
}

// ErrECRToken marks an ECR authorization token that is not base64 of
// "AWS:password".
var ErrECRToken = errors.New("malformed ECR authorization token")

// maxECRTokenLen bounds the token a service may return (real ones are a few KB).
const maxECRTokenLen = 64 << 10

// DecodeECRToken decodes an ECR authorization token, base64 of
// "USER:PASSWORD" (the user is AWS), into basic-auth credentials.
func DecodeECRToken(token string) (user, password string, err error) {
	if len(token) > maxECRTokenLen {
		return "", "", fmt.Errorf("%w: %d bytes, more than the %d expected", ErrECRToken, len(token), maxECRTokenLen)
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(token))
	if err != nil {
		return "", "", fmt.Errorf("%w: not base64: %v", ErrECRToken, err)
	}
	user, password, ok := strings.Cut(string(raw), ":")
	if !ok || user == "" || password == "" {
		return "", "", fmt.Errorf("%w: expected USER:PASSWORD after base64 decoding", ErrECRToken)
	}
	return user, password, nil
}

// ECRToken is an authorization token and when it stops being valid.
type ECRToken struct {
	Token     string // base64 "AWS:password"
	ExpiresAt time.Time
}

// ECRTokenSource gets an ECR authorization token for a registry. The
// default asks ECR through the AWS SDK; tests give a fake.
type ECRTokenSource interface {
	ECRToken(ctx context.Context, host ECRHost) (ECRToken, error)
}

// SDKTokenSource asks ECR's GetAuthorizationToken with the SDK's default
// configuration (environment, shared config and credentials files, SSO,
// instance roles) in the registry's region.
type SDKTokenSource struct{}

// ECRToken implements ECRTokenSource.
func (SDKTokenSource) ECRToken(ctx context.Context, host ECRHost) (ECRToken, error) {
	opts := []func(*config.LoadOptions) error{config.WithRegion(host.Region)}
	if host.FIPS {
		opts = append(opts, config.WithUseFIPSEndpoint(aws.FIPSEndpointStateEnabled))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return ECRToken{}, fmt.Errorf("loading AWS configuration: %w", err)
	}
	out, err := ecr.NewFromConfig(cfg).GetAuthorizationToken(ctx, &ecr.GetAuthorizationTokenInput{})
	if err != nil {
		return ECRToken{}, err
	}
	for _, d := range out.AuthorizationData {
		if d.AuthorizationToken != nil {
			t := ECRToken{Token: *d.AuthorizationToken}
			if d.ExpiresAt != nil {
				t.ExpiresAt = *d.ExpiresAt
			}
			return t, nil
		}
	}
	return ECRToken{}, errors.New("ECR returned no authorization data")
}

// ECRKeychain resolves credentials for ECR hosts from a token source and
// answers Anonymous for every other host. Tokens are kept until a minute
// before they expire.
type ECRKeychain struct {
	Source ECRTokenSource // nil means SDKTokenSource

	mu    sync.Mutex
	cache map[string]ecrCached
}

type ecrCached struct {
	auth    authn.Authenticator
	expires time.Time
}

// NewECRKeychain returns a keychain that asks src (nil: the AWS SDK).
func NewECRKeychain(src ECRTokenSource) *ECRKeychain {
	return &ECRKeychain{Source: src}
}

// Resolve implements authn.Keychain.
func (k *ECRKeychain) Resolve(r authn.Resource) (authn.Authenticator, error) {
	return k.ResolveContext(context.Background(), r)
}

// ResolveContext implements authn.ContextKeychain.
func (k *ECRKeychain) ResolveContext(ctx context.Context, r authn.Resource) (authn.Authenticator, error) {
	reg := r.RegistryStr()
	host, ok := ParseECRHost(reg)
	if !ok {
		return authn.Anonymous, nil
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if c, ok := k.cache[reg]; ok && time.Now().Before(c.expires) {
		return c.auth, nil
	}
	src := k.Source
	if src == nil {
		src = SDKTokenSource{}
	}
	tok, err := src.ECRToken(ctx, host)
	if err != nil {
		return nil, fmt.Errorf("ECR registry %s: getting an authorization token (account %s, region %s): %w", reg, host.Account, host.Region, err)
	}
	user, pass, err := DecodeECRToken(tok.Token)
	if err != nil {
		return nil, fmt.Errorf("ECR registry %s: %w", reg, err)
	}
	auth := authn.FromConfig(authn.AuthConfig{Username: user, Password: pass})
	if !tok.ExpiresAt.IsZero() {
		if k.cache == nil {
			k.cache = map[string]ecrCached{}
		}
		k.cache[reg] = ecrCached{auth: auth, expires: tok.ExpiresAt.Add(-time.Minute)}
	}
	return auth, nil
}
