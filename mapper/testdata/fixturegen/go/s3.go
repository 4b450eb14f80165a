package main

import (
	"bytes"
	"context"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/s3control"
	s3ctypes "github.com/aws/aws-sdk-go-v2/service/s3control/types"
)

const (
	bucket    = "example-app-bucket"
	objKey    = "reports/2026/01/summary.csv"
	versionID = "3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY"
	uploadID  = "VXBsb2FkIElEIGZvciA2aWWpbmcncyBteS1tb3ZpZS5tMnRzIHVwbG9hZA"
	kmsKeyARN = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	apARN     = "arn:aws:s3:us-east-1:123456789012:accesspoint/app-ap"
	olapARN   = "arn:aws:s3-object-lambda:us-east-1:123456789012:accesspoint/redact-olap"
	expressB  = "fast-data--use1-az4--x-s3"
)

func newS3(cfg aws.Config, fns ...func(*s3.Options)) *s3.Client {
	fns = append([]func(*s3.Options){func(o *s3.Options) {
		o.HTTPSignerV4 = fixedClock{o.HTTPSignerV4}
		o.IdempotencyTokenProvider = fixedToken{}
	}}, fns...)
	return s3.NewFromConfig(cfg, fns...)
}

func newS3Presign(cfg aws.Config, fns ...func(*s3.Options)) *s3.PresignClient {
	return s3.NewPresignClient(newS3(cfg, fns...), func(o *s3.PresignOptions) {
		o.Presigner = fixedPresignClock{v4.NewSigner(func(so *v4.SignerOptions) { so.DisableURIPathEscaping = true })}
	})
}

func setPresigned(p *v4.PresignedHTTPRequest) {
	presigned = &presignedReq{method: p.Method, url: p.URL, header: p.SignedHeader}
}

// s3c builds an S3 call.
func s3c(op, variant, note string, fn func(ctx context.Context, cfg aws.Config) error) call {
	return call{pkg: "s3", serviceID: "S3", protocol: "rest-xml", op: op, variant: variant, note: note, fn: fn}
}

