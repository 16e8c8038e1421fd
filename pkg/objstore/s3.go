package objstore

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
)

// s3Backend reads and writes S3 or an S3-compatible store.
type s3Backend struct {
	client *s3.Client
	opts   Options
	custom bool // a custom endpoint: be conservative about newer S3 features
}

var _ backend = (*s3Backend)(nil)

func newS3Backend(ctx context.Context, opts Options) (*s3Backend, error) {
	var load []func(*config.LoadOptions) error
	if opts.S3Region != "" {
		load = append(load, config.WithRegion(opts.S3Region))
	}
	if opts.S3Credentials != nil {
		load = append(load, config.WithCredentialsProvider(opts.S3Credentials))
	}
	cfg, err := config.LoadDefaultConfig(ctx, load...)
	if err != nil {
		return nil, fmt.Errorf("loading AWS configuration: %w", err)
	}
	custom := opts.S3Endpoint != ""
	if cfg.Region == "" {
		if !custom {
			return nil, errors.New("no AWS region configured: set AWS_REGION (or region in ~/.aws/config)")
		}
		// S3-compatible stores mostly ignore the region, but SigV4 needs one.
		cfg.Region = defaultCustomRegion
	}
	client := s3.NewFromConfig(cfg, func(o *s3.Options) {
		if custom {
			o.BaseEndpoint = aws.String(opts.S3Endpoint)
			o.UsePathStyle = true
			// Many S3-compatible stores reject the checksum headers the SDK
			// adds by default; send them only where the API requires them.
			o.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenRequired
			o.ResponseChecksumValidation = aws.ResponseChecksumValidationWhenRequired
		}
	})
	return &s3Backend{client: client, opts: opts, custom: custom}, nil
}

const (
	accessHint  = "check the AWS credentials (AWS_ACCESS_KEY_ID, AWS_PROFILE) and the bucket's permissions"
	changedHint = "the object was replaced while being read"
)

// s3Err maps an SDK error to the package's sentinels, keeping the SDK's
// error (request ID, status) in the chain for debugging.
func s3Err(op string, loc Location, err error) error {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return &Error{Op: op, URI: loc.String(), Err: err}
	}
	code := ""
	var ae smithy.APIError
	if errors.As(err, &ae) {
		code = ae.ErrorCode()
	}
	status := 0
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		status = re.HTTPStatusCode()
	}
	var sentinel error
	hint := ""
	switch code {
	case "NoSuchBucket":
		sentinel, hint = ErrNoSuchBucket, fmt.Sprintf("bucket %q does not exist", loc.Bucket)
	case "NoSuchKey", "NotFound":
		sentinel, hint = ErrNotFound, "no such object"
	case "AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch", "Forbidden", "AllAccessDisabled",
		"XAdminUserNotFound": // versitygw's answer to an unknown access key
		sentinel, hint = ErrAccessDenied, accessHint
	case "PreconditionFailed":
		sentinel, hint = ErrChanged, changedHint
	default:
		// HEAD responses carry no error code: go by the status.
		switch status {
		case 404:
			sentinel, hint = ErrNotFound, "no such object"
		case 403:
			sentinel, hint = ErrAccessDenied, accessHint
		case 412:
			sentinel, hint = ErrChanged, changedHint
		}
	}
	if sentinel == nil {
		return &Error{Op: op, URI: loc.String(), Err: err}
	}
	return &Error{Op: op, URI: loc.String(), Err: fmt.Errorf("%w: %s: %w", sentinel, hint, err)}
}

