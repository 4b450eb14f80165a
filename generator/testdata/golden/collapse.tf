data "aws_iam_policy_document" "iamwatch" {
  statement {
    sid     = "Dynamodb3C7444E5"
    effect  = "Allow"
    actions = ["dynamodb:GetItem"]
    resources = [
      "arn:aws:dynamodb:us-east-1:123456789012:table/t0",
      "arn:aws:dynamodb:us-east-1:123456789012:table/t1",
      "arn:aws:dynamodb:us-east-1:123456789012:table/t2",
      "arn:aws:dynamodb:us-east-1:123456789012:table/t3",
      "arn:aws:dynamodb:us-east-1:123456789012:table/t4",
      "arn:aws:dynamodb:us-east-1:123456789012:table/t5",
    ]
  }

  statement {
    sid       = "Dynamodb7295E1DE"
    effect    = "Allow"
    actions   = ["dynamodb:Query"]
    resources = ["arn:aws:dynamodb:us-east-1:123456789012:table/orders/index/*"]
  }

  statement {
    sid     = "IamF45EAE93"
    effect  = "Allow"
    actions = ["iam:PassRole"]
    resources = [
      "arn:aws:iam::123456789012:role/service/fn-0",
      "arn:aws:iam::123456789012:role/service/fn-1",
      "arn:aws:iam::123456789012:role/service/fn-2",
      "arn:aws:iam::123456789012:role/service/fn-3",
      "arn:aws:iam::123456789012:role/service/fn-4",
      "arn:aws:iam::123456789012:role/service/fn-5",
    ]
  }

  statement {
    sid       = "Logs5A3437F5"
    effect    = "Allow"
    actions   = ["logs:PutLogEvents"]
    resources = ["arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/orders:log-stream:2026/01/05/*"]
  }

  statement {
    sid     = "S3724300B5"
    effect  = "Allow"
    actions = ["s3:DeleteObject"]
    resources = [
      "arn:aws:s3:::app-data/tmp/0",
      "arn:aws:s3:::app-data/tmp/1",
      "arn:aws:s3:::app-data/tmp/2",
      "arn:aws:s3:::app-data/tmp/3",
      "arn:aws:s3:::app-data/tmp/4",
    ]
  }

  statement {
    sid     = "S3F6EC0E6C"
    effect  = "Allow"
    actions = ["s3:GetObject"]
    resources = [
      "arn:aws:s3:::app-data/uploads/2026/01/*",
      "arn:aws:s3:::app-data/uploads/2026/02/file-0.json",
      "arn:aws:s3:::app-data/uploads/2026/02/file-1.json",
      "arn:aws:s3:::app-data/uploads/2026/02/file-2.json",
    ]
  }

  statement {
    sid     = "S35170CA80"
    effect  = "Allow"
    actions = ["s3:ListBucket"]
    resources = [
      "arn:aws:s3:::bucket-0",
      "arn:aws:s3:::bucket-1",
      "arn:aws:s3:::bucket-2",
      "arn:aws:s3:::bucket-3",
      "arn:aws:s3:::bucket-4",
      "arn:aws:s3:::bucket-5",
      "arn:aws:s3:::bucket-6",
      "arn:aws:s3:::bucket-7",
    ]
  }

  statement {
    sid     = "S3089B364A"
    effect  = "Allow"
    actions = ["s3:PutObject"]
    resources = [
      "arn:aws:s3:::app-data/*",
      "arn:aws:s3:::other-bucket/k0",
      "arn:aws:s3:::other-bucket/k1",
    ]
  }
}
