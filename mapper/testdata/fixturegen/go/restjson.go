package main

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	apigwv2types "github.com/aws/aws-sdk-go-v2/service/apigatewayv2/types"
	"github.com/aws/aws-sdk-go-v2/service/batch"
	batchtypes "github.com/aws/aws-sdk-go-v2/service/batch/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudfront"
	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudfront/types"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	ekstypes "github.com/aws/aws-sdk-go-v2/service/eks/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	r53types "github.com/aws/aws-sdk-go-v2/service/route53/types"
)

type fnCall = func(ctx context.Context, cfg aws.Config) error

func mk(pkg, serviceID, protocol string) func(op, variant, note string, fn fnCall) call {
	return func(op, variant, note string, fn fnCall) call {
		return call{pkg: pkg, serviceID: serviceID, protocol: protocol, op: op, variant: variant, note: note, fn: fn}
	}
}

const (
	appRole   = "arn:aws:iam::123456789012:role/app-role"
	lambdaFn  = "order-processor"
	layerARN  = "arn:aws:lambda:us-east-1:123456789012:layer:shared-libs:7"
	hostedZ   = "Z0123456789ABCDEFGHIJ"
	distID    = "E2QWRUHEXAMPLE"
	restAPIID = "a1b2c3d4e5"
)

func restCalls() []call {
	r53 := mk("route53", "Route 53", "rest-xml")
	cf := mk("cloudfront", "CloudFront", "rest-xml")
	lam := mk("lambda", "Lambda", "rest-json")
	apigw := mk("apigateway", "API Gateway", "rest-json")
	apigw2 := mk("apigatewayv2", "ApiGatewayV2", "rest-json")
	ek := mk("eks", "EKS", "rest-json")
	bat := mk("batch", "Batch", "rest-json")
	newR53 := func(cfg aws.Config) *route53.Client { return route53.NewFromConfig(cfg, fix[route53.Options]) }
	newCF := func(cfg aws.Config) *cloudfront.Client { return cloudfront.NewFromConfig(cfg, fix[cloudfront.Options]) }
	newLam := func(cfg aws.Config) *lambda.Client { return lambda.NewFromConfig(cfg, fix[lambda.Options]) }
	newAPIGW := func(cfg aws.Config) *apigateway.Client { return apigateway.NewFromConfig(cfg, fix[apigateway.Options]) }
	newAPIGW2 := func(cfg aws.Config) *apigatewayv2.Client {
		return apigatewayv2.NewFromConfig(cfg, fix[apigatewayv2.Options])
	}
	newEKS := func(cfg aws.Config) *eks.Client { return eks.NewFromConfig(cfg, fix[eks.Options]) }
	newBatch := func(cfg aws.Config) *batch.Client { return batch.NewFromConfig(cfg, fix[batch.Options]) }

	return []call{
		// Route 53 (global, rest-xml).
		r53("ListHostedZones", "", "global endpoint route53.amazonaws.com", func(ctx context.Context, cfg aws.Config) error {
			_, err := newR53(cfg).ListHostedZones(ctx, &route53.ListHostedZonesInput{MaxItems: aws.Int32(50)})
			return err
		}),
		r53("GetHostedZone", "", "", func(ctx context.Context, cfg aws.Config) error {
			_, err := newR53(cfg).GetHostedZone(ctx, &route53.GetHostedZoneInput{Id: aws.String(hostedZ)})
			return err
		}),
		r53("CreateHostedZone", "", "", func(ctx context.Context, cfg aws.Config) error {
			_, err := newR53(cfg).CreateHostedZone(ctx, &route53.CreateHostedZoneInput{Name: aws.String("example.com."), CallerReference: aws.String("2026-01-15-example"), HostedZoneConfig: &r53types.HostedZoneConfig{Comment: aws.String("app zone")}})
			return err
		}),
		r53("ChangeResourceRecordSets", "", "UPSERT an A record", func(ctx context.Context, cfg aws.Config) error {
			_, err := newR53(cfg).ChangeResourceRecordSets(ctx, &route53.ChangeResourceRecordSetsInput{HostedZoneId: aws.String("/hostedzone/" + hostedZ), ChangeBatch: &r53types.ChangeBatch{Changes: []r53types.Change{{Action: r53types.ChangeActionUpsert, ResourceRecordSet: &r53types.ResourceRecordSet{Name: aws.String("api.example.com."), Type: r53types.RRTypeA, TTL: aws.Int64(300), ResourceRecords: []r53types.ResourceRecord{{Value: aws.String("192.0.2.10")}}}}}}})
			return err
		}),
		r53("ListResourceRecordSets", "", "", func(ctx context.Context, cfg aws.Config) error {
			_, err := newR53(cfg).ListResourceRecordSets(ctx, &route53.ListResourceRecordSetsInput{HostedZoneId: aws.String(hostedZ), StartRecordName: aws.String("api.example.com."), StartRecordType: r53types.RRTypeA})
			return err
		}),
		r53("ChangeTagsForResource", "", "", func(ctx context.Context, cfg aws.Config) error {
			_, err := newR53(cfg).ChangeTagsForResource(ctx, &route53.ChangeTagsForResourceInput{ResourceId: aws.String(hostedZ), ResourceType: r53types.TagResourceTypeHostedzone, AddTags: []r53types.Tag{{Key: aws.String("team"), Value: aws.String("platform")}}})
			return err
		}),

		// CloudFront (global, rest-xml, dated operation names).
		cf("ListDistributions", "", "", func(ctx context.Context, cfg aws.Config) error {
			_, err := newCF(cfg).ListDistributions(ctx, &cloudfront.ListDistributionsInput{MaxItems: aws.Int32(20)})
			return err
		}),
		cf("GetDistribution", "", "", func(ctx context.Context, cfg aws.Config) error {
			_, err := newCF(cfg).GetDistribution(ctx, &cloudfront.GetDistributionInput{Id: aws.String(distID)})
			return err
		}),
		cf("GetDistributionConfig", "", "", func(ctx context.Context, cfg aws.Config) error {
			_, err := newCF(cfg).GetDistributionConfig(ctx, &cloudfront.GetDistributionConfigInput{Id: aws.String(distID)})
			return err
		}),
		cf("CreateInvalidation", "", "", func(ctx context.Context, cfg aws.Config) error {
			_, err := newCF(cfg).CreateInvalidation(ctx, &cloudfront.CreateInvalidationInput{DistributionId: aws.String(distID), InvalidationBatch: &cftypes.InvalidationBatch{CallerReference: aws.String("deploy-1234"), Paths: &cftypes.Paths{Quantity: aws.Int32(2), Items: []string{"/index.html", "/assets/*"}}}})
			return err
		}),
		cf("TagResource", "", "", func(ctx context.Context, cfg aws.Config) error {
			_, err := newCF(cfg).TagResource(ctx, &cloudfront.TagResourceInput{Resource: aws.String("arn:aws:cloudfront::123456789012:distribution/" + distID), Tags: &cftypes.Tags{Items: []cftypes.Tag{{Key: aws.String("env"), Value: aws.String("prod")}}}})
			return err
		}),
		cf("DeleteDistribution", "", "If-Match header", func(ctx context.Context, cfg aws.Config) error {
			_, err := newCF(cfg).DeleteDistribution(ctx, &cloudfront.DeleteDistributionInput{Id: aws.String(distID), IfMatch: aws.String("E2QWRUHAPOMQZL")})
			return err
		}),

		// Lambda (rest-json).
		lam("CreateFunction", "", "Role, Layers, Tags, VPC config, environment", func(ctx context.Context, cfg aws.Config) error {
			_, err := newLam(cfg).CreateFunction(ctx, &lambda.CreateFunctionInput{
				FunctionName: aws.String(lambdaFn), Role: aws.String(appRole), Runtime: lambdatypes.RuntimePython312, Handler: aws.String("app.handler"),
				Code:        &lambdatypes.FunctionCode{S3Bucket: aws.String("example-artifacts"), S3Key: aws.String("lambda/order-processor.zip")},
				Layers:      []string{layerARN, "arn:aws:lambda:us-east-1:017000801446:layer:AWSLambdaPowertoolsPythonV3-python312-x86_64:7"},
				Tags:        map[string]string{"team": "orders"},
				Environment: &lambdatypes.Environment{Variables: map[string]string{"TABLE": "orders"}},
				VpcConfig:   &lambdatypes.VpcConfig{SubnetIds: []string{"subnet-0a1b2c3d4e5f60718"}, SecurityGroupIds: []string{"sg-0123456789abcdef0"}},
				KMSKeyArn:   aws.String(kmsKeyARN),
				Timeout:     aws.Int32(30), MemorySize: aws.Int32(512),
			})
			return err
		}),
		lam("CreateFunction", "zip-file", "inline ZipFile, image-less, dead letter queue", func(ctx context.Context, cfg aws.Config) error {
			_, err := newLam(cfg).CreateFunction(ctx, &lambda.CreateFunctionInput{
				FunctionName: aws.String("hello"), Role: aws.String("arn:aws:iam::123456789012:role/service-role/hello-role-abc123"), Runtime: lambdatypes.RuntimeNodejs20x, Handler: aws.String("index.handler"),
				Code:             &lambdatypes.FunctionCode{ZipFile: []byte("PK\x03\x04fake-zip")},
				DeadLetterConfig: &lambdatypes.DeadLetterConfig{TargetArn: aws.String("arn:aws:sqs:us-east-1:123456789012:hello-dlq")},
			})
			return err
		}),
		lam("Invoke", "", "RequestResponse with JSON payload", func(ctx context.Context, cfg aws.Config) error {
			_, err := newLam(cfg).Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String(lambdaFn), Payload: []byte(`{"orderId":"o-123"}`)})
			return err
		}),
		lam("Invoke", "async-qualifier", "InvocationType Event, alias qualifier, client context, log type", func(ctx context.Context, cfg aws.Config) error {
			_, err := newLam(cfg).Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String(lambdaFn), Qualifier: aws.String("live"), InvocationType: lambdatypes.InvocationTypeEvent, LogType: lambdatypes.LogTypeTail, ClientContext: aws.String("eyJjdXN0b20iOnt9fQ=="), Payload: []byte(`{}`)})
			return err
		}),
		lam("Invoke", "function-arn", "FunctionName given as full ARN", func(ctx context.Context, cfg aws.Config) error {
			_, err := newLam(cfg).Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("arn:aws:lambda:us-east-1:123456789012:function:order-processor:3"), Payload: []byte(`{"ping":true}`)})
			return err
		}),
		lam("GetFunction", "", "", func(ctx context.Context, cfg aws.Config) error {
			_, err := newLam(cfg).GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String(lambdaFn)})
			return err
		}),
		lam("ListFunctions", "", "", func(ctx context.Context, cfg aws.Config) error {
			_, err := newLam(cfg).ListFunctions(ctx, &lambda.ListFunctionsInput{MaxItems: aws.Int32(50)})
			return err
		}),
		lam("UpdateFunctionCode", "", "", func(ctx context.Context, cfg aws.Config) error {
			_, err := newLam(cfg).UpdateFunctionCode(ctx, &lambda.UpdateFunctionCodeInput{FunctionName: aws.String(lambdaFn), S3Bucket: aws.String("example-artifacts"), S3Key: aws.String("lambda/order-processor-v2.zip"), Publish: true})
			return err
		}),
		lam("AddPermission", "", "", func(ctx context.Context, cfg aws.Config) error {
			_, err := newLam(cfg).AddPermission(ctx, &lambda.AddPermissionInput{FunctionName: aws.String(lambdaFn), StatementId: aws.String("s3-invoke"), Action: aws.String("lambda:InvokeFunction"), Principal: aws.String("s3.amazonaws.com"), SourceArn: aws.String("arn:aws:s3:::example-app-bucket"), SourceAccount: aws.String(account)})
			return err
		}),
		lam("PublishLayerVersion", "", "", func(ctx context.Context, cfg aws.Config) error {
			_, err := newLam(cfg).PublishLayerVersion(ctx, &lambda.PublishLayerVersionInput{LayerName: aws.String("shared-libs"), Content: &lambdatypes.LayerVersionContentInput{S3Bucket: aws.String("example-artifacts"), S3Key: aws.String("layers/shared-libs.zip")}, CompatibleRuntimes: []lambdatypes.Runtime{lambdatypes.RuntimePython312}})
			return err
		}),
		lam("CreateEventSourceMapping", "", "", func(ctx context.Context, cfg aws.Config) error {
			_, err := newLam(cfg).CreateEventSourceMapping(ctx, &lambda.CreateEventSourceMappingInput{FunctionName: aws.String(lambdaFn), EventSourceArn: aws.String("arn:aws:sqs:us-east-1:123456789012:orders"), BatchSize: aws.Int32(10)})
			return err
		}),
		inRegion("eu-west-1", lam("GetFunction", "eu-west-1", "", func(ctx context.Context, cfg aws.Config) error {
			_, err := newLam(cfg).GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String("eu-handler"), Qualifier: aws.String("$LATEST")})
			return err
		})),

		// API Gateway (rest-json).
		apigw("GetRestApis", "", "", func(ctx context.Context, cfg aws.Config) error {
			_, err := newAPIGW(cfg).GetRestApis(ctx, &apigateway.GetRestApisInput{Limit: aws.Int32(25)})
			return err
		}),
		apigw("CreateRestApi", "", "", func(ctx context.Context, cfg aws.Config) error {
			_, err := newAPIGW(cfg).CreateRestApi(ctx, &apigateway.CreateRestApiInput{Name: aws.String("orders-api"), Description: aws.String("Orders"), Tags: map[string]string{"team": "orders"}})
			return err
		}),
		apigw("GetResources", "", "", func(ctx context.Context, cfg aws.Config) error {
			_, err := newAPIGW(cfg).GetResources(ctx, &apigateway.GetResourcesInput{RestApiId: aws.String(restAPIID), Embed: []string{"methods"}})
			return err
		}),
		apigw("PutIntegration", "", "Lambda proxy integration with credentials role", func(ctx context.Context, cfg aws.Config) error {
			_, err := newAPIGW(cfg).PutIntegration(ctx, &apigateway.PutIntegrationInput{RestApiId: aws.String(restAPIID), ResourceId: aws.String("abc123"), HttpMethod: aws.String("POST"), Type: "AWS_PROXY", IntegrationHttpMethod: aws.String("POST"), Uri: aws.String("arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:order-processor/invocations"), Credentials: aws.String(appRole)})
			return err
		}),
		apigw("CreateDeployment", "", "", func(ctx context.Context, cfg aws.Config) error {
			_, err := newAPIGW(cfg).CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: aws.String(restAPIID), StageName: aws.String("prod")})
			return err
		}),
		apigw2("GetApis", "", "", func(ctx context.Context, cfg aws.Config) error {
			_, err := newAPIGW2(cfg).GetApis(ctx, &apigatewayv2.GetApisInput{MaxResults: aws.String("25")})
			return err
		}),
		apigw2("CreateApi", "", "HTTP API", func(ctx context.Context, cfg aws.Config) error {
			_, err := newAPIGW2(cfg).CreateApi(ctx, &apigatewayv2.CreateApiInput{Name: aws.String("orders-http"), ProtocolType: apigwv2types.ProtocolTypeHttp, Target: aws.String("arn:aws:lambda:us-east-1:123456789012:function:order-processor")})
			return err
		}),
		apigw2("CreateRoute", "", "", func(ctx context.Context, cfg aws.Config) error {
			_, err := newAPIGW2(cfg).CreateRoute(ctx, &apigatewayv2.CreateRouteInput{ApiId: aws.String("f1g2h3i4j5"), RouteKey: aws.String("POST /orders"), AuthorizationType: apigwv2types.AuthorizationTypeAwsIam})
			return err
		}),

		// EKS (rest-json).
		ek("ListClusters", "", "", func(ctx context.Context, cfg aws.Config) error {
			_, err := newEKS(cfg).ListClusters(ctx, &eks.ListClustersInput{MaxResults: aws.Int32(10)})
			return err
		}),
		ek("DescribeCluster", "", "", func(ctx context.Context, cfg aws.Config) error {
			_, err := newEKS(cfg).DescribeCluster(ctx, &eks.DescribeClusterInput{Name: aws.String("prod")})
			return err
		}),
		ek("CreateCluster", "", "roleArn (iam:PassRole), tags, clientRequestToken", func(ctx context.Context, cfg aws.Config) error {
			_, err := newEKS(cfg).CreateCluster(ctx, &eks.CreateClusterInput{Name: aws.String("prod"), RoleArn: aws.String("arn:aws:iam::123456789012:role/eks-cluster-role"), ResourcesVpcConfig: &ekstypes.VpcConfigRequest{SubnetIds: []string{"subnet-0a1b2c3d4e5f60718", "subnet-0f1e2d3c4b5a69788"}}, Tags: map[string]string{"env": "prod"}})
			return err
		}),
		ek("CreateNodegroup", "", "nodeRole", func(ctx context.Context, cfg aws.Config) error {
			_, err := newEKS(cfg).CreateNodegroup(ctx, &eks.CreateNodegroupInput{ClusterName: aws.String("prod"), NodegroupName: aws.String("default"), NodeRole: aws.String("arn:aws:iam::123456789012:role/eks-node-role"), Subnets: []string{"subnet-0a1b2c3d4e5f60718"}, ScalingConfig: &ekstypes.NodegroupScalingConfig{MinSize: aws.Int32(1), MaxSize: aws.Int32(3), DesiredSize: aws.Int32(2)}})
			return err
		}),
		ek("ListNodegroups", "", "", func(ctx context.Context, cfg aws.Config) error {
			_, err := newEKS(cfg).ListNodegroups(ctx, &eks.ListNodegroupsInput{ClusterName: aws.String("prod")})
			return err
		}),

		// Batch (rest-json).
		bat("SubmitJob", "", "", func(ctx context.Context, cfg aws.Config) error {
			_, err := newBatch(cfg).SubmitJob(ctx, &batch.SubmitJobInput{JobName: aws.String("nightly-report"), JobQueue: aws.String("arn:aws:batch:us-east-1:123456789012:job-queue/default"), JobDefinition: aws.String("report:3"), Parameters: map[string]string{"day": "2026-01-15"}})
			return err
		}),
		bat("DescribeJobs", "", "", func(ctx context.Context, cfg aws.Config) error {
			_, err := newBatch(cfg).DescribeJobs(ctx, &batch.DescribeJobsInput{Jobs: []string{"876da822-4198-45f2-a252-6cea32512ea8"}})
			return err
		}),
		bat("RegisterJobDefinition", "", "jobRoleArn", func(ctx context.Context, cfg aws.Config) error {
			_, err := newBatch(cfg).RegisterJobDefinition(ctx, &batch.RegisterJobDefinitionInput{JobDefinitionName: aws.String("report"), Type: batchtypes.JobDefinitionTypeContainer, ContainerProperties: &batchtypes.ContainerProperties{Image: aws.String("123456789012.dkr.ecr.us-east-1.amazonaws.com/report:latest"), JobRoleArn: aws.String(appRole), ResourceRequirements: []batchtypes.ResourceRequirement{{Type: batchtypes.ResourceTypeVcpu, Value: aws.String("1")}, {Type: batchtypes.ResourceTypeMemory, Value: aws.String("2048")}}}})
			return err
		}),
	}
}
