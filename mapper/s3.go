package mapper

import (
	"strings"

	"github.com/iamwatch/iamwatch"
	servicemaps "github.com/iamwatch/iamwatch/service-maps"
)

// adjustS3 rewrites an S3 call's actions for what S3 really authorizes when
// the bucket is not a plain bucket:
//
//   - an access point ARN (or an access point host) as the bucket: the
//     resources are the access point and its objects
//     (accesspoint/NAME/object/KEY), and an Object Lambda or Outposts access
//     point takes its own action prefix;
//   - a directory bucket (NAME--AZ--x-s3): control-plane operations take the
//     s3express action of the same name, and everything else is authorized
//     by s3express:CreateSession on the bucket.
func adjustS3(m *servicemaps.Maps, out []iamwatch.ActionUse, c *tctx) []iamwatch.ActionUse {
	bucket := c.params.First("Bucket")
	switch {
	case strings.HasPrefix(bucket, "arn:"):
		return adjustAccessPoint(m, out, c)
	case strings.HasSuffix(bucket, "--x-s3"):
		return adjustDirectoryBucket(m, out, c, bucket)
	}
	return out
}

func adjustAccessPoint(m *servicemaps.Maps, out []iamwatch.ActionUse, c *tctx) []iamwatch.ActionUse {
	plain := "arn:" + c.partition + ":s3:::"
	for i := range out {
		a := &out[i]
		prefix, name, _ := strings.Cut(a.Action, ":")
		if prefix != "s3" {
			continue
		}
		newPrefix := ""
		for j, r := range a.Resources {
			inner, ok := strings.CutPrefix(r, plain)
			if !ok || !strings.HasPrefix(inner, "arn:") {
				continue
			}
			svc := arnField(inner, 2)
			res := arnField(inner, 5)
			base := inner[:len(inner)-len(res)]
			// accesspoint/NAME[/KEY] or outpost/ID/accesspoint/NAME[/KEY]
			head, key := splitAccessPoint(res)
			if head == "" {
				continue
			}
			if key != "" {
				a.Resources[j] = base + head + "/object/" + key
			} else {
				a.Resources[j] = base + head
			}
			if svc != "s3" {
				newPrefix = svc
			}
		}
		if newPrefix != "" && m.Action(newPrefix+":"+name) != nil {
			a.Action = newPrefix + ":" + m.Action(newPrefix+":"+name).Name
		}
	}
	return mergeActions(out)
}

// mergeActions folds entries for the same action into the first one: a
// required entry wins over a possible one, and resources add up.
func mergeActions(out []iamwatch.ActionUse) []iamwatch.ActionUse {
	merged := out[:0]
	for _, a := range out {
		found := false
		for i := range merged {
			if !strings.EqualFold(merged[i].Action, a.Action) {
				continue
			}
			found = true
			m := &merged[i]
			switch {
			case m.Possible && !a.Possible:
				*m = a // what is required wins; the possible entry's resources go
			case m.Possible == a.Possible:
				m.Resources = dedupe(append(m.Resources, a.Resources...))
				m.Exact = m.Exact && a.Exact
			}
			break
		}
		if !found {
			merged = append(merged, a)
		}
	}
	// A "*" among specific resources makes the others moot.
	for i := range merged {
		for _, r := range merged[i].Resources {
			if r == "*" && len(merged[i].Resources) > 1 {
				merged[i].Resources = []string{"*"}
				break
			}
		}
	}
	return merged
}

// splitAccessPoint splits an access point resource into the access point
// and the object key after it.
func splitAccessPoint(res string) (head, key string) {
	i := strings.Index(res, "accesspoint/")
	if i < 0 {
		return "", ""
	}
	rest := res[i+len("accesspoint/"):]
	name, key, _ := strings.Cut(rest, "/")
	key = strings.TrimPrefix(key, "object/")
	return res[:i] + "accesspoint/" + name, key
}

func adjustDirectoryBucket(m *servicemaps.Maps, out []iamwatch.ActionUse, c *tctx, bucket string) []iamwatch.ActionUse {
	account := c.account
	if account == "" {
		account = "*"
	}
	region := c.region
	if region == "" {
		region = "*"
	}
	arn := "arn:" + c.partition + ":s3express:" + region + ":" + account + ":bucket/" + bucket
	var adjusted []iamwatch.ActionUse
	add := func(u iamwatch.ActionUse) {
		for i := range adjusted {
			if adjusted[i].Action == u.Action {
				if adjusted[i].Possible && !u.Possible {
					adjusted[i] = u
				}
				return
			}
		}
		adjusted = append(adjusted, u)
	}
	for _, a := range out {
		prefix, name, _ := strings.Cut(a.Action, ":")
		if prefix != "s3" && prefix != "s3express" {
			add(a) // KMS and other services keep their own resources
			continue
		}
		if a.Possible && prefix == "s3" {
			continue // S3's optional companions do not apply to directory buckets
		}
		u := iamwatch.ActionUse{Action: "s3express:CreateSession", Resources: []string{arn}, Exact: true,
			Possible: a.Possible, Reason: "directory buckets authorize data access with a session from s3express:CreateSession"}
		if cat := m.Action("s3express:" + name); cat != nil {
			u.Action, u.Level, u.Reason = "s3express:"+cat.Name, cat.Level, a.Reason
		}
		if cat := m.Action(u.Action); cat != nil {
			u.Level = cat.Level
			if len(cat.ResourceTypes) == 0 {
				u.Resources = []string{"*"}
			}
		}
		add(u)
	}
	return adjusted
}
