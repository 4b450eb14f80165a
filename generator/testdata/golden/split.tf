data "aws_iam_policy_document" "iamwatch_1" {
  statement {
    sid     = "Lambda09A8C634"
    effect  = "Allow"
    actions = ["lambda:InvokeFunction"]
    resources = [
      "arn:aws:lambda:us-east-1:123456789012:function:fn-00",
      "arn:aws:lambda:us-east-1:123456789012:function:fn-01",
      "arn:aws:lambda:us-east-1:123456789012:function:fn-02",
      "arn:aws:lambda:us-east-1:123456789012:function:fn-03",
      "arn:aws:lambda:us-east-1:123456789012:function:fn-04",
      "arn:aws:lambda:us-east-1:123456789012:function:fn-05",
      "arn:aws:lambda:us-east-1:123456789012:function:fn-06",
      "arn:aws:lambda:us-east-1:123456789012:function:fn-07",
      "arn:aws:lambda:us-east-1:123456789012:function:fn-08",
      "arn:aws:lambda:us-east-1:123456789012:function:fn-09",
      "arn:aws:lambda:us-east-1:123456789012:function:fn-10",
      "arn:aws:lambda:us-east-1:123456789012:function:fn-11",
    ]
  }

  statement {
    sid     = "S309B5E8DD"
    effect  = "Allow"
    actions = ["s3:GetObject"]
    resources = [
      "arn:aws:s3:::a-bucket-with-a-long-name/some/deep/prefix/object-052.json",
      "arn:aws:s3:::a-bucket-with-a-long-name/some/deep/prefix/object-053.json",
      "arn:aws:s3:::a-bucket-with-a-long-name/some/deep/prefix/object-054.json",
      "arn:aws:s3:::a-bucket-with-a-long-name/some/deep/prefix/object-055.json",
      "arn:aws:s3:::a-bucket-with-a-long-name/some/deep/prefix/object-056.json",
      "arn:aws:s3:::a-bucket-with-a-long-name/some/deep/prefix/object-057.json",
      "arn:aws:s3:::a-bucket-with-a-long-name/some/deep/prefix/object-058.json",
      "arn:aws:s3:::a-bucket-with-a-long-name/some/deep/prefix/object-059.json",
    ]
  }

  statement {
    sid       = "StsD6779180"
    effect    = "Allow"
    actions   = ["sts:GetCallerIdentity"]
    resources = ["*"]
  }
}

data "aws_iam_policy_document" "iamwatch_2" {
  statement {
    sid     = "S36558D07B"
    effect  = "Allow"
    actions = ["s3:GetObject"]
    resources = [
      "arn:aws:s3:::a-bucket-with-a-long-name/some/deep/prefix/object-000.json",
      "arn:aws:s3:::a-bucket-with-a-long-name/some/deep/prefix/object-001.json",
      "arn:aws:s3:::a-bucket-with-a-long-name/some/deep/prefix/object-002.json",
      "arn:aws:s3:::a-bucket-with-a-long-name/some/deep/prefix/object-003.json",
      "arn:aws:s3:::a-bucket-with-a-long-name/some/deep/prefix/object-004.json",
      "arn:aws:s3:::a-bucket-with-a-long-name/some/deep/prefix/object-005.json",
      "arn:aws:s3:::a-bucket-with-a-long-name/some/deep/prefix/object-006.json",
      "arn:aws:s3:::a-bucket-with-a-long-name/some/deep/prefix/object-007.json",
      "arn:aws:s3:::a-bucket-with-a-long-name/some/deep/prefix/object-008.json",
      "arn:aws:s3:::a-bucket-with-a-long-name/some/deep/prefix/object-009.json",
      "arn:aws:s3:::a-bucket-with-a-long-name/some/deep/prefix/object-010.json",
      "arn:aws:s3:::a-bucket-with-a-long-name/some/deep/prefix/object-011.json",
      "arn:aws:s3:::a-bucket-with-a-long-name/some/deep/prefix/object-012.json",
      "arn:aws:s3:::a-bucket-with-a-long-name/some/deep/prefix/object-013.json",
      "arn:aws:s3:::a-bucket-with-a-long-name/some/deep/prefix/object-014.json",
      "arn:aws:s3:::a-bucket-with-a-long-name/some/deep/prefix/object-015.json",
      "arn:aws:s3:::a-bucket-with-a-long-name/some/deep/prefix/object-016.json",
      "arn:aws:s3:::a-bucket-with-a-long-name/some/deep/prefix/object-017.json",
      "arn:aws:s3:::a-bucket-with-a-long-name/some/deep/prefix/object-018.json",
      "arn:aws:s3:::a-bucket-with-a-long-name/some/deep/prefix/object-019.json",
      "arn:aws:s3:::a-bucket-with-a-long-name/some/deep/prefix/object-020.json",
      "arn:aws:s3:::a-bucket-with-a-long-name/some/deep/prefix/object-021.json",
      "arn:aws:s3:::a-bucket-with-a-long-name/some/deep/prefix/object-022.json",
      "arn:aws:s3:::a-bucket-with-a-long-name/some/deep/prefix/object-023.json",
      "arn:aws:s3:::a-bucket-with-a-long-name/some/deep/prefix/object-024.json",
      "arn:aws:s3:::a-bucket-with-a-long-name/some/deep/prefix/object-025.json",
    ]
  }
}

