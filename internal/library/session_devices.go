package library

import (
	"context"
	"encoding/base64"
)

// A patron's list of signed-in devices: every live session of theirs, with
// when it began, when it was last used and a coarse label of the device,
// from which they can end one session or all of them.

// deviceKey is the context key under which a sign-in's device label travels.
type deviceKey struct{}

// maxDeviceLabel bounds a device label: two short words and a slash.
const maxDeviceLabel = 32

// WithDevice returns ctx carrying the label of the device a sign-in comes
// from, which the session it opens keeps for the patron's list of
// signed-in devices. A label is one or two words of lower-case letters, a
// browser and a system joined by a slash ("firefox/windows", "/android",
// "kiosk"); anything else is dropped, so no other text a client sends, and
// never a whole User-Agent, can reach the database. The label travels in
// the context because only the web entrance sees a browser, and a sign-in
// without one (SIP2, the command line) simply has none.
func WithDevice(ctx context.Context, label string) context.Context {
	if !validDeviceLabel(label) {
		label = ""
	}
	return context.WithValue(ctx, deviceKey{}, label)
}

// deviceOf returns the device label ctx carries, or "".
func deviceOf(ctx context.Context) string {
	label, _ := ctx.Value(deviceKey{}).(string)
	return label
}

func validDeviceLabel(label string) bool {
	if len(label) > maxDeviceLabel {
		return false
	}
	slashes := 0
	for _, r := range label {
		switch {
		case r == '/':
			slashes++
		case r < 'a' || r > 'z':
			return false
		}
	}
	return slashes <= 1
}

// newPublicID returns 128 random bits, URL-safe: the name of a session on
// its patron's list. It is not derived from the token, so showing it gives
// nothing to sign in with.
func newPublicID() string { return base64.RawURLEncoding.EncodeToString(randomBytes(16)) }

// live reports whether a stored session is still signed in at the
// service's now: neither idle too long nor past its absolute end.
func (s *Service) live(sess Session) bool {
	now := s.now()
	return now.Before(sess.ExpiresAt) && now.Sub(sess.LastSeenAt) < s.cfg.Session.IdleTimeout.D()
}

// PatronSessions returns the patron's sessions that are still signed in,
// most recently used first. Sessions that have timed out but not yet been
// swept are left out: they can no longer be used.
func (s *Service) PatronSessions(ctx context.Context, patronID int64) ([]Session, error) {
	var all []Session
	err := s.store.View(ctx, func(tx Tx) error {
		var err error
		all, err = tx.PatronSessions(patronID)
		return err
	})
	if err != nil {
		return nil, err
	}
	out := all[:0]
	for _, sess := range all {
		if s.live(sess) {
			out = append(out, sess)
		}
	}
	return out, nil
}

// EndSession ends the session named publicID of the patron signed in on
// current (current itself included) and reports whether there was one. A
// session of another patron is never touched and is reported as none,
// exactly like a public id that never existed, so that asking tells a
// patron nothing about anyone else's sessions.
func (s *Service) EndSession(ctx context.Context, current Session, publicID string) (bool, error) {
	var ended bool
	err := s.store.Update(ctx, func(tx Tx) error {
		var err error
		ended, err = tx.DeletePatronSession(current.PatronID, publicID)
		if err != nil || !ended {
			return err
		}
		return s.audit(tx, "patron", current.PatronID, "signout.device", "")
	})
	return ended, err
}

// SignOutEverywhere ends every session of the patron signed in on current,
// current included: the way out after leaving a public computer signed in.
func (s *Service) SignOutEverywhere(ctx context.Context, current Session) error {
	return s.store.Update(ctx, func(tx Tx) error {
		if err := tx.DeletePatronSessions(current.PatronID, 0); err != nil {
			return err
		}
		return s.audit(tx, "patron", current.PatronID, "signout.everywhere", "")
	})
}
