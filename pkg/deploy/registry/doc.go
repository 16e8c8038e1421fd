// Package registry pushes mlctl's images to an OCI registry and pulls them
// back by digest.
//
// Credentials come from a keychain: the Docker configuration first
// (~/.docker/config.json or $DOCKER_CONFIG/config.json, with its auths and
// credential helpers, as `docker login` writes them), then Amazon ECR for
// hosts of the form ACCOUNT.dkr.ecr.REGION.amazonaws.com (also the -fips and
// China .amazonaws.com.cn forms): a token from ECR's GetAuthorizationToken,
// with the AWS SDK's default credential chain and the host's region.
//
// Plain HTTP is used only for loopback registries (127.0.0.0/8, ::1,
// localhost) or when Options.Insecure is set, as Docker's
// insecure-registries does; every other registry is reached over verified
// HTTPS.
//
// Push returns the manifest digest the registry holds, checked against the
// image's own digest: an image built by pkg/deploy/image has a reproducible
// digest, so REPO@sha256:… names exactly what was built.
package registry
