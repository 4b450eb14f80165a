data "aws_iam_policy_document" "iamwatch" {
  statement {
    sid    = "MultiService3D2EAFF1"
    effect = "Allow"
    actions = [
      "s3:GetObject",
      "s3:PutObject",
      "sqs:SendMessage",
    ]
    resources = ["*"]
  }
}
