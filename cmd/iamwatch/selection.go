package main

import (
	"context"
	"fmt"

	"github.com/iamwatch/iamwatch/store"
)

// selectSessions completes f for the commands that read one session by
// default (policy, diff, report): without --session, --label or --all it
// selects the latest session and says so on stderr (what names the
// command's output, e.g. "policy for"). It also says, for the selected
// sessions imported from CloudTrail, which evidence the logs lacked: a
// policy made from them cannot include what the trail did not log.
func (a *app) selectSessions(ctx context.Context, db *store.DB, f *store.Filter, all bool, what string) ([]store.SessionInfo, error) {
	sessions, err := db.Sessions(ctx)
	if err != nil {
		return nil, err
	}
	if len(f.Sessions) == 0 && len(f.Labels) == 0 && !all {
		if len(sessions) == 0 {
			return nil, hintError{fmt.Errorf("no sessions in %s", db.Path()), "iamwatch run -- YOUR COMMAND"}
		}
		latest := sessions[0]
		for _, s := range sessions[1:] {
			if s.Created.After(latest.Created) {
				latest = s
			}
		}
		f.Sessions = []string{latest.Name}
		fmt.Fprintf(a.stderr, "iamwatch: %s session %q (--session S or --all for others)\n", what, latest.Name)
	}
	for _, s := range sessions {
		unseen := s.Labels[unseenLabel]
		if unseen == "" || (len(f.Sessions) > 0 && !containsValue(f.Sessions, s.Name)) {
			continue
		}
		fmt.Fprintf(a.stderr, "iamwatch: note: session %q comes from CloudTrail logs without %s: the actions only those events show are missing from it\n", s.Name, unseen)
	}
	return sessions, nil
}
