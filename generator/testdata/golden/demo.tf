data "aws_iam_policy_document" "iamwatch" {
  statement {
    sid     = "Dynamodb7D786EEF"
    effect  = "Allow"
    actions = ["dynamodb:BatchWriteItem"]
    resources = [
      "arn:aws:dynamodb:us-east-1:123456789012:table/order-audit",
      "arn:aws:dynamodb:us-east-1:123456789012:table/orders",
    ]

    condition {
      test     = "StringEquals"
      variable = "aws:RequestedRegion"
      values   = ["us-east-1"]
    }
  }

  statement {
    sid    = "Dynamodb93278B1E"
    effect = "Allow"
    actions = [
      "dynamodb:CreateTable",
      "dynamodb:TagResource",
    ]
    resources = ["arn:aws:dynamodb:us-east-1:123456789012:table/orders"]

    condition {
      test     = "ForAllValues:StringEquals"
      variable = "aws:TagKeys"
      values   = ["team"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:RequestTag/team"
      values   = ["orders"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:RequestedRegion"
      values   = ["us-east-1"]
    }
  }

  statement {
    sid       = "Dynamodb7D1DE705"
    effect    = "Allow"
    actions   = ["dynamodb:PutItem"]
    resources = ["arn:aws:dynamodb:us-east-1:123456789012:table/orders"]

    condition {
      test     = "StringEquals"
      variable = "aws:RequestedRegion"
      values   = ["us-east-1"]
    }
  }

  statement {
    sid       = "Dynamodb234EE5F2"
    effect    = "Allow"
    actions   = ["dynamodb:Query"]
    resources = ["arn:aws:dynamodb:us-east-1:123456789012:table/orders/index/by-status"]

    condition {
      test     = "StringEquals"
      variable = "aws:RequestedRegion"
      values   = ["us-east-1"]
    }
  }

  statement {
    sid    = "MultiServiceD8C46E7C"
    effect = "Allow"
    actions = [
      "ec2:DescribeSecurityGroups",
      "ec2:DescribeSubnets",
      "ec2:DescribeVpcs",
      "s3:ListAllMyBuckets",
    ]
    resources = ["*"]

    condition {
      test     = "StringEquals"
      variable = "aws:RequestedRegion"
      values   = ["us-east-1"]
    }
  }

  statement {
    sid       = "Iam4D4A2A84"
    effect    = "Allow"
    actions   = ["iam:PassRole"]
    resources = ["arn:aws:iam::123456789012:role/app-role"]

    condition {
      test     = "StringEquals"
      variable = "aws:RequestedRegion"
      values   = ["us-east-1"]
    }

    condition {
      test     = "StringEquals"
      variable = "iam:PassedToService"
      values   = ["lambda.amazonaws.com"]
    }
  }

  statement {
    sid       = "Kms8B8E8F25"
    effect    = "Allow"
    actions   = ["kms:GenerateDataKey"]
    resources = ["arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"]

    condition {
      test     = "StringEquals"
      variable = "aws:RequestedRegion"
      values   = ["us-east-1"]
    }
  }

  statement {
    sid       = "Lambda558E82F3"
    effect    = "Allow"
    actions   = ["lambda:CreateFunction"]
    resources = ["arn:aws:lambda:us-east-1:123456789012:function:order-processor"]

    condition {
      test     = "ForAllValues:StringEquals"
      variable = "aws:TagKeys"
      values   = ["team"]
    }

    condition {
      test     = "ForAllValues:StringEquals"
      variable = "lambda:Layer"
      values = [
        "arn:aws:lambda:us-east-1:017000801446:layer:AWSLambdaPowertoolsPythonV3-python312-x86_64:7",
        "arn:aws:lambda:us-east-1:123456789012:layer:shared-libs:7",
      ]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:RequestTag/team"
      values   = ["orders"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:RequestedRegion"
      values   = ["us-east-1"]
    }
  }

  statement {
    sid     = "Lambda5B22E924"
    effect  = "Allow"
    actions = ["lambda:GetLayerVersion"]
    resources = [
      "arn:aws:lambda:us-east-1:017000801446:layer:AWSLambdaPowertoolsPythonV3-python312-x86_64:7",
      "arn:aws:lambda:us-east-1:123456789012:layer:shared-libs:7",
    ]

    condition {
      test     = "StringEquals"
      variable = "aws:RequestedRegion"
      values   = ["us-east-1"]
    }
  }

  statement {
    sid       = "Lambda4F0AF432"
    effect    = "Allow"
    actions   = ["lambda:InvokeFunction"]
    resources = ["arn:aws:lambda:us-east-1:123456789012:function:order-processor"]

    condition {
      test     = "StringEquals"
      variable = "aws:RequestedRegion"
      values   = ["us-east-1"]
    }
  }

  statement {
    sid       = "LambdaF1A4221E"
    effect    = "Allow"
    actions   = ["lambda:TagResource"]
    resources = ["arn:aws:lambda:us-east-1:123456789012:function:order-processor"]

    condition {
      test     = "ForAllValues:StringEquals"
      variable = "aws:TagKeys"
      values   = ["team"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:RequestTag/team"
      values   = ["orders"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:RequestedRegion"
      values   = ["us-east-1"]
    }
  }

  statement {
    sid    = "S3F381D7CA"
    effect = "Allow"
    actions = [
      "s3:CreateBucket",
      "s3:PutBucketObjectLockConfiguration",
      "s3:PutBucketVersioning",
    ]
    resources = ["arn:aws:s3:::example-new-bucket"]

    condition {
      test     = "StringEquals"
      variable = "aws:RequestedRegion"
      values   = ["us-east-1"]
    }
  }

  statement {
    sid       = "S381BFB341"
    effect    = "Allow"
    actions   = ["s3:GetObject"]
    resources = ["arn:aws:s3:::example-app-bucket/reports/2026/01/summary.csv"]

    condition {
      test     = "StringEquals"
      variable = "aws:RequestedRegion"
      values   = ["us-east-1"]
    }
  }

  statement {
    sid       = "S3178F68BB"
    effect    = "Allow"
    actions   = ["s3:ListBucket"]
    resources = ["arn:aws:s3:::example-app-bucket"]

    condition {
      test     = "StringEquals"
      variable = "aws:RequestedRegion"
      values   = ["us-east-1"]
    }

    condition {
      test     = "StringEquals"
      variable = "s3:prefix"
      values   = ["reports/2026/"]
    }
  }

  statement {
    sid     = "S3D72402C7"
    effect  = "Allow"
    actions = ["s3:PutObject"]
    resources = [
      "arn:aws:s3:::example-app-bucket/secure/data.bin",
      "arn:aws:s3:::example-backup-bucket/backup/reports/2026/01/summary.csv",
    ]

    condition {
      test     = "StringEquals"
      variable = "aws:RequestedRegion"
      values   = ["us-east-1"]
    }
  }

  statement {
    sid    = "SqsCCE3FD39"
    effect = "Allow"
    actions = [
      "sqs:ReceiveMessage",
      "sqs:SendMessage",
    ]
    resources = ["arn:aws:sqs:us-east-1:123456789012:orders"]

    condition {
      test     = "StringEquals"
      variable = "aws:RequestedRegion"
      values   = ["us-east-1"]
    }
  }

  statement {
    sid    = "StsB846DD9C"
    effect = "Allow"
    actions = [
      "sts:AssumeRole",
      "sts:TagSession",
    ]
    resources = ["arn:aws:iam::210987654321:role/cross-account-reader"]

    condition {
      test     = "ForAllValues:StringEquals"
      variable = "aws:TagKeys"
      values   = ["project"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:RequestTag/project"
      values   = ["atlas"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:RequestedRegion"
      values   = ["us-east-1"]
    }
  }
}