func s3Calls() []call {
	pathStyle := func(o *s3.Options) { o.UsePathStyle = true }
	lockUntil := time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)
	body := func(s string) *bytes.Reader { return bytes.NewReader([]byte(s)) }
	csv := "date,region,total\n2026-01-01,us-east-1,42\n2026-01-02,eu-west-1,17\n"
	calls := []call{
		s3c("ListBuckets", "", "", func(ctx context.Context, cfg aws.Config) error {
			_, err := newS3(cfg).ListBuckets(ctx, &s3.ListBucketsInput{})
			return err
		}),
		s3c("ListBuckets", "prefix-region", "ListBuckets with Prefix, BucketRegion and MaxBuckets", func(ctx context.Context, cfg aws.Config) error {
			_, err := newS3(cfg).ListBuckets(ctx, &s3.ListBucketsInput{Prefix: aws.String("example-"), BucketRegion: aws.String("eu-west-1"), MaxBuckets: aws.Int32(100)})
			return err
		}),
		s3c("ListObjects", "", "virtual-hosted, prefix and delimiter", func(ctx context.Context, cfg aws.Config) error {
			_, err := newS3(cfg).ListObjects(ctx, &s3.ListObjectsInput{Bucket: aws.String(bucket), Prefix: aws.String("reports/"), Delimiter: aws.String("/")})
			return err
		}),
		s3c("ListObjects", "path-style", "UsePathStyle", func(ctx context.Context, cfg aws.Config) error {
			_, err := newS3(cfg, pathStyle).ListObjects(ctx, &s3.ListObjectsInput{Bucket: aws.String(bucket), Marker: aws.String("reports/2025/")})
			return err
		}),
		s3c("ListObjectsV2", "", "virtual-hosted, list-type=2", func(ctx context.Context, cfg aws.Config) error {
			_, err := newS3(cfg).ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String("reports/2026/"), MaxKeys: aws.Int32(50)})
			return err
		}),
		s3c("ListObjectsV2", "path-style", "UsePathStyle, continuation token", func(ctx context.Context, cfg aws.Config) error {
			_, err := newS3(cfg, pathStyle).ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), ContinuationToken: aws.String("1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM="), StartAfter: aws.String("reports/")})
			return err
		}),
		s3c("ListObjectsV2", "dotted-bucket", "bucket name with dots (not virtual-hostable over TLS)", func(ctx context.Context, cfg aws.Config) error {
			_, err := newS3(cfg).ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("logs.example.com")})
			return err
		}),
		s3c("ListObjectsV2", "access-point-arn", "access point ARN as Bucket", func(ctx context.Context, cfg aws.Config) error {
			_, err := newS3(cfg).ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(apARN), Prefix: aws.String("shared/")})
			return err
		}),
		s3c("HeadBucket", "", "", func(ctx context.Context, cfg aws.Config) error {
			_, err := newS3(cfg).HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(bucket), ExpectedBucketOwner: aws.String(account)})
			return err
		}),
		s3c("HeadObject", "", "", func(ctx context.Context, cfg aws.Config) error {
			_, err := newS3(cfg).HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(objKey)})
			return err
		}),
		s3c("HeadObject", "versionId", "", func(ctx context.Context, cfg aws.Config) error {
			_, err := newS3(cfg).HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(objKey), VersionId: aws.String(versionID)})
			return err
		}),
		s3c("GetObject", "", "virtual-hosted", func(ctx context.Context, cfg aws.Config) error {
			_, err := newS3(cfg).GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(objKey)})
			return err
		}),
		s3c("GetObject", "versionId", "virtual-hosted, versionId", func(ctx context.Context, cfg aws.Config) error {
			_, err := newS3(cfg).GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(objKey), VersionId: aws.String(versionID)})
			return err
		}),
		s3c("GetObject", "range", "Range header and response overrides", func(ctx context.Context, cfg aws.Config) error {
			_, err := newS3(cfg).GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(objKey), Range: aws.String("bytes=0-1023"), ResponseContentType: aws.String("text/plain"), IfMatch: aws.String(`"0123456789abcdef0123456789abcdef"`)})
			return err
		}),
		s3c("GetObject", "path-style", "UsePathStyle", func(ctx context.Context, cfg aws.Config) error {
			_, err := newS3(cfg, pathStyle).GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(objKey)})
			return err
		}),
		s3c("GetObject", "special-key", "key with spaces, unicode, plus, tilde and consecutive slashes", func(ctx context.Context, cfg aws.Config) error {
			_, err := newS3(cfg).GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("my folder//naïve résumé+v1~final (1).pdf")})
			return err
		}),
		s3c("GetObject", "access-point-arn", "access point ARN as Bucket", func(ctx context.Context, cfg aws.Config) error {
			_, err := newS3(cfg).GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(apARN), Key: aws.String("shared/data.json")})
			return err
		}),
		s3c("GetObject", "object-lambda-arn", "S3 Object Lambda access point ARN as Bucket (signing name s3-object-lambda)", func(ctx context.Context, cfg aws.Config) error {
			_, err := newS3(cfg).GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(olapARN), Key: aws.String("customers.csv")})
			return err
		}),
		s3c("GetObject", "accelerate", "UseAccelerate", func(ctx context.Context, cfg aws.Config) error {
			_, err := newS3(cfg, func(o *s3.Options) { o.UseAccelerate = true }).GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(objKey)})
			return err
		}),
		s3c("GetObject", "dualstack", "UseDualStackEndpoint", func(ctx context.Context, cfg aws.Config) error {
			_, err := newS3(cfg, func(o *s3.Options) { o.EndpointOptions.UseDualStackEndpoint = aws.DualStackEndpointStateEnabled }).GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(objKey)})
			return err
		}),
		s3c("GetObject", "checksum-mode", "ChecksumMode ENABLED, ExpectedBucketOwner", func(ctx context.Context, cfg aws.Config) error {
			_, err := newS3(cfg).GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(objKey), ChecksumMode: types.ChecksumModeEnabled, ExpectedBucketOwner: aws.String(account)})
			return err
		}),
		s3c("PutObject", "", "virtual-hosted, small body", func(ctx context.Context, cfg aws.Config) error {
			_, err := newS3(cfg).PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(objKey), Body: body(csv), ContentType: aws.String("text/csv")})
			return err
		}),
		s3c("PutObject", "acl", "canned ACL bucket-owner-full-control", func(ctx context.Context, cfg aws.Config) error {
			_, err := newS3(cfg).PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("public/index.html"), Body: body("<html></html>"), ACL: types.ObjectCannedACLBucketOwnerFullControl, ContentType: aws.String("text/html")})
			return err
		}),
		s3c("PutObject", "grants", "x-amz-grant-read and x-amz-grant-full-control", func(ctx context.Context, cfg aws.Config) error {
			_, err := newS3(cfg).PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("shared/report.pdf"), Body: body("%PDF-1.4"), GrantRead: aws.String(`uri="http://acs.amazonaws.com/groups/global/AllUsers"`), GrantFullControl: aws.String(`id="79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"`)})
			return err
		}),
		s3c("PutObject", "tagging", "x-amz-tagging", func(ctx context.Context, cfg aws.Config) error {
			_, err := newS3(cfg).PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(objKey), Body: body(csv), Tagging: aws.String("project=atlas&classification=internal")})
			return err
		}),
		s3c("PutObject", "object-lock", "object lock mode, retain-until date and legal hold", func(ctx context.Context, cfg aws.Config) error {
			_, err := newS3(cfg).PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("example-locked-bucket"), Key: aws.String("audit/2026-01-15.log"), Body: body("audit line\n"), ObjectLockMode: types.ObjectLockModeGovernance, ObjectLockRetainUntilDate: &lockUntil, ObjectLockLegalHoldStatus: types.ObjectLockLegalHoldStatusOn})
			return err
		}),
		s3c("PutObject", "sse-kms", "SSE-KMS with key id, encryption context and bucket key", func(ctx context.Context, cfg aws.Config) error {
			_, err := newS3(cfg).PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("secure/data.bin"), Body: body("secret-ish"), ServerSideEncryption: types.ServerSideEncryptionAwsKms, SSEKMSKeyId: aws.String(kmsKeyARN), SSEKMSEncryptionContext: aws.String("eyJhcHAiOiJleGFtcGxlIn0="), BucketKeyEnabled: aws.Bool(true)})
			return err
		}),
		s3c("PutObject", "sse-c", "SSE-C customer key headers", func(ctx context.Context, cfg aws.Config) error {
			_, err := newS3(cfg).PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("secure/customer-key.bin"), Body: body("data"), SSECustomerAlgorithm: aws.String("AES256"), SSECustomerKey: aws.String("MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="), SSECustomerKeyMD5: aws.String("DWygnHRtgiJ77HCm+1rvHw==")})
			return err
		}),
		s3c("PutObject", "metadata", "user metadata, storage class, cache control", func(ctx context.Context, cfg aws.Config) error {
			_, err := newS3(cfg).PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("assets/logo.png"), Body: body("\x89PNG\r\n"), Metadata: map[string]string{"uploaded-by": "ci", "build": "1234"}, StorageClass: types.StorageClassStandardIa, CacheControl: aws.String("max-age=3600"), ContentType: aws.String("image/png")})
			return err
		}),
		s3c("PutObject", "streaming", "unseekable body: aws-chunked with trailing checksum", func(ctx context.Context, cfg aws.Config) error {
			_, err := newS3(cfg).PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("stream/upload.txt"), Body: onlyReader{strings.NewReader(csv)}, ContentLength: aws.Int64(int64(len(csv)))})
			return err
		}),
		s3c("PutObject", "path-style", "UsePathStyle", func(ctx context.Context, cfg aws.Config) error {
			_, err := newS3(cfg, pathStyle).PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(objKey), Body: body(csv)})
			return err
		}),
		s3c("PutObject", "access-point-arn", "access point ARN as Bucket", func(ctx context.Context, cfg aws.Config) error {
			_, err := newS3(cfg).PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(apARN), Key: aws.String("shared/upload.json"), Body: body(`{"ok":true}`)})
			return err
		}),
		s3c("CopyObject", "", "x-amz-copy-source", func(ctx context.Context, cfg aws.Config) error {
			_, err := newS3(cfg).CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("example-backup-bucket"), Key: aws.String("backup/" + objKey), CopySource: aws.String(bucket + "/" + objKey)})
			return err
		}),
		s3c("CopyObject", "versionId-tagging", "copy source with versionId, tagging directive REPLACE, SSE-KMS", func(ctx context.Context, cfg aws.Config) error {
			_, err := newS3(cfg).CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("example-backup-bucket"), Key: aws.String("backup/summary.csv"), CopySource: aws.String(bucket + "/" + objKey + "?versionId=" + versionID), TaggingDirective: types.TaggingDirectiveReplace, Tagging: aws.String("retention=long"), MetadataDirective: types.MetadataDirectiveCopy, ServerSideEncryption: types.ServerSideEncryptionAwsKms, SSEKMSKeyId: aws.String(kmsKeyARN)})
			return err
		}),
		s3c("CreateMultipartUpload", "", "", func(ctx context.Context, cfg aws.Config) error {
			_, err := newS3(cfg).CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String("big/archive.tar"), ContentType: aws.String("application/x-tar"), ServerSideEncryption: types.ServerSideEncryptionAes256})
			return err
		}),
		s3c("UploadPart", "", "", func(ctx context.Context, cfg aws.Config) error {
			_, err := newS3(cfg).UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String(bucket), Key: aws.String("big/archive.tar"), UploadId: aws.String(uploadID), PartNumber: aws.Int32(1), Body: body(strings.Repeat("part-one ", 64))})
			return err
		}),
		s3c("UploadPartCopy", "", "x-amz-copy-source with range", func(ctx context.Context, cfg aws.Config) error {
			_, err := newS3(cfg).UploadPartCopy(ctx, &s3.UploadPartCopyInput{Bucket: aws.String(bucket), Key: aws.String("big/archive.tar"), UploadId: aws.String(uploadID), PartNumber: aws.Int32(2), CopySource: aws.String("example-source-bucket/big/part2.bin"), CopySourceRange: aws.String("bytes=0-5242879")})
			return err
		}),
		s3c("CompleteMultipartUpload", "", "", func(ctx context.Context, cfg aws.Config) error {
			_, err := newS3(cfg).CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String("big/archive.tar"), UploadId: aws.String(uploadID), MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{{ETag: aws.String(`"7778aef83f66abc1fa1e8477f296d394"`), PartNumber: aws.Int32(1)}, {ETag: aws.String(`"aaaa18db4cc2f85cedef654fccc4a4d8"`), PartNumber: aws.Int32(2)}}}})
			return err
		}),
		s3c("AbortMultipartUpload", "", "", func(ctx context.Context, cfg aws.Config) error {
			_, err := newS3(cfg).AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String("big/archive.tar"), UploadId: aws.String(uploadID)})
			return err
		}),
		s3c("ListMultipartUploads", "", "", func(ctx context.Context, cfg aws.Config) error {
			_, err := newS3(cfg).ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: aws.String(bucket), Prefix: aws.String("big/")})
			return err
		}),
		s3c("ListParts", "", "", func(ctx context.Context, cfg aws.Config) error {
			_, err := newS3(cfg).ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String(bucket), Key: aws.String("big/archive.tar"), UploadId: aws.String(uploadID)})
			return err
		}),
		s3c("DeleteObject", "", "", func(ctx context.Context, cfg aws.Config) error {
			_, err := newS3(cfg).DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String(objKey)})
			return err
		}),
		s3c("DeleteObject", "versionId", "versionId and bypass governance retention", func(ctx context.Context, cfg aws.Config) error {
			_, err := newS3(cfg).DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String(objKey), VersionId: aws.String(versionID), BypassGovernanceRetention: aws.Bool(true)})
			return err
		}),
		s3c("DeleteObjects", "", "", func(ctx context.Context, cfg aws.Config) error {
			_, err := newS3(cfg).DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String(bucket), Delete: &types.Delete{Objects: []types.ObjectIdentifier{{Key: aws.String("tmp/a.txt")}, {Key: aws.String("tmp/b.txt"), VersionId: aws.String(versionID)}}, Quiet: aws.Bool(true)}})
			return err
		}),
		s3c("GetBucketPolicy", "", "", func(ctx context.Context, cfg aws.Config) error {
			_, err := newS3(cfg).GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: aws.String(bucket)})
			return err
		}),
		s3c("PutBucketPolicy", "", "", func(ctx context.Context, cfg aws.Config) error {
			_, err := newS3(cfg).PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String(bucket), Policy: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:role/app-role"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::example-app-bucket/*"}]}`)})
			return err
		}),
		s3c("DeleteBucketPolicy", "", "", func(ctx context.Context, cfg aws.Config) error {
			_, err := newS3(cfg).DeleteBucketPolicy(ctx, &s3.DeleteBucketPolicyInput{Bucket: aws.String(bucket)})
			return err
		}),
		s3c("GetBucketAcl", "", "", func(ctx context.Context, cfg aws.Config) error {
			_, err := newS3(cfg).GetBucketAcl(ctx, &s3.GetBucketAclInput{Bucket: aws.String(bucket)})
			return err
		}),
		s3c("PutBucketAcl", "", "canned ACL private", func(ctx context.Context, cfg aws.Config) error {
			_, err := newS3(cfg).PutBucketAcl(ctx, &s3.PutBucketAclInput{Bucket: aws.String(bucket), ACL: types.BucketCannedACLPrivate})
			return err
		}),
		s3c("PutBucketAcl", "grants", "grant headers", func(ctx context.Context, cfg aws.Config) error {
			_, err := newS3(cfg).PutBucketAcl(ctx, &s3.PutBucketAclInput{Bucket: aws.String(bucket), GrantRead: aws.String(`id="79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"`), GrantWrite: aws.String(`uri="http://acs.amazonaws.com/groups/s3/LogDelivery"`)})
			return err
		}),
		s3c("GetObjectAcl", "", "", func(ctx context.Context, cfg aws.Config) error {
			_, err := newS3(cfg).GetObjectAcl(ctx, &s3.GetObjectAclInput{Bucket: aws.String(bucket), Key: aws.String(objKey)})
			return err
		}),
		s3c("PutObjectAcl", "", "", func(ctx context.Context, cfg aws.Config) error {
			_, err := newS3(cfg).PutObjectAcl(ctx, &s3.PutObjectAclInput{Bucket: aws.String(bucket), Key: aws.String(objKey), ACL: types.ObjectCannedACLPublicRead})
			return err
		}),
		s3c("GetBucketLocation", "", "", func(ctx context.Context, cfg aws.Config) error {
			_, err := newS3(cfg).GetBucketLocation(ctx, &s3.GetBucketLocationInput{Bucket: aws.String(bucket)})
			return err
		}),
		s3c("CreateBucket", "", "eu-west-1 location constraint, object lock enabled", func(ctx context.Context, cfg aws.Config) error {
			_, err := newS3(cfg).CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("example-new-bucket"), CreateBucketConfiguration: &types.CreateBucketConfiguration{LocationConstraint: types.BucketLocationConstraintEuWest1}, ObjectLockEnabledForBucket: aws.Bool(true)})
			return err
		}),
		s3c("DeleteBucket", "", "", func(ctx context.Context, cfg aws.Config) error {
			_, err := newS3(cfg).DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String("example-old-bucket")})
			return err
		}),
		s3c("PutBucketTagging", "", "", func(ctx context.Context, cfg aws.Config) error {
			_, err := newS3(cfg).PutBucketTagging(ctx, &s3.PutBucketTaggingInput{Bucket: aws.String(bucket), Tagging: &types.Tagging{TagSet: []types.Tag{{Key: aws.String("team"), Value: aws.String("platform")}, {Key: aws.String("env"), Value: aws.String("prod")}}}})
			return err
		}),
		s3c("GetBucketTagging", "", "", func(ctx context.Context, cfg aws.Config) error {
			_, err := newS3(cfg).GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: aws.String(bucket)})
			return err
		}),
		s3c("GetObjectTagging", "", "", func(ctx context.Context, cfg aws.Config) error {
			_, err := newS3(cfg).GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: aws.String(bucket), Key: aws.String(objKey), VersionId: aws.String(versionID)})
			return err
		}),
		s3c("PutObjectTagging", "", "", func(ctx context.Context, cfg aws.Config) error {
			_, err := newS3(cfg).PutObjectTagging(ctx, &s3.PutObjectTaggingInput{Bucket: aws.String(bucket), Key: aws.String(objKey), Tagging: &types.Tagging{TagSet: []types.Tag{{Key: aws.String("classification"), Value: aws.String("confidential")}}}})
			return err
		}),
		s3c("GetBucketLifecycleConfiguration", "", "", func(ctx context.Context, cfg aws.Config) error {
			_, err := newS3(cfg).GetBucketLifecycleConfiguration(ctx, &s3.GetBucketLifecycleConfigurationInput{Bucket: aws.String(bucket)})
			return err
		}),
		s3c("PutBucketLifecycleConfiguration", "", "", func(ctx context.Context, cfg aws.Config) error {
			_, err := newS3(cfg).PutBucketLifecycleConfiguration(ctx, &s3.PutBucketLifecycleConfigurationInput{Bucket: aws.String(bucket), LifecycleConfiguration: &types.BucketLifecycleConfiguration{Rules: []types.LifecycleRule{{ID: aws.String("expire-tmp"), Status: types.ExpirationStatusEnabled, Filter: &types.LifecycleRuleFilter{Prefix: aws.String("tmp/")}, Expiration: &types.LifecycleExpiration{Days: aws.Int32(7)}}}}})
			return err
		}),
		s3c("GetBucketNotificationConfiguration", "", "", func(ctx context.Context, cfg aws.Config) error {
			_, err := newS3(cfg).GetBucketNotificationConfiguration(ctx, &s3.GetBucketNotificationConfigurationInput{Bucket: aws.String(bucket)})
			return err
		}),
		s3c("PutBucketNotificationConfiguration", "", "Lambda, SQS and SNS destinations", func(ctx context.Context, cfg aws.Config) error {
			_, err := newS3(cfg).PutBucketNotificationConfiguration(ctx, &s3.PutBucketNotificationConfigurationInput{Bucket: aws.String(bucket), NotificationConfiguration: &types.NotificationConfiguration{
				LambdaFunctionConfigurations: []types.LambdaFunctionConfiguration{{LambdaFunctionArn: aws.String("arn:aws:lambda:us-east-1:123456789012:function:thumbnailer"), Events: []types.Event{"s3:ObjectCreated:*"}}},
				QueueConfigurations:          []types.QueueConfiguration{{QueueArn: aws.String("arn:aws:sqs:us-east-1:123456789012:uploads"), Events: []types.Event{"s3:ObjectRemoved:*"}}},
				TopicConfigurations:          []types.TopicConfiguration{{TopicArn: aws.String("arn:aws:sns:us-east-1:123456789012:bucket-events"), Events: []types.Event{"s3:ObjectRestore:Completed"}}},
			}})
			return err
		}),
		s3c("ListObjectVersions", "", "", func(ctx context.Context, cfg aws.Config) error {
			_, err := newS3(cfg).ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: aws.String(bucket), Prefix: aws.String("reports/"), KeyMarker: aws.String("reports/2025/"), VersionIdMarker: aws.String(versionID)})
			return err
		}),
		s3c("GetBucketVersioning", "", "", func(ctx context.Context, cfg aws.Config) error {
			_, err := newS3(cfg).GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: aws.String(bucket)})
			return err
		}),
		s3c("PutBucketVersioning", "", "", func(ctx context.Context, cfg aws.Config) error {
			_, err := newS3(cfg).PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String(bucket), VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}})
			return err
		}),
		s3c("PutBucketEncryption", "", "default SSE-KMS", func(ctx context.Context, cfg aws.Config) error {
			_, err := newS3(cfg).PutBucketEncryption(ctx, &s3.PutBucketEncryptionInput{Bucket: aws.String(bucket), ServerSideEncryptionConfiguration: &types.ServerSideEncryptionConfiguration{Rules: []types.ServerSideEncryptionRule{{ApplyServerSideEncryptionByDefault: &types.ServerSideEncryptionByDefault{SSEAlgorithm: types.ServerSideEncryptionAwsKms, KMSMasterKeyID: aws.String(kmsKeyARN)}, BucketKeyEnabled: aws.Bool(true)}}}})
			return err
		}),
		s3c("GetPublicAccessBlock", "", "bucket-level public access block", func(ctx context.Context, cfg aws.Config) error {
			_, err := newS3(cfg).GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: aws.String(bucket)})
			return err
		}),
		s3c("PutObjectRetention", "", "", func(ctx context.Context, cfg aws.Config) error {
			_, err := newS3(cfg).PutObjectRetention(ctx, &s3.PutObjectRetentionInput{Bucket: aws.String("example-locked-bucket"), Key: aws.String("audit/2026-01-15.log"), Retention: &types.ObjectLockRetention{Mode: types.ObjectLockRetentionModeCompliance, RetainUntilDate: &lockUntil}})
			return err
		}),
		s3c("PutObjectLegalHold", "", "", func(ctx context.Context, cfg aws.Config) error {
			_, err := newS3(cfg).PutObjectLegalHold(ctx, &s3.PutObjectLegalHoldInput{Bucket: aws.String("example-locked-bucket"), Key: aws.String("audit/2026-01-15.log"), LegalHold: &types.ObjectLockLegalHold{Status: types.ObjectLockLegalHoldStatusOn}})
			return err
		}),
		s3c("RestoreObject", "", "", func(ctx context.Context, cfg aws.Config) error {
			_, err := newS3(cfg).RestoreObject(ctx, &s3.RestoreObjectInput{Bucket: aws.String(bucket), Key: aws.String("archive/2019.tar"), RestoreRequest: &types.RestoreRequest{Days: aws.Int32(2), GlacierJobParameters: &types.GlacierJobParameters{Tier: types.TierStandard}}})
			return err
		}),
		s3c("GetObjectAttributes", "", "", func(ctx context.Context, cfg aws.Config) error {
			_, err := newS3(cfg).GetObjectAttributes(ctx, &s3.GetObjectAttributesInput{Bucket: aws.String(bucket), Key: aws.String(objKey), ObjectAttributes: []types.ObjectAttributes{types.ObjectAttributesEtag, types.ObjectAttributesObjectSize, types.ObjectAttributesChecksum}})
			return err
		}),
		s3c("SelectObjectContent", "", "", func(ctx context.Context, cfg aws.Config) error {
			_, err := newS3(cfg).SelectObjectContent(ctx, &s3.SelectObjectContentInput{Bucket: aws.String(bucket), Key: aws.String(objKey), Expression: aws.String("SELECT s.region FROM S3Object s WHERE s.total > '10'"), ExpressionType: types.ExpressionTypeSql,
				InputSerialization:  &types.InputSerialization{CSV: &types.CSVInput{FileHeaderInfo: types.FileHeaderInfoUse}},
				OutputSerialization: &types.OutputSerialization{JSON: &types.JSONOutput{}}})
			return err
		}),
		// Directory buckets (S3 Express One Zone).
		s3c("ListDirectoryBuckets", "", "s3express-control endpoint", func(ctx context.Context, cfg aws.Config) error {
			_, err := newS3(cfg).ListDirectoryBuckets(ctx, &s3.ListDirectoryBucketsInput{})
			return err
		}),
		s3c("GetObject", "directory-bucket", "s3express directory bucket: zonal endpoint, session token", func(ctx context.Context, cfg aws.Config) error {
			_, err := newS3(cfg).GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(expressB), Key: aws.String("shard/0001.parquet")})
			return err
		}),
		s3c("PutObject", "directory-bucket", "s3express directory bucket: zonal endpoint, session token", func(ctx context.Context, cfg aws.Config) error {
			_, err := newS3(cfg).PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(expressB), Key: aws.String("shard/0002.parquet"), Body: body("PAR1")})
			return err
		}),
		s3c("ListObjectsV2", "directory-bucket", "s3express directory bucket", func(ctx context.Context, cfg aws.Config) error {
			_, err := newS3(cfg).ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(expressB), Prefix: aws.String("shard/")})
			return err
		}),
		s3c("CreateBucket", "directory-bucket", "s3express-control endpoint, directory bucket configuration", func(ctx context.Context, cfg aws.Config) error {
			_, err := newS3(cfg).CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("new-fast--use1-az4--x-s3"), CreateBucketConfiguration: &types.CreateBucketConfiguration{
				Location: &types.LocationInfo{Type: types.LocationTypeAvailabilityZone, Name: aws.String("use1-az4")},
				Bucket:   &types.BucketInfo{Type: types.BucketTypeDirectory, DataRedundancy: types.DataRedundancySingleAvailabilityZone}}})
			return err
		}),
		// Presigned URLs: nothing is sent; the URL is recorded as a request.
		s3c("GetObject", "presigned", "presigned URL (s3.NewPresignClient), no Authorization header", func(ctx context.Context, cfg aws.Config) error {
			p, err := newS3Presign(cfg).PresignGetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(objKey)}, s3.WithPresignExpires(15*time.Minute))
			if err == nil {
				setPresigned(p)
			}
			return err
		}),
		s3c("GetObject", "presigned-versionId", "presigned URL with versionId and response-content-disposition", func(ctx context.Context, cfg aws.Config) error {
			p, err := newS3Presign(cfg).PresignGetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(objKey), VersionId: aws.String(versionID), ResponseContentDisposition: aws.String(`attachment; filename="summary.csv"`)})
			if err == nil {
				setPresigned(p)
			}
			return err
		}),
		s3c("PutObject", "presigned", "presigned PUT URL with content type", func(ctx context.Context, cfg aws.Config) error {
			p, err := newS3Presign(cfg).PresignPutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("uploads/incoming.json"), ContentType: aws.String("application/json")}, s3.WithPresignExpires(time.Hour))
			if err == nil {
				setPresigned(p)
			}
			return err
		}),
		s3c("HeadObject", "presigned-path-style", "presigned HEAD URL, UsePathStyle", func(ctx context.Context, cfg aws.Config) error {
			p, err := newS3Presign(cfg, pathStyle).PresignHeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(objKey)})
			if err == nil {
				setPresigned(p)
			}
			return err
		}),
		s3c("UploadPart", "presigned", "presigned UploadPart URL", func(ctx context.Context, cfg aws.Config) error {
			p, err := newS3Presign(cfg).PresignUploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String(bucket), Key: aws.String("big/archive.tar"), UploadId: aws.String(uploadID), PartNumber: aws.Int32(3)})
			if err == nil {
				setPresigned(p)
			}
			return err
		}),
	}
	// Other partitions and regions.
	regional := []call{
		s3c("ListObjectsV2", "eu-west-1", "", func(ctx context.Context, cfg aws.Config) error {
			_, err := newS3(cfg).ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("example-eu-bucket")})
			return err
		}),
		s3c("GetObject", "cn-north-1", "aws-cn partition", func(ctx context.Context, cfg aws.Config) error {
			_, err := newS3(cfg).GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("example-cn-bucket"), Key: aws.String(objKey)})
			return err
		}),
		s3c("PutObject", "us-gov-west-1", "aws-us-gov partition", func(ctx context.Context, cfg aws.Config) error {
			_, err := newS3(cfg).PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("example-gov-bucket"), Key: aws.String(objKey), Body: body(csv)})
			return err
		}),
		s3c("GetObject", "us-gov-west-1-fips", "UseFIPSEndpoint", func(ctx context.Context, cfg aws.Config) error {
			_, err := newS3(cfg, func(o *s3.Options) { o.EndpointOptions.UseFIPSEndpoint = aws.FIPSEndpointStateEnabled }).GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("example-gov-bucket"), Key: aws.String(objKey)})
			return err
		}),
		s3c("GetObject", "presigned-eu-west-1", "presigned URL in eu-west-1", func(ctx context.Context, cfg aws.Config) error {
			p, err := newS3Presign(cfg).PresignGetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("example-eu-bucket"), Key: aws.String(objKey)})
			if err == nil {
				setPresigned(p)
			}
			return err
		}),
	}
	regions := []string{"eu-west-1", "cn-north-1", "us-gov-west-1", "us-gov-west-1", "eu-west-1"}
	for i := range regional {
		regional[i].region = regions[i]
	}
	calls = append(calls, regional...)

	// S3 Control: {AccountId}. host prefix.
	s3ctl := func(op, variant, note string, fn func(ctx context.Context, c *s3control.Client) error) call {
		return call{pkg: "s3control", serviceID: "S3 Control", protocol: "rest-xml", op: op, variant: variant, note: note, fn: func(ctx context.Context, cfg aws.Config) error {
			return fn(ctx, s3control.NewFromConfig(cfg, func(o *s3control.Options) {
				o.HTTPSignerV4 = fixedClock{o.HTTPSignerV4}
				o.IdempotencyTokenProvider = fixedToken{}
			}))
		}}
	}
	calls = append(calls,
		s3ctl("ListAccessPoints", "", "{AccountId}. host prefix", func(ctx context.Context, c *s3control.Client) error {
			_, err := c.ListAccessPoints(ctx, &s3control.ListAccessPointsInput{AccountId: aws.String(account), Bucket: aws.String(bucket)})
			return err
		}),
		s3ctl("GetPublicAccessBlock", "", "account-level public access block", func(ctx context.Context, c *s3control.Client) error {
			_, err := c.GetPublicAccessBlock(ctx, &s3control.GetPublicAccessBlockInput{AccountId: aws.String(account)})
			return err
		}),
		s3ctl("PutPublicAccessBlock", "", "", func(ctx context.Context, c *s3control.Client) error {
			_, err := c.PutPublicAccessBlock(ctx, &s3control.PutPublicAccessBlockInput{AccountId: aws.String(account), PublicAccessBlockConfiguration: &s3ctypes.PublicAccessBlockConfiguration{BlockPublicAcls: aws.Bool(true), BlockPublicPolicy: aws.Bool(true), IgnorePublicAcls: aws.Bool(true), RestrictPublicBuckets: aws.Bool(true)}})
			return err
		}),
		s3ctl("CreateAccessPoint", "", "", func(ctx context.Context, c *s3control.Client) error {
			_, err := c.CreateAccessPoint(ctx, &s3control.CreateAccessPointInput{AccountId: aws.String(account), Name: aws.String("app-ap"), Bucket: aws.String(bucket), VpcConfiguration: &s3ctypes.VpcConfiguration{VpcId: aws.String("vpc-0abc1234def567890")}})
			return err
		}),
		s3ctl("GetAccessPointPolicy", "", "", func(ctx context.Context, c *s3control.Client) error {
			_, err := c.GetAccessPointPolicy(ctx, &s3control.GetAccessPointPolicyInput{AccountId: aws.String(account), Name: aws.String("app-ap")})
			return err
		}),
		s3ctl("GetAccessPoint", "outposts-arn", "S3 on Outposts access point ARN: s3-outposts endpoint and signing name", func(ctx context.Context, c *s3control.Client) error {
			_, err := c.GetAccessPoint(ctx, &s3control.GetAccessPointInput{AccountId: aws.String(account), Name: aws.String("arn:aws:s3-outposts:us-east-1:123456789012:outpost/op-01ac5d28a6a232904/accesspoint/app-ap")})
			return err
		}),
		s3ctl("ListJobs", "", "S3 Batch Operations", func(ctx context.Context, c *s3control.Client) error {
			_, err := c.ListJobs(ctx, &s3control.ListJobsInput{AccountId: aws.String(account), JobStatuses: []s3ctypes.JobStatus{s3ctypes.JobStatusActive}})
			return err
		}),
	)
	return calls
}
