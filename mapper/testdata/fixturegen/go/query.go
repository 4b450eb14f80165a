package main

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/autoscaling"
	astypes "github.com/aws/aws-sdk-go-v2/service/autoscaling/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cfntypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbv2types "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"
	"github.com/aws/aws-sdk-go-v2/service/ses"
	sestypes "github.com/aws/aws-sdk-go-v2/service/ses/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"
)

const trustPolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`

func queryCalls() []call {
	st := mk("sts", "STS", "query")
	im := mk("iam", "IAM", "query")
	sn := mk("sns", "SNS", "query")
	cfn := mk("cloudformation", "CloudFormation", "query")
	elb := mk("elasticloadbalancingv2", "Elastic Load Balancing v2", "query")
	rd := mk("rds", "RDS", "query")
	se := mk("ses", "SES", "query")
	as := mk("autoscaling", "Auto Scaling", "query")

	newSTS := func(cfg aws.Config) *sts.Client { return sts.NewFromConfig(cfg, fix[sts.Options]) }
	newIAM := func(cfg aws.Config) *iam.Client { return iam.NewFromConfig(cfg, fix[iam.Options]) }
	newSNS := func(cfg aws.Config) *sns.Client { return sns.NewFromConfig(cfg, fix[sns.Options]) }
	newCFN := func(cfg aws.Config) *cloudformation.Client {
		return cloudformation.NewFromConfig(cfg, fix[cloudformation.Options])
	}
	newELB := func(cfg aws.Config) *elbv2.Client { return elbv2.NewFromConfig(cfg, fix[elbv2.Options]) }
	newRDS := func(cfg aws.Config) *rds.Client { return rds.NewFromConfig(cfg, fix[rds.Options]) }
	newSES := func(cfg aws.Config) *ses.Client { return ses.NewFromConfig(cfg, fix[ses.Options]) }
	newAS := func(cfg aws.Config) *autoscaling.Client {
		return autoscaling.NewFromConfig(cfg, fix[autoscaling.Options])
	}
	topic := "arn:aws:sns:us-east-1:123456789012:order-events"

	return []call{
		// STS (regional endpoint by default in v2).
		st("GetCallerIdentity", "", "", func(ctx context.Context, cfg aws.Config) error {
			_, err := newSTS(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
			return err
		}),
		st("AssumeRole", "", "session tags, external id, duration", func(ctx context.Context, cfg aws.Config) error {
			_, err := newSTS(cfg).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::210987654321:role/cross-account-reader"), RoleSessionName: aws.String("iamwatch-fixture"), ExternalId: aws.String("ext-1234"), DurationSeconds: aws.Int32(3600), Tags: []ststypes.Tag{{Key: aws.String("project"), Value: aws.String("atlas")}}})
			return err
		}),
		st("AssumeRoleWithWebIdentity", "", "unsigned operation (no Authorization header)", func(ctx context.Context, cfg aws.Config) error {
			_, err := newSTS(cfg).AssumeRoleWithWebIdentity(ctx, &sts.AssumeRoleWithWebIdentityInput{RoleArn: aws.String("arn:aws:iam::123456789012:role/github-actions"), RoleSessionName: aws.String("gha-run-1"), WebIdentityToken: aws.String("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJyZXBvOmV4YW1wbGUifQ.ZmFrZQ")})
			return err
		}),
		st("GetSessionToken", "", "", func(ctx context.Context, cfg aws.Config) error {
			_, err := newSTS(cfg).GetSessionToken(ctx, &sts.GetSessionTokenInput{DurationSeconds: aws.Int32(900), SerialNumber: aws.String("arn:aws:iam::123456789012:mfa/alice"), TokenCode: aws.String("123456")})
			return err
		}),
		st("DecodeAuthorizationMessage", "", "", func(ctx context.Context, cfg aws.Config) error {
			_, err := newSTS(cfg).DecodeAuthorizationMessage(ctx, &sts.DecodeAuthorizationMessageInput{EncodedMessage: aws.String("Zm9vYmFyLWVuY29kZWQtbWVzc2FnZQ==")})
			return err
		}),
		inRegion("eu-west-1", st("GetCallerIdentity", "eu-west-1", "regional endpoint", func(ctx context.Context, cfg aws.Config) error {
			_, err := newSTS(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
			return err
		})),
		inRegion("cn-north-1", st("GetCallerIdentity", "cn-north-1", "aws-cn partition", func(ctx context.Context, cfg aws.Config) error {
			_, err := newSTS(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
			return err
		})),
		inRegion("us-gov-west-1", st("AssumeRole", "us-gov-west-1", "aws-us-gov partition", func(ctx context.Context, cfg aws.Config) error {
			_, err := newSTS(cfg).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws-us-gov:iam::123456789012:role/gov-reader"), RoleSessionName: aws.String("gov")})
			return err
		})),

		// IAM (global).
		im("CreateRole", "", "trust policy, path, tags, permissions boundary", func(ctx context.Context, cfg aws.Config) error {
			_, err := newIAM(cfg).CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("app-role"), Path: aws.String("/service/"), AssumeRolePolicyDocument: aws.String(trustPolicy), PermissionsBoundary: aws.String("arn:aws:iam::123456789012:policy/boundary"), Tags: []iamtypes.Tag{{Key: aws.String("team"), Value: aws.String("platform")}, {Key: aws.String("env"), Value: aws.String("prod")}}})
			return err
		}),
		im("GetRole", "", "", func(ctx context.Context, cfg aws.Config) error {
			_, err := newIAM(cfg).GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("app-role")})
			return err
		}),
		im("AttachRolePolicy", "", "", func(ctx context.Context, cfg aws.Config) error {
			_, err := newIAM(cfg).AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("app-role"), PolicyArn: aws.String("arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess")})
			return err
		}),
		im("PutRolePolicy", "", "inline policy with iam:PassRole", func(ctx context.Context, cfg aws.Config) error {
			_, err := newIAM(cfg).PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("app-role"), PolicyName: aws.String("pass-role"), PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:PassRole","Resource":"arn:aws:iam::123456789012:role/app-role"}]}`)})
			return err
		}),
		im("CreateInstanceProfile", "", "", func(ctx context.Context, cfg aws.Config) error {
			_, err := newIAM(cfg).CreateInstanceProfile(ctx, &iam.CreateInstanceProfileInput{InstanceProfileName: aws.String("app-profile")})
			return err
		}),
		im("AddRoleToInstanceProfile", "", "", func(ctx context.Context, cfg aws.Config) error {
			_, err := newIAM(cfg).AddRoleToInstanceProfile(ctx, &iam.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String("app-profile"), RoleName: aws.String("app-role")})
			return err
		}),
		im("CreateUser", "", "", func(ctx context.Context, cfg aws.Config) error {
			_, err := newIAM(cfg).CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("ci-deployer"), Tags: []iamtypes.Tag{{Key: aws.String("purpose"), Value: aws.String("ci")}}})
			return err
		}),
		im("ListRoles", "", "", func(ctx context.Context, cfg aws.Config) error {
			_, err := newIAM(cfg).ListRoles(ctx, &iam.ListRolesInput{PathPrefix: aws.String("/service/"), MaxItems: aws.Int32(100)})
			return err
		}),

		// SNS.
		sn("Publish", "", "message attributes", func(ctx context.Context, cfg aws.Config) error {
			_, err := newSNS(cfg).Publish(ctx, &sns.PublishInput{TopicArn: aws.String(topic), Message: aws.String(`{"orderId":"o-123"}`), Subject: aws.String("Order"), MessageAttributes: map[string]snstypes.MessageAttributeValue{"type": {DataType: aws.String("String"), StringValue: aws.String("created")}}})
			return err
		}),
		sn("Publish", "phone", "SMS to a phone number", func(ctx context.Context, cfg aws.Config) error {
			_, err := newSNS(cfg).Publish(ctx, &sns.PublishInput{PhoneNumber: aws.String("+15555550100"), Message: aws.String("Your code is 123456")})
			return err
		}),
		sn("CreateTopic", "", "attributes and tags", func(ctx context.Context, cfg aws.Config) error {
			_, err := newSNS(cfg).CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("order-events"), Attributes: map[string]string{"KmsMasterKeyId": "alias/aws/sns"}, Tags: []snstypes.Tag{{Key: aws.String("team"), Value: aws.String("orders")}}})
			return err
		}),
		sn("Subscribe", "", "", func(ctx context.Context, cfg aws.Config) error {
			_, err := newSNS(cfg).Subscribe(ctx, &sns.SubscribeInput{TopicArn: aws.String(topic), Protocol: aws.String("sqs"), Endpoint: aws.String("arn:aws:sqs:us-east-1:123456789012:orders"), ReturnSubscriptionArn: true})
			return err
		}),
		sn("ListTopics", "", "", func(ctx context.Context, cfg aws.Config) error {
			_, err := newSNS(cfg).ListTopics(ctx, &sns.ListTopicsInput{})
			return err
		}),
		sn("SetTopicAttributes", "", "", func(ctx context.Context, cfg aws.Config) error {
			_, err := newSNS(cfg).SetTopicAttributes(ctx, &sns.SetTopicAttributesInput{TopicArn: aws.String(topic), AttributeName: aws.String("DisplayName"), AttributeValue: aws.String("Orders")})
			return err
		}),

		// CloudFormation.
		cfn("CreateStack", "", "RoleARN (iam:PassRole), capabilities, tags, parameters", func(ctx context.Context, cfg aws.Config) error {
			_, err := newCFN(cfg).CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String("orders-prod"), TemplateURL: aws.String("https://example-artifacts.s3.amazonaws.com/cfn/orders.yaml"), RoleARN: aws.String("arn:aws:iam::123456789012:role/cfn-deployer"), Capabilities: []cfntypes.Capability{cfntypes.CapabilityCapabilityNamedIam}, Parameters: []cfntypes.Parameter{{ParameterKey: aws.String("Env"), ParameterValue: aws.String("prod")}}, Tags: []cfntypes.Tag{{Key: aws.String("team"), Value: aws.String("orders")}}, NotificationARNs: []string{topic}})
			return err
		}),
		cfn("DescribeStacks", "", "", func(ctx context.Context, cfg aws.Config) error {
			_, err := newCFN(cfg).DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String("orders-prod")})
			return err
		}),
		cfn("UpdateStack", "", "inline template body", func(ctx context.Context, cfg aws.Config) error {
			_, err := newCFN(cfg).UpdateStack(ctx, &cloudformation.UpdateStackInput{StackName: aws.String("orders-prod"), TemplateBody: aws.String("Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n"), UsePreviousTemplate: aws.Bool(false)})
			return err
		}),
		cfn("CreateChangeSet", "", "", func(ctx context.Context, cfg aws.Config) error {
			_, err := newCFN(cfg).CreateChangeSet(ctx, &cloudformation.CreateChangeSetInput{StackName: aws.String("orders-prod"), ChangeSetName: aws.String("cs-1234"), UsePreviousTemplate: aws.Bool(true), ChangeSetType: cfntypes.ChangeSetTypeUpdate})
			return err
		}),
		cfn("DeleteStack", "", "", func(ctx context.Context, cfg aws.Config) error {
			_, err := newCFN(cfg).DeleteStack(ctx, &cloudformation.DeleteStackInput{StackName: aws.String("arn:aws:cloudformation:us-east-1:123456789012:stack/orders-old/0fa3b3b0-1234-11ef-9a6b-0a1b2c3d4e5f")})
			return err
		}),

		// Elastic Load Balancing v2.
		elb("CreateLoadBalancer", "", "", func(ctx context.Context, cfg aws.Config) error {
			_, err := newELB(cfg).CreateLoadBalancer(ctx, &elbv2.CreateLoadBalancerInput{Name: aws.String("orders-alb"), Subnets: []string{"subnet-0a1b2c3d4e5f60718", "subnet-0f1e2d3c4b5a69788"}, SecurityGroups: []string{"sg-0123456789abcdef0"}, Scheme: elbv2types.LoadBalancerSchemeEnumInternetFacing, Tags: []elbv2types.Tag{{Key: aws.String("team"), Value: aws.String("orders")}}})
			return err
		}),
		elb("DescribeLoadBalancers", "", "", func(ctx context.Context, cfg aws.Config) error {
			_, err := newELB(cfg).DescribeLoadBalancers(ctx, &elbv2.DescribeLoadBalancersInput{Names: []string{"orders-alb"}})
			return err
		}),
		elb("CreateTargetGroup", "", "", func(ctx context.Context, cfg aws.Config) error {
			_, err := newELB(cfg).CreateTargetGroup(ctx, &elbv2.CreateTargetGroupInput{Name: aws.String("orders-web"), Protocol: elbv2types.ProtocolEnumHttp, Port: aws.Int32(8080), VpcId: aws.String("vpc-0abc1234def567890"), TargetType: elbv2types.TargetTypeEnumIp})
			return err
		}),
		elb("RegisterTargets", "", "", func(ctx context.Context, cfg aws.Config) error {
			_, err := newELB(cfg).RegisterTargets(ctx, &elbv2.RegisterTargetsInput{TargetGroupArn: aws.String("arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/orders-web/73e2d6bc24d8a067"), Targets: []elbv2types.TargetDescription{{Id: aws.String("10.0.1.15"), Port: aws.Int32(8080)}}})
			return err
		}),
		elb("CreateListener", "", "", func(ctx context.Context, cfg aws.Config) error {
			_, err := newELB(cfg).CreateListener(ctx, &elbv2.CreateListenerInput{LoadBalancerArn: aws.String("arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/orders-alb/50dc6c495c0c9188"), Protocol: elbv2types.ProtocolEnumHttps, Port: aws.Int32(443), Certificates: []elbv2types.Certificate{{CertificateArn: aws.String("arn:aws:acm:us-east-1:123456789012:certificate/12345678-1234-1234-1234-123456789012")}}, DefaultActions: []elbv2types.Action{{Type: elbv2types.ActionTypeEnumForward, TargetGroupArn: aws.String("arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/orders-web/73e2d6bc24d8a067")}}})
			return err
		}),

		// RDS.
		rd("CreateDBInstance", "", "monitoring role, KMS key, tags", func(ctx context.Context, cfg aws.Config) error {
			_, err := newRDS(cfg).CreateDBInstance(ctx, &rds.CreateDBInstanceInput{DBInstanceIdentifier: aws.String("orders-db"), DBInstanceClass: aws.String("db.t4g.medium"), Engine: aws.String("postgres"), MasterUsername: aws.String("app"), ManageMasterUserPassword: aws.Bool(true), AllocatedStorage: aws.Int32(50), StorageEncrypted: aws.Bool(true), KmsKeyId: aws.String(kmsKeyARN), MonitoringInterval: aws.Int32(60), MonitoringRoleArn: aws.String("arn:aws:iam::123456789012:role/rds-monitoring-role"), Tags: []rdstypes.Tag{{Key: aws.String("team"), Value: aws.String("orders")}}})
			return err
		}),
		rd("DescribeDBInstances", "", "", func(ctx context.Context, cfg aws.Config) error {
			_, err := newRDS(cfg).DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{DBInstanceIdentifier: aws.String("orders-db")})
			return err
		}),
		rd("CreateDBSnapshot", "", "", func(ctx context.Context, cfg aws.Config) error {
			_, err := newRDS(cfg).CreateDBSnapshot(ctx, &rds.CreateDBSnapshotInput{DBInstanceIdentifier: aws.String("orders-db"), DBSnapshotIdentifier: aws.String("orders-db-2026-01-15")})
			return err
		}),
		rd("ModifyDBInstance", "", "", func(ctx context.Context, cfg aws.Config) error {
			_, err := newRDS(cfg).ModifyDBInstance(ctx, &rds.ModifyDBInstanceInput{DBInstanceIdentifier: aws.String("orders-db"), DBInstanceClass: aws.String("db.r6g.large"), ApplyImmediately: aws.Bool(true)})
			return err
		}),

		// SES (v1, query).
		se("SendEmail", "", "", func(ctx context.Context, cfg aws.Config) error {
			_, err := newSES(cfg).SendEmail(ctx, &ses.SendEmailInput{Source: aws.String("noreply@example.com"), Destination: &sestypes.Destination{ToAddresses: []string{"alice@example.org"}}, Message: &sestypes.Message{Subject: &sestypes.Content{Data: aws.String("Your order")}, Body: &sestypes.Body{Text: &sestypes.Content{Data: aws.String("Thanks!")}}}})
			return err
		}),
		se("SendRawEmail", "", "", func(ctx context.Context, cfg aws.Config) error {
			_, err := newSES(cfg).SendRawEmail(ctx, &ses.SendRawEmailInput{RawMessage: &sestypes.RawMessage{Data: []byte("From: noreply@example.com\r\nTo: alice@example.org\r\nSubject: hi\r\n\r\nhello\r\n")}, SourceArn: aws.String("arn:aws:ses:us-east-1:123456789012:identity/example.com")})
			return err
		}),
		se("VerifyEmailIdentity", "", "", func(ctx context.Context, cfg aws.Config) error {
			_, err := newSES(cfg).VerifyEmailIdentity(ctx, &ses.VerifyEmailIdentityInput{EmailAddress: aws.String("noreply@example.com")})
			return err
		}),

		// Auto Scaling.
		as("CreateAutoScalingGroup", "", "launch template and service-linked role", func(ctx context.Context, cfg aws.Config) error {
			_, err := newAS(cfg).CreateAutoScalingGroup(ctx, &autoscaling.CreateAutoScalingGroupInput{AutoScalingGroupName: aws.String("orders-web"), MinSize: aws.Int32(1), MaxSize: aws.Int32(4), LaunchTemplate: &astypes.LaunchTemplateSpecification{LaunchTemplateId: aws.String("lt-0123456789abcdef0"), Version: aws.String("$Latest")}, VPCZoneIdentifier: aws.String("subnet-0a1b2c3d4e5f60718,subnet-0f1e2d3c4b5a69788"), ServiceLinkedRoleARN: aws.String("arn:aws:iam::123456789012:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling")})
			return err
		}),
		as("DescribeAutoScalingGroups", "", "", func(ctx context.Context, cfg aws.Config) error {
			_, err := newAS(cfg).DescribeAutoScalingGroups(ctx, &autoscaling.DescribeAutoScalingGroupsInput{AutoScalingGroupNames: []string{"orders-web"}})
			return err
		}),
		as("SetDesiredCapacity", "", "", func(ctx context.Context, cfg aws.Config) error {
			_, err := newAS(cfg).SetDesiredCapacity(ctx, &autoscaling.SetDesiredCapacityInput{AutoScalingGroupName: aws.String("orders-web"), DesiredCapacity: aws.Int32(3), HonorCooldown: aws.Bool(true)})
			return err
		}),
	}
}

