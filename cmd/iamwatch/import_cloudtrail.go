package main

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/iamwatch/iamwatch"
	"github.com/iamwatch/iamwatch/mapper"
	"github.com/iamwatch/iamwatch/proxy/cloudtrail"
	"github.com/iamwatch/iamwatch/store"
)

type importCloudTrailOptions struct {
	session string
	output  string
}

// importCloudTrailJSON is `import cloudtrail --output json`: a documented
// contract.
type importCloudTrailJSON struct {
	SchemaVersion int      `json:"schema_version"`
	Session       string   `json:"session"`
	Files         int      `json:"files"`
	FailedFiles   []string `json:"failed_files"`
	Events        int      `json:"events"`
	Added         int64    `json:"added"`
	AlreadyStored int64    `json:"already_stored"`
	Unrecognized  int      `json:"unrecognized"`
	Skipped       int      `json:"skipped_records"`
	// Unseen are the kinds of calls the logs cannot show.
	Unseen []gapJSON `json:"unseen"`
}

type gapJSON struct {
	Kind    string   `json:"kind"`
	Service string   `json:"service,omitempty"`
	Actions []string `json:"actions"`
	Note    string   `json:"note"`
}

// unseenLabel is the session label that names what the last CloudTrail
// import into the session could not see ("none" when nothing).
const unseenLabel = "cloudtrail.unseen"

func (a *app) importCloudTrailCommand() *cobra.Command {
	var o importCloudTrailOptions
	cmd := &cobra.Command{
		Use:   "cloudtrail [--session NAME] FILE|DIR...",
		Short: "Import CloudTrail logs: a trail's log files (.json.gz, .json) or `aws cloudtrail lookup-events` output",
		Long: `Map the API calls of CloudTrail records to the IAM actions they need and add
them to a session, as if iamwatch had watched them. Each FILE is a trail's
log file as delivered to S3 (gzipped or not), the JSON output of
'aws cloudtrail lookup-events', or records one per line; each DIR is walked
for *.json, *.json.gz and *.jsonl files (a trail's CloudTrail-Digest files
are skipped). Files are read record by record, so a directory of any size
takes little memory.

Every event is kept: sign-ins, Insights, events AWS generated and calls an
AWS service made under its own identity are stored as unrecognized calls
with the reason. A call is identified by its eventID, so importing the same
logs twice adds nothing.

CloudTrail logs what a trail is set to log. After the import, iamwatch
says what the logs cannot show: data events (S3 object reads and writes,
Lambda invocations, DynamoDB item operations, SQS messages...) of services
whose management events appear, and read-only events when only writes
appear. The policy cannot grant what the logs do not show; the session's
"` + unseenLabel + `" label records it.`,
		Example: `  aws s3 sync s3://my-trail-bucket/AWSLogs/111122223333/CloudTrail/us-east-1/2026/03/ ./trail
  iamwatch import cloudtrail --session orders ./trail
  aws cloudtrail lookup-events --start-time 2026-03-14 > events.json
  iamwatch import cloudtrail events.json
  iamwatch policy --session orders`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkOutput(o.output); err != nil {
				return err
			}
			return a.importCloudTrail(cmd.Context(), o, args)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.session, "session", "", "session to add the calls to (default: cloudtrail- and the first input's name)")
	f.StringVarP(&o.output, "output", "o", "text", "output format: text or json")
	f.String("db", "", "database file (default $IAMWATCH_HOME/iamwatch.db)")
	return cmd
}

func (a *app) importCloudTrail(ctx context.Context, o importCloudTrailOptions, args []string) error {
	files, err := cloudTrailFiles(args)
	if err != nil {
		return err
	}
	session := o.session
	if session == "" {
		session = cloudTrailSessionName(args)
	}
	ix, err := a.loadIndex()
	if err != nil {
		return err
	}
	db, err := a.openStoreWrite(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	if session, err = db.Session(ctx, session, nil); err != nil {
		return usageError{fmt.Errorf("--session: %w", err)}
	}
	before, err := storedCalls(ctx, db)
	if err != nil {
		return err
	}

	out := importCloudTrailJSON{SchemaVersion: 1, Session: session, Files: len(files), FailedFiles: []string{}}
	imp := &ctImporter{ix: ix, db: db, session: session}
	for _, path := range files {
		if ctx.Err() != nil {
			return errInterrupted
		}
		st, err := imp.file(ctx, path)
		out.Events += st.Events
		out.Skipped += st.Skipped
		if err != nil {
			if ctx.Err() != nil {
				return errInterrupted
			}
			// One bad file does not stop the others; the exit code says.
			fmt.Fprintf(a.stderr, "iamwatch: warning: %s: %v (its %d events before that were imported)\n", path, err, st.Events)
			out.FailedFiles = append(out.FailedFiles, path)
		}
	}
	if err := db.Flush(ctx); err != nil {
		return err
	}
	after, err := storedCalls(ctx, db)
	if err != nil {
		return err
	}
	out.Added = after - before
	out.AlreadyStored = int64(out.Events) - out.Added
	out.Unrecognized = imp.unrecognized

	gaps := imp.cov.Gaps()
	out.Unseen = []gapJSON{}
	var names []string
	for _, g := range gaps {
		acts := g.Actions
		if acts == nil {
			acts = []string{}
		}
		out.Unseen = append(out.Unseen, gapJSON{Kind: g.Kind, Service: g.Service, Actions: acts, Note: g.Note})
		names = append(names, strings.TrimPrefix(g.Service+" "+g.Kind, " "))
	}
	label := "none"
	if len(names) > 0 {
		label = strings.Join(names, ", ")
	}
	if _, err := db.Session(ctx, session, map[string]string{unseenLabel: label}); err != nil {
		return err
	}
	if err := db.Close(); err != nil {
		return err
	}

	for _, g := range gaps {
		fmt.Fprintf(a.stderr, "iamwatch: note: %s\n", g.Note)
	}
	if o.output == "json" {
		if err := writeJSON(a.stdout, out); err != nil {
			return err
		}
	} else {
		fmt.Fprintf(a.stderr, "iamwatch: imported %d CloudTrail events from %d files into session %q: %d calls added, %d already there, %d unrecognized\n",
			out.Events, out.Files, session, out.Added, out.AlreadyStored, out.Unrecognized)
		if out.Skipped > 0 {
			fmt.Fprintf(a.stderr, "iamwatch: %d records named no event and were skipped\n", out.Skipped)
		}
		fmt.Fprintf(a.stderr, "iamwatch: next: iamwatch policy --session %s\n", shellQuote(session))
	}
	if n := len(out.FailedFiles); n > 0 {
		return hintError{fmt.Errorf("%d of %d files could not be read to the end", n, len(files)),
			"fix or remove them and run the same import again: what was imported is not imported twice"}
	}
	return nil
}

// ctImporter maps and stores the events of one import.
type ctImporter struct {
	ix           *mapper.Index
	db           *store.DB
	session      string
	cov          cloudtrail.Coverage
	unrecognized int
}

func (imp *ctImporter) file(ctx context.Context, path string) (cloudtrail.Stats, error) {
	f, err := os.Open(path)
	if err != nil {
		return cloudtrail.Stats{}, err
	}
	defer f.Close()
	return cloudtrail.Decode(f, func(e *cloudtrail.Event) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		imp.cov.Add(e)
		rec := imp.record(e)
		if !rec.Recognized {
			imp.unrecognized++
		}
		return imp.db.Add(ctx, rec)
	})
}

