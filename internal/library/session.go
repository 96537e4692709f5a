package library

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"time"
)

// sessionTouchEvery limits how often activity is written back, so that a
// page view is not always a database write; the idle timeout is measured
// from the last write, so it may fall short by at most this much.
const sessionTouchEvery = 30 * time.Second

// ErrNoSession says a session token is unknown, ended or timed out.
var ErrNoSession = &Error{Code: EUNAUTHORIZED, Message: "no such session"}

// newToken returns 256 random bits, URL-safe.
func newToken() string { return base64.RawURLEncoding.EncodeToString(randomBytes(32)) }

func randomBytes(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms
	return b
}

// TokenHash is what is stored in place of a session token.
func TokenHash(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// openSession creates a fresh session with a new random id for p. A new id
// at every sign-in means a token planted before sign-in is worthless. The
// session keeps the coarse device label ctx carries (WithDevice), and
// whether p signed in with the barcode preset.
func (s *Service) openSession(ctx context.Context, tx Tx, p Patron) (SignedIn, error) {
	now := s.now()
	token := newToken()
	sess := Session{
		TokenHash:  TokenHash(token),
		PatronID:   p.ID,
		CSRFToken:  newToken(),
		CreatedAt:  now,
		LastSeenAt: now,
		ExpiresAt:  now.Add(s.cfg.Session.AbsoluteTimeout.D()),
		PublicID:   newPublicID(),
		Device:     deviceOf(ctx),
		// Only a PIN that is right opens a session: on the barcode preset,
		// the patron has just typed it.
		PresetProved: p.PIN.Kind == PINPreset && p.PIN.Hash == "",
	}
	if err := tx.CreateSession(&sess); err != nil {
		return SignedIn{}, err
	}
	return SignedIn{Token: token, Session: sess, Patron: p}, nil
}

// Authenticate returns the session for token and its patron, or
// ErrNoSession when the token is unknown, signed out, idle too long or past
// its absolute end.
func (s *Service) Authenticate(ctx context.Context, token string) (Session, Patron, error) {
	if token == "" {
		return Session{}, Patron{}, ErrNoSession
	}
	now := s.now()
	var sess Session
	var p Patron
	err := s.store.View(ctx, func(tx Tx) error {
		var err error
		if sess, err = tx.SessionByTokenHash(TokenHash(token)); err != nil {
			return err
		}
		p, err = tx.PatronByID(sess.PatronID)
		return err
	})
	if IsCode(err, ENOTFOUND) {
		return Session{}, Patron{}, ErrNoSession
	}
	if err != nil {
		return Session{}, Patron{}, err
	}
	if !now.Before(sess.ExpiresAt) || now.Sub(sess.LastSeenAt) >= s.cfg.Session.IdleTimeout.D() || !p.Registered() {
		_ = s.store.Update(ctx, func(tx Tx) error { return tx.DeleteSession(sess.ID) })
		return Session{}, Patron{}, ErrNoSession
	}
	if now.Sub(sess.LastSeenAt) >= sessionTouchEvery {
		sess.LastSeenAt = now
		if err := s.store.Update(ctx, func(tx Tx) error { return tx.TouchSession(sess.ID, now) }); err != nil {
			return Session{}, Patron{}, err
		}
	}
	return sess, p, nil
}

// SignOut ends the session with the given token. Ending an unknown session is not an error.
func (s *Service) SignOut(ctx context.Context, token string) error {
	return s.store.Update(ctx, func(tx Tx) error {
		sess, err := tx.SessionByTokenHash(TokenHash(token))
		if IsCode(err, ENOTFOUND) {
			return nil
		}
		if err != nil {
			return err
		}
		if err := tx.DeleteSession(sess.ID); err != nil {
			return err
		}
		return s.audit(tx, "patron", sess.PatronID, "signout", "")
	})
}