func ec2Calls() []call {
	e := mk("ec2", "EC2", "ec2")
	newEC2 := func(cfg aws.Config) *ec2.Client { return ec2.NewFromConfig(cfg, fix[ec2.Options]) }
	return []call{
		e("RunInstances", "", "TagSpecifications and IamInstanceProfile (iam:PassRole, ec2:CreateTags)", func(ctx context.Context, cfg aws.Config) error {
			_, err := newEC2(cfg).RunInstances(ctx, &ec2.RunInstancesInput{ImageId: aws.String("ami-0abcdef1234567890"), InstanceType: ec2types.InstanceTypeT3Micro, MinCount: aws.Int32(1), MaxCount: aws.Int32(1), SubnetId: aws.String("subnet-0a1b2c3d4e5f60718"), SecurityGroupIds: []string{"sg-0123456789abcdef0"}, KeyName: aws.String("ops-key"),
				IamInstanceProfile: &ec2types.IamInstanceProfileSpecification{Arn: aws.String("arn:aws:iam::123456789012:instance-profile/app-profile")},
				TagSpecifications:  []ec2types.TagSpecification{{ResourceType: ec2types.ResourceTypeInstance, Tags: []ec2types.Tag{{Key: aws.String("Name"), Value: aws.String("orders-web-1")}, {Key: aws.String("team"), Value: aws.String("orders")}}}, {ResourceType: ec2types.ResourceTypeVolume, Tags: []ec2types.Tag{{Key: aws.String("team"), Value: aws.String("orders")}}}},
				MetadataOptions:    &ec2types.InstanceMetadataOptionsRequest{HttpTokens: ec2types.HttpTokensStateRequired}})
			return err
		}),
		e("RunInstances", "launch-template-dryrun", "launch template, DryRun, instance profile by name", func(ctx context.Context, cfg aws.Config) error {
			_, err := newEC2(cfg).RunInstances(ctx, &ec2.RunInstancesInput{MinCount: aws.Int32(2), MaxCount: aws.Int32(2), DryRun: aws.Bool(true), LaunchTemplate: &ec2types.LaunchTemplateSpecification{LaunchTemplateId: aws.String("lt-0123456789abcdef0"), Version: aws.String("3")}, IamInstanceProfile: &ec2types.IamInstanceProfileSpecification{Name: aws.String("app-profile")}})
			return err
		}),
		e("DescribeInstances", "", "filters", func(ctx context.Context, cfg aws.Config) error {
			_, err := newEC2(cfg).DescribeInstances(ctx, &ec2.DescribeInstancesInput{Filters: []ec2types.Filter{{Name: aws.String("tag:team"), Values: []string{"orders"}}, {Name: aws.String("instance-state-name"), Values: []string{"running", "pending"}}}, MaxResults: aws.Int32(100)})
			return err
		}),
		e("DescribeInstances", "ids", "instance ids", func(ctx context.Context, cfg aws.Config) error {
			_, err := newEC2(cfg).DescribeInstances(ctx, &ec2.DescribeInstancesInput{InstanceIds: []string{"i-0123456789abcdef0", "i-0fedcba9876543210"}})
			return err
		}),
		e("CreateTags", "", "", func(ctx context.Context, cfg aws.Config) error {
			_, err := newEC2(cfg).CreateTags(ctx, &ec2.CreateTagsInput{Resources: []string{"i-0123456789abcdef0", "vol-0123456789abcdef0"}, Tags: []ec2types.Tag{{Key: aws.String("owner"), Value: aws.String("alice")}}})
			return err
		}),
		e("TerminateInstances", "", "", func(ctx context.Context, cfg aws.Config) error {
			_, err := newEC2(cfg).TerminateInstances(ctx, &ec2.TerminateInstancesInput{InstanceIds: []string{"i-0123456789abcdef0"}})
			return err
		}),
		e("StopInstances", "", "", func(ctx context.Context, cfg aws.Config) error {
			_, err := newEC2(cfg).StopInstances(ctx, &ec2.StopInstancesInput{InstanceIds: []string{"i-0123456789abcdef0"}, Hibernate: aws.Bool(true)})
			return err
		}),
		e("CreateSecurityGroup", "", "", func(ctx context.Context, cfg aws.Config) error {
			_, err := newEC2(cfg).CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{GroupName: aws.String("orders-web"), Description: aws.String("orders web tier"), VpcId: aws.String("vpc-0abc1234def567890"), TagSpecifications: []ec2types.TagSpecification{{ResourceType: ec2types.ResourceTypeSecurityGroup, Tags: []ec2types.Tag{{Key: aws.String("team"), Value: aws.String("orders")}}}}})
			return err
		}),
		e("AuthorizeSecurityGroupIngress", "", "", func(ctx context.Context, cfg aws.Config) error {
			_, err := newEC2(cfg).AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{GroupId: aws.String("sg-0123456789abcdef0"), IpPermissions: []ec2types.IpPermission{{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(443), ToPort: aws.Int32(443), IpRanges: []ec2types.IpRange{{CidrIp: aws.String("0.0.0.0/0"), Description: aws.String("https")}}}}})
			return err
		}),
		e("DescribeImages", "", "", func(ctx context.Context, cfg aws.Config) error {
			_, err := newEC2(cfg).DescribeImages(ctx, &ec2.DescribeImagesInput{Owners: []string{"amazon"}, Filters: []ec2types.Filter{{Name: aws.String("name"), Values: []string{"al2023-ami-*-x86_64"}}}})
			return err
		}),
		e("CreateVolume", "", "", func(ctx context.Context, cfg aws.Config) error {
			_, err := newEC2(cfg).CreateVolume(ctx, &ec2.CreateVolumeInput{AvailabilityZone: aws.String("us-east-1a"), Size: aws.Int32(100), VolumeType: ec2types.VolumeTypeGp3, Encrypted: aws.Bool(true), KmsKeyId: aws.String(kmsKeyARN)})
			return err
		}),
		e("AttachVolume", "", "", func(ctx context.Context, cfg aws.Config) error {
			_, err := newEC2(cfg).AttachVolume(ctx, &ec2.AttachVolumeInput{Device: aws.String("/dev/sdf"), InstanceId: aws.String("i-0123456789abcdef0"), VolumeId: aws.String("vol-0123456789abcdef0")})
			return err
		}),
		e("DescribeVpcs", "", "", func(ctx context.Context, cfg aws.Config) error {
			_, err := newEC2(cfg).DescribeVpcs(ctx, &ec2.DescribeVpcsInput{})
			return err
		}),
		e("AssociateIamInstanceProfile", "", "", func(ctx context.Context, cfg aws.Config) error {
			_, err := newEC2(cfg).AssociateIamInstanceProfile(ctx, &ec2.AssociateIamInstanceProfileInput{InstanceId: aws.String("i-0123456789abcdef0"), IamInstanceProfile: &ec2types.IamInstanceProfileSpecification{Name: aws.String("app-profile")}})
			return err
		}),
		inRegion("cn-north-1", e("DescribeInstances", "cn-north-1", "aws-cn partition", func(ctx context.Context, cfg aws.Config) error {
			_, err := newEC2(cfg).DescribeInstances(ctx, &ec2.DescribeInstancesInput{})
			return err
		})),
		inRegion("eu-west-1", e("RunInstances", "eu-west-1", "", func(ctx context.Context, cfg aws.Config) error {
			_, err := newEC2(cfg).RunInstances(ctx, &ec2.RunInstancesInput{ImageId: aws.String("ami-0fedcba9876543210"), InstanceType: ec2types.InstanceTypeM7gLarge, MinCount: aws.Int32(1), MaxCount: aws.Int32(1)})
			return err
		})),
		inRegion("us-gov-west-1", e("DescribeInstances", "us-gov-west-1", "aws-us-gov partition", func(ctx context.Context, cfg aws.Config) error {
			_, err := newEC2(cfg).DescribeInstances(ctx, &ec2.DescribeInstancesInput{})
			return err
		})),
	}
}