func (b *s3Backend) list(ctx context.Context, loc Location, limit int) ([]Object, error) {
	var prefix, pattern, nameBase string
	switch {
	case loc.HasGlob():
		pattern = loc.Path
		prefix = loc.Path[:strings.IndexAny(loc.Path, "*?[")]
		nameBase = globBase(loc.Path)
		if _, err := path.Match(pattern, ""); err != nil {
			return nil, &Error{Op: "list", URI: loc.String(), Err: fmt.Errorf("%w: %w", ErrBadURI, err)}
		}
	case loc.Path == "" || strings.HasSuffix(loc.Path, "/"):
		prefix, nameBase = loc.Path, loc.Path
	default:
		// One object, or else a "directory": never a sibling such as
		// p2/x when the user named p.
		obj, err := b.stat(ctx, loc)
		if err == nil {
			return []Object{obj}, nil
		}
		if !errors.Is(err, ErrNotFound) {
			return nil, err
		}
		prefix, nameBase = loc.Path+"/", loc.Path+"/"
	}
	keepHidden := pattern != "" && skipName(path.Base(pattern))
	var objs []Object
	pages := s3.NewListObjectsV2Paginator(b.client, &s3.ListObjectsV2Input{
		Bucket: aws.String(loc.Bucket),
		Prefix: aws.String(prefix),
	})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, s3Err("list", loc, err)
		}
		for _, o := range page.Contents {
			key := aws.ToString(o.Key)
			if strings.HasSuffix(key, "/") {
				continue // a "directory" marker some tools write
			}
			if pattern != "" {
				if ok, _ := path.Match(pattern, key); !ok {
					continue
				}
			}
			name := strings.TrimPrefix(key, nameBase)
			if !keepHidden && hiddenSegment(name) {
				continue
			}
			if len(objs) >= limit {
				return nil, &Error{Op: "list", URI: loc.String(), Err: fmt.Errorf("%w: more than %d objects; name fewer", ErrTooLarge, limit)}
			}
			objs = append(objs, Object{
				Location: Location{Scheme: SchemeS3, Bucket: loc.Bucket, Path: key},
				Name:     name,
				Size:     aws.ToInt64(o.Size),
				ETag:     strings.Trim(aws.ToString(o.ETag), `"`),
				ModTime:  aws.ToTime(o.LastModified),
			})
		}
	}
	sortObjects(objs)
	return objs, nil
}

// hiddenSegment reports whether any segment of a slash-separated name is
// one listing skips, as a local directory walk would.
func hiddenSegment(name string) bool {
	for seg := range strings.SplitSeq(name, "/") {
		if skipName(seg) {
			return true
		}
	}
	return false
}

func (b *s3Backend) stat(ctx context.Context, loc Location) (Object, error) {
	if loc.Path == "" || strings.HasSuffix(loc.Path, "/") {
		return Object{}, &Error{Op: "stat", URI: loc.String(), Err: fmt.Errorf("%w: names a prefix, not an object", ErrNotFound)}
	}
	out, err := b.client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(loc.Bucket), Key: aws.String(loc.Path)})
	if err != nil {
		return Object{}, s3Err("stat", loc, err)
	}
	return Object{
		Location: loc,
		Name:     path.Base(loc.Path),
		Size:     aws.ToInt64(out.ContentLength),
		ETag:     strings.Trim(aws.ToString(out.ETag), `"`),
		ModTime:  aws.ToTime(out.LastModified),
	}, nil
}

func (b *s3Backend) openReader(ctx context.Context, loc Location) (io.ReadCloser, error) {
	out, err := b.client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(loc.Bucket), Key: aws.String(loc.Path)})
	if err != nil {
		return nil, s3Err("open", loc, err)
	}
	return out.Body, nil
}

func (b *s3Backend) openRandom(ctx context.Context, loc Location) (RandomAccessReader, error) {
	obj, err := b.stat(ctx, loc)
	if err != nil {
		return nil, err
	}
	return newS3Random(ctx, b, obj), nil
}

func (b *s3Backend) put(ctx context.Context, loc Location, data []byte) error {
	_, err := b.client.PutObject(ctx, &s3.PutObjectInput{
		Bucket:        aws.String(loc.Bucket),
		Key:           aws.String(loc.Path),
		Body:          bytes.NewReader(data),
		ContentLength: aws.Int64(int64(len(data))),
	})
	if err != nil {
		return s3Err("put", loc, err)
	}
	return nil
}

func (b *s3Backend) remove(ctx context.Context, loc Location) error {
	_, err := b.client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(loc.Bucket), Key: aws.String(loc.Path)})
	if err != nil {
		err = s3Err("delete", loc, err)
		if errors.Is(err, ErrNotFound) && !errors.Is(err, ErrNoSuchBucket) {
			return nil
		}
		return err
	}
	return nil
}
