package testenv_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mlctl/mlctl/internal/testenv"
)

func TestStartS3(t *testing.T) {
	srv := testenv.StartS3(t)
	ctx := context.Background()
	bucket := srv.NewBucket(t)

	_, err := srv.Client().PutObject(ctx, &s3.PutObjectInput{
		Bucket: aws.String(bucket), Key: aws.String("a/b.txt"), Body: strings.NewReader("hello"),
	})
	require.NoError(t, err)
	list, err := srv.Client().ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(bucket)})
	require.NoError(t, err)
	require.Len(t, list.Contents, 1)
	assert.Equal(t, "a/b.txt", aws.ToString(list.Contents[0].Key))

	// The server checks signatures: someone else's keys are refused.
	wrong := s3.New(s3.Options{
		Region: srv.Region, BaseEndpoint: aws.String(srv.Endpoint), UsePathStyle: true,
		Credentials: credentials.NewStaticCredentialsProvider(srv.AccessKey, "not-the-secret", ""),
	})
	_, err = wrong.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(bucket)})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "SignatureDoesNotMatch")
}

func TestStartS3GivesEachTestItsOwnServer(t *testing.T) {
	a, b := testenv.StartS3(t), testenv.StartS3(t)
	assert.NotEqual(t, a.Endpoint, b.Endpoint)
	assert.NotEqual(t, a.AccessKey, b.AccessKey)
	bucket := a.NewBucket(t)
	_, err := b.Client().HeadBucket(context.Background(), &s3.HeadBucketInput{Bucket: aws.String(bucket)})
	assert.Error(t, err, "a bucket made on one server must not exist on another")
}
