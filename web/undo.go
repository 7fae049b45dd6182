package web

import (
	"errors"
	"fmt"
	"time"

	"github.com/courtesyhq/courtesy"
	"github.com/courtesyhq/courtesy/consent"
)

// undoWindow is how long after an unsubscribe its page may undo it: long
// enough to notice a wrong click, too short for an old email in other
// hands to restore consent its owner withdrew.
const undoWindow = 10 * time.Minute

// errNotUndoable is an undo that is not the person's own correction of what
// they just did.
var errNotUndoable = errors.New("nothing to undo")

// undoable reports whether the latest record of purpose is a withdrawal made
// through the unsubscribe link of messageKey within undoWindow of now, and
// that link has not undone one before.
func undoable(hist []courtesy.ConsentRecord, messageKey, purpose string, now time.Time) error {
	var latest *courtesy.ConsentRecord
	for _, r := range consent.Sorted(hist) {
		if r.Purpose != purpose || r.RecordedAt.After(now) {
			continue
		}
		if r.Status == courtesy.Granted && r.Source == sourcePage && r.MessageKey == messageKey {
			return fmt.Errorf("%w: this link undid an unsubscribe before", errNotUndoable)
		}
		latest = &r
	}
	switch {
	case latest == nil || latest.Status != courtesy.Withdrawn:
		return fmt.Errorf("%w: %q is not withdrawn", errNotUndoable, purpose)
	case latest.MessageKey != messageKey || (latest.Source != sourceOneClick && latest.Source != sourcePage):
		return fmt.Errorf("%w: the withdrawal in force was not made by this link", errNotUndoable)
	case now.Sub(latest.RecordedAt) > undoWindow:
		return fmt.Errorf("%w: the withdrawal is older than %s", errNotUndoable, undoWindow)
	}
	return nil
}
