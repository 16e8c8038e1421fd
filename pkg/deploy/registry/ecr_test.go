package registry

import (
	"context"
	"encoding/base64"
	"errors"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseECRHost(t *testing.T) {
	tests := []struct {
		host string
		want ECRHost
		ok   bool
	}{
		{"123456789012.dkr.ecr.eu-west-1.amazonaws.com", ECRHost{Account: "123456789012", Region: "eu-west-1"}, true},
		{"123456789012.dkr.ecr.us-east-1.amazonaws.com:443", ECRHost{Account: "123456789012", Region: "us-east-1"}, true},
		{"123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com", ECRHost{Account: "123456789012", Region: "us-gov-west-1", FIPS: true}, true},
		{"123456789012.dkr-ecr.us-east-1.amazonaws.com", ECRHost{Account: "123456789012", Region: "us-east-1"}, true},
		{"123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn", ECRHost{Account: "123456789012", Region: "cn-north-1"}, true},
		{"123456789012.DKR.ECR.EU-WEST-1.AMAZONAWS.COM", ECRHost{Account: "123456789012", Region: "eu-west-1"}, true},
		{"123456789012.dkr.ecr.us-iso-east-1.c2s.ic.gov", ECRHost{Account: "123456789012", Region: "us-iso-east-1"}, true},
		// Not ECR private registries.
		{"public.ecr.aws", ECRHost{}, false},
		{"12345678901.dkr.ecr.eu-west-1.amazonaws.com", ECRHost{}, false},   // 11 digits
		{"1234567890123.dkr.ecr.eu-west-1.amazonaws.com", ECRHost{}, false}, // 13 digits
		{"123456789012.dkr.ecr.eu-west-1.amazonaws.com.evil.example", ECRHost{}, false},
		{"evil.example/123456789012.dkr.ecr.eu-west-1.amazonaws.com", ECRHost{}, false},
		{"123456789012.dkr.ecr..amazonaws.com", ECRHost{}, false},
		{"ghcr.io", ECRHost{}, false},
		{"127.0.0.1:5000", ECRHost{}, false},
		{"", ECRHost{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.host, func(t *testing.T) {
			got, ok := ParseECRHost(tt.host)
			assert.Equal(t, tt.ok, ok)
			assert.Equal(t, tt.want, got)
		})
	}
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

func TestDecodeECRToken(t *testing.T) {
	tests := []struct {
		name, token, user, pass string
		err                     bool
	}{
		{"aws", b64("AWS:eyJwYXlsb2FkIjoi"), "AWS", "eyJwYXlsb2FkIjoi", false},
		{"password with colons", b64("AWS:a:b:c"), "AWS", "a:b:c", false},
		{"surrounding space", " " + b64("AWS:p") + "\n", "AWS", "p", false},
		{"not base64", "AWS:password", "", "", true},
		{"no colon", b64("AWSpassword"), "", "", true},
		{"empty user", b64(":password"), "", "", true},
		{"empty password", b64("AWS:"), "", "", true},
		{"empty", "", "", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			user, pass, err := DecodeECRToken(tt.token)
			if tt.err {
				require.ErrorIs(t, err, ErrECRToken)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.user, user)
			assert.Equal(t, tt.pass, pass)
		})
	}
}

func TestDecodeECRTokenTooLong(t *testing.T) {
	_, _, err := DecodeECRToken(string(make([]byte, maxECRTokenLen+1)))
	require.ErrorIs(t, err, ErrECRToken)
}

// fakeECR stands in for ECR's GetAuthorizationToken: a real ECR is not
// reachable from the tests.
type fakeECR struct {
	token ECRToken
	err   error
	asked []ECRHost
}

func (f *fakeECR) ECRToken(_ context.Context, h ECRHost) (ECRToken, error) {
	f.asked = append(f.asked, h)
	return f.token, f.err
}

func resource(t *testing.T, ref string) authn.Resource {
	r, err := name.ParseReference(ref)
	require.NoError(t, err)
	return r.Context()
}

func TestECRKeychain(t *testing.T) {
	ecrRef := "123456789012.dkr.ecr.eu-west-1.amazonaws.com/models/iris:3"
	t.Run("ECR host gets the token's credentials, cached until expiry", func(t *testing.T) {
		src := &fakeECR{token: ECRToken{Token: b64("AWS:secret"), ExpiresAt: time.Now().Add(12 * time.Hour)}}
		kc := NewECRKeychain(src)
		for range 2 {
			auth, err := authn.Resolve(context.Background(), kc, resource(t, ecrRef))
			require.NoError(t, err)
			cfg, err := authn.Authorization(context.Background(), auth)
			require.NoError(t, err)
			assert.Equal(t, "AWS", cfg.Username)
			assert.Equal(t, "secret", cfg.Password)
		}
		assert.Equal(t, []ECRHost{{Account: "123456789012", Region: "eu-west-1"}}, src.asked, "asked once, for the host's account and region")
	})
	t.Run("an expired token is asked again", func(t *testing.T) {
		src := &fakeECR{token: ECRToken{Token: b64("AWS:secret"), ExpiresAt: time.Now().Add(30 * time.Second)}}
		kc := NewECRKeychain(src)
		for range 2 {
			_, err := kc.Resolve(resource(t, ecrRef))
			require.NoError(t, err)
		}
		assert.Len(t, src.asked, 2)
	})
	t.Run("other hosts are anonymous and ECR is not asked", func(t *testing.T) {
		src := &fakeECR{}
		auth, err := NewECRKeychain(src).Resolve(resource(t, "127.0.0.1:5000/models/iris:3"))
		require.NoError(t, err)
		assert.Equal(t, authn.Anonymous, auth)
		assert.Empty(t, src.asked)
	})
	t.Run("an ECR error names the registry and region", func(t *testing.T) {
		src := &fakeECR{err: errors.New("no credentials in the chain")}
		_, err := NewECRKeychain(src).Resolve(resource(t, ecrRef))
		require.Error(t, err)
		assert.Contains(t, err.Error(), "123456789012.dkr.ecr.eu-west-1.amazonaws.com")
		assert.Contains(t, err.Error(), "eu-west-1")
		assert.Contains(t, err.Error(), "no credentials in the chain")
	})
	t.Run("a malformed token is an error", func(t *testing.T) {
		src := &fakeECR{token: ECRToken{Token: "not base64!"}}
		_, err := NewECRKeychain(src).Resolve(resource(t, ecrRef))
		require.ErrorIs(t, err, ErrECRToken)
	})
}

func FuzzParseECRHost(f *testing.F) {
	for _, s := range []string{"123456789012.dkr.ecr.eu-west-1.amazonaws.com", "123456789012.dkr.ecr-fips.us-east-1.amazonaws.com:443", "public.ecr.aws", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, host string) {
		h, ok := ParseECRHost(host)
		if !ok {
			return
		}
		if len(h.Account) != 12 || h.Region == "" {
			t.Fatalf("%q parsed as %+v", host, h)
		}
	})
}

func FuzzDecodeECRToken(f *testing.F) {
	for _, s := range []string{b64("AWS:secret"), b64("AWS:"), "AWS:secret", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, token string) {
		user, pass, err := DecodeECRToken(token)
		if err == nil && (user == "" || pass == "") {
			t.Fatalf("%q decoded to empty credentials without an error", token)
		}
	})
}