data "aws_iam_policy_document" "iamwatch_3" {
  statement {
    sid     = "S3C37D4DD0"
    effect  = "Allow"
    actions = ["s3:GetObject"]
    resources = [
      "arn:aws:s3:::a-bucket-with-a-long-name/some/deep/prefix/object-026.json",
      "arn:aws:s3:::a-bucket-with-a-long-name/some/deep/prefix/object-027.json",
      "arn:aws:s3:::a-bucket-with-a-long-name/some/deep/prefix/object-028.json",
      "arn:aws:s3:::a-bucket-with-a-long-name/some/deep/prefix/object-029.json",
      "arn:aws:s3:::a-bucket-with-a-long-name/some/deep/prefix/object-030.json",
      "arn:aws:s3:::a-bucket-with-a-long-name/some/deep/prefix/object-031.json",
      "arn:aws:s3:::a-bucket-with-a-long-name/some/deep/prefix/object-032.json",
      "arn:aws:s3:::a-bucket-with-a-long-name/some/deep/prefix/object-033.json",
      "arn:aws:s3:::a-bucket-with-a-long-name/some/deep/prefix/object-034.json",
      "arn:aws:s3:::a-bucket-with-a-long-name/some/deep/prefix/object-035.json",
      "arn:aws:s3:::a-bucket-with-a-long-name/some/deep/prefix/object-036.json",
      "arn:aws:s3:::a-bucket-with-a-long-name/some/deep/prefix/object-037.json",
      "arn:aws:s3:::a-bucket-with-a-long-name/some/deep/prefix/object-038.json",
      "arn:aws:s3:::a-bucket-with-a-long-name/some/deep/prefix/object-039.json",
      "arn:aws:s3:::a-bucket-with-a-long-name/some/deep/prefix/object-040.json",
      "arn:aws:s3:::a-bucket-with-a-long-name/some/deep/prefix/object-041.json",
      "arn:aws:s3:::a-bucket-with-a-long-name/some/deep/prefix/object-042.json",
      "arn:aws:s3:::a-bucket-with-a-long-name/some/deep/prefix/object-043.json",
      "arn:aws:s3:::a-bucket-with-a-long-name/some/deep/prefix/object-044.json",
      "arn:aws:s3:::a-bucket-with-a-long-name/some/deep/prefix/object-045.json",
      "arn:aws:s3:::a-bucket-with-a-long-name/some/deep/prefix/object-046.json",
      "arn:aws:s3:::a-bucket-with-a-long-name/some/deep/prefix/object-047.json",
      "arn:aws:s3:::a-bucket-with-a-long-name/some/deep/prefix/object-048.json",
      "arn:aws:s3:::a-bucket-with-a-long-name/some/deep/prefix/object-049.json",
      "arn:aws:s3:::a-bucket-with-a-long-name/some/deep/prefix/object-050.json",
      "arn:aws:s3:::a-bucket-with-a-long-name/some/deep/prefix/object-051.json",
    ]
  }
}

data "aws_iam_policy_document" "iamwatch_4" {
  statement {
    sid     = "SnsC69E317A"
    effect  = "Allow"
    actions = ["sns:Publish"]
    resources = [
      "arn:aws:sns:us-east-1:123456789012:topic-00",
      "arn:aws:sns:us-east-1:123456789012:topic-01",
      "arn:aws:sns:us-east-1:123456789012:topic-02",
      "arn:aws:sns:us-east-1:123456789012:topic-03",
      "arn:aws:sns:us-east-1:123456789012:topic-04",
      "arn:aws:sns:us-east-1:123456789012:topic-05",
      "arn:aws:sns:us-east-1:123456789012:topic-06",
      "arn:aws:sns:us-east-1:123456789012:topic-07",
      "arn:aws:sns:us-east-1:123456789012:topic-08",
      "arn:aws:sns:us-east-1:123456789012:topic-09",
      "arn:aws:sns:us-east-1:123456789012:topic-10",
      "arn:aws:sns:us-east-1:123456789012:topic-11",
    ]
  }

  statement {
    sid     = "SqsFCBAF947"
    effect  = "Allow"
    actions = ["sqs:SendMessage"]
    resources = [
      "arn:aws:sqs:us-east-1:123456789012:queue-00",
      "arn:aws:sqs:us-east-1:123456789012:queue-01",
      "arn:aws:sqs:us-east-1:123456789012:queue-02",
      "arn:aws:sqs:us-east-1:123456789012:queue-03",
      "arn:aws:sqs:us-east-1:123456789012:queue-04",
      "arn:aws:sqs:us-east-1:123456789012:queue-05",
      "arn:aws:sqs:us-east-1:123456789012:queue-06",
      "arn:aws:sqs:us-east-1:123456789012:queue-07",
      "arn:aws:sqs:us-east-1:123456789012:queue-08",
      "arn:aws:sqs:us-east-1:123456789012:queue-09",
      "arn:aws:sqs:us-east-1:123456789012:queue-10",
      "arn:aws:sqs:us-east-1:123456789012:queue-11",
    ]
  }
}