// record maps e into the record the store keeps.
func (imp *ctImporter) record(e *cloudtrail.Event) *iamwatch.Record {
	var call iamwatch.Call
	if why := e.NotAPICall(); why != "" {
		call = iamwatch.Call{Service: strings.TrimSuffix(e.Service, ".amazonaws.com"), Operation: e.API,
			Region: e.Region, AccountID: e.AccountID, Reason: why}
	} else {
		call = imp.ix.MapNamed(&e.Observation, e.Resources)
	}
	if call.AccountID == "" {
		call.AccountID = e.AccountID
	}
	return &iamwatch.Record{
		UID:          e.UID(),
		Session:      imp.session,
		Time:         e.Time,
		Source:       iamwatch.SourceCloudTrail,
		AccessKeyID:  e.AccessKeyID,
		PrincipalARN: e.PrincipalARN,
		Call:         call,
		ErrorCode:    e.ErrorCode,
	}
}

// storedCalls counts the calls of every session: the uid of a call is
// unique across them, so the difference is what an import added.
func storedCalls(ctx context.Context, db *store.DB) (int64, error) {
	list, err := db.Sessions(ctx)
	if err != nil {
		return 0, err
	}
	var n int64
	for _, s := range list {
		n += int64(s.Calls)
	}
	return n, nil
}

// cloudTrailFiles expands the arguments: files as they are, directories
// walked (in lexical order) for the files a trail delivers.
func cloudTrailFiles(args []string) ([]string, error) {
	var files []string
	for _, arg := range args {
		fi, err := os.Stat(arg)
		if err != nil {
			return nil, hintError{fmt.Errorf("import cloudtrail: %w", err), "pass log files or the directory they were synced to, e.g. aws s3 sync s3://BUCKET/AWSLogs/ ./trail"}
		}
		if !fi.IsDir() {
			files = append(files, arg)
			continue
		}
		n := len(files)
		err = filepath.WalkDir(arg, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() {
				if path != arg && (d.Name() == "CloudTrail-Digest" || strings.HasPrefix(d.Name(), ".")) {
					return filepath.SkipDir
				}
				return nil
			}
			name := strings.ToLower(d.Name())
			for _, ext := range []string{".json", ".json.gz", ".jsonl", ".jsonl.gz"} {
				if strings.HasSuffix(name, ext) {
					files = append(files, path)
					break
				}
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("walk %s: %w", arg, err)
		}
		if len(files) == n {
			return nil, hintError{fmt.Errorf("no CloudTrail log files (*.json, *.json.gz, *.jsonl) under %s", arg),
				"pass the directory that holds AWSLogs/ACCOUNT/CloudTrail/REGION/..., or the files themselves"}
		}
	}
	return files, nil
}

// cloudTrailSessionName names a session after the inputs: "cloudtrail-"
// and the first one's base name without extensions, and "+N" for N more.
func cloudTrailSessionName(args []string) string {
	base := filepath.Base(filepath.Clean(args[0]))
	for {
		ext := filepath.Ext(base)
		if ext == "" || ext == base || !isLogExt(ext) {
			break
		}
		base = strings.TrimSuffix(base, ext)
	}
	base = strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f {
			return -1
		}
		return r
	}, base)
	if base == "" || base == "." || base == string(filepath.Separator) {
		base = "logs"
	}
	if len(base) > 200 {
		base = base[:200]
	}
	name := "cloudtrail-" + base
	if len(args) > 1 {
		name += fmt.Sprintf("+%d", len(args)-1)
	}
	return name
}

func isLogExt(ext string) bool {
	switch strings.ToLower(ext) {
	case ".gz", ".json", ".jsonl":
		return true
	}
	return false
}

// shellQuote quotes s for a shell when it needs it.
func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_.+/:=@%", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
