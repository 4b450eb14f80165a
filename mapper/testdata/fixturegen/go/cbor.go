package main

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/arcregionswitch"
	"github.com/aws/aws-sdk-go-v2/service/computeoptimizer"
	"github.com/aws/aws-sdk-go-v2/service/gamelift"
	gltypes "github.com/aws/aws-sdk-go-v2/service/gamelift/types"
)

// cborCalls covers services whose current v2 module speaks Smithy RPC v2
// CBOR (CloudWatch is in jsonCalls).
func cborCalls() []call {
	gl := mk("gamelift", "GameLift", "rpc-v2-cbor")
	co := mk("computeoptimizer", "Compute Optimizer", "rpc-v2-cbor")
	arc := mk("arcregionswitch", "ARC Region switch", "rpc-v2-cbor")
	newGL := func(cfg aws.Config) *gamelift.Client { return gamelift.NewFromConfig(cfg, fix[gamelift.Options]) }
	newCO := func(cfg aws.Config) *computeoptimizer.Client {
		return computeoptimizer.NewFromConfig(cfg, fix[computeoptimizer.Options])
	}
	newARC := func(cfg aws.Config) *arcregionswitch.Client {
		return arcregionswitch.NewFromConfig(cfg, fix[arcregionswitch.Options])
	}
	return []call{
		gl("ListFleets", "", "", func(ctx context.Context, cfg aws.Config) error {
			_, err := newGL(cfg).ListFleets(ctx, &gamelift.ListFleetsInput{Limit: aws.Int32(10)})
			return err
		}),
		gl("DescribeFleetAttributes", "", "", func(ctx context.Context, cfg aws.Config) error {
			_, err := newGL(cfg).DescribeFleetAttributes(ctx, &gamelift.DescribeFleetAttributesInput{FleetIds: []string{"fleet-2222bbbb-33cc-44dd-55ee-6666ffff77aa"}})
			return err
		}),
		gl("CreateGameSession", "", "", func(ctx context.Context, cfg aws.Config) error {
			_, err := newGL(cfg).CreateGameSession(ctx, &gamelift.CreateGameSessionInput{FleetId: aws.String("fleet-2222bbbb-33cc-44dd-55ee-6666ffff77aa"), MaximumPlayerSessionCount: aws.Int32(8), GameProperties: []gltypes.GameProperty{{Key: aws.String("mode"), Value: aws.String("ranked")}}})
			return err
		}),
		co("GetEC2InstanceRecommendations", "", "", func(ctx context.Context, cfg aws.Config) error {
			_, err := newCO(cfg).GetEC2InstanceRecommendations(ctx, &computeoptimizer.GetEC2InstanceRecommendationsInput{InstanceArns: []string{"arn:aws:ec2:us-east-1:123456789012:instance/i-0123456789abcdef0"}})
			return err
		}),
		co("GetRecommendationSummaries", "", "", func(ctx context.Context, cfg aws.Config) error {
			_, err := newCO(cfg).GetRecommendationSummaries(ctx, &computeoptimizer.GetRecommendationSummariesInput{AccountIds: []string{account}})
			return err
		}),
		arc("ListPlans", "", "", func(ctx context.Context, cfg aws.Config) error {
			_, err := newARC(cfg).ListPlans(ctx, &arcregionswitch.ListPlansInput{})
			return err
		}),
		arc("GetPlan", "", "", func(ctx context.Context, cfg aws.Config) error {
			_, err := newARC(cfg).GetPlan(ctx, &arcregionswitch.GetPlanInput{Arn: aws.String("arn:aws:arc-region-switch::123456789012:plan/orders-failover:abc123")})
			return err
		}),
	}
}
