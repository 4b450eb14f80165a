package grants_test

import (
	"fmt"

	"github.com/iamwatch/iamwatch/generator/grants"
)

func ExampleReader_Read() {
	template := []byte(`
Resources:
  Data:
    Type: AWS::S3::Bucket
  App:
    Type: AWS::IAM::Role
    Properties:
      RoleName: app
      Policies:
        - PolicyName: data
          PolicyDocument:
            Statement:
              - Effect: Allow
                Action: s3:GetObject
                Resource: !Sub "${Data.Arn}/*"
              - Effect: Allow
                Action: sqs:SendMessage
                Resource: !Sub "arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:jobs"
`)
	in, err := grants.Reader{AccountID: "111122223333", Region: "eu-west-1"}.Read("template.yaml", template)
	if err != nil {
		fmt.Println(err)
		return
	}
	sel, err := in.For("app")
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, g := range sel.Grants {
		fmt.Println(g.Kind, g.Source)
		fmt.Println(string(g.Document))
		for _, c := range g.Conditional {
			fmt.Println("undecided:", c)
		}
	}
	// Output:
	// identity template.yaml: Resources.App.Policies[0]
	// {"Statement":[{"Action":"s3:GetObject","Effect":"Allow","Resource":"${Data.Arn}/*"},{"Action":"sqs:SendMessage","Effect":"Allow","Resource":"arn:aws:sqs:eu-west-1:111122223333:jobs"}]}
	// undecided: Statement[0].Resource: Fn::GetAtt Data.Arn: AWS::S3::Bucket Data sets no BucketName; CloudFormation generates the name
}
