package web

import (
	"net/http"
	"time"
)

// sessionsPath is the patron's list of signed-in devices.
const sessionsPath = "/account/sessions"

// sessionsPage is the data of the list of signed-in devices.
type sessionsPage struct {
	base
	Rows  []sessionRow
	Idle  int  // minutes of idleness that end a session
	Flash *msg // a device just signed out, or none to sign out
}

// sessionRow is one signed-in device as the list shows it.
type sessionRow struct {
	PublicID string
	Device   msg
	Started  time.Time
	LastUsed time.Time
	Current  bool // the device this page is shown on
}

// sessionsDone are the notices the list shows after a POST, by the done
// parameter it redirects with.
var sessionsDone = map[string]string{
	"ended": "sessions.done.ended",
	"gone":  "sessions.done.gone",
	// The page asked for before signing in, reached after choosing a PIN.
	"pin": "account.pin_changed",
}

// sessions lists the devices the patron is signed in on.
func (s *Server) sessions(w http.ResponseWriter, r *http.Request, v *visit) error {
	live, err := s.svc.PatronSessions(r.Context(), v.patron.ID)
	if err != nil {
		return err
	}
	p := &sessionsPage{
		base: s.signedInBase(r, v, "sessions", m("title.sessions")),
		Idle: int(s.cfg.Session.IdleTimeout.D() / time.Minute),
		Rows: make([]sessionRow, 0, len(live)),
	}
	for _, sess := range live {
		p.Rows = append(p.Rows, sessionRow{
			PublicID: sess.PublicID,
			Device:   s.deviceWords(sess.Device),
			Started:  sess.CreatedAt,
			LastUsed: sess.LastSeenAt,
			Current:  sess.ID == v.sess.ID,
		})
	}
	if key, ok := sessionsDone[r.URL.Query().Get("done")]; ok {
		p.Flash = &msg{Key: key}
	}
	return s.render(w, r, http.StatusOK, "sessions", p)
}

// endSession signs out one device of the patron's, named by its public id
// in the device field. A public id of another patron's session gets
// exactly the answer of one that does not exist, and changes nothing.
// Ending the device the request comes from is Log out.
func (s *Server) endSession(w http.ResponseWriter, r *http.Request, v *visit) error {
	publicID := r.PostForm.Get("device")
	ended, err := s.svc.EndSession(r.Context(), v.sess, publicID)
	if err != nil {
		return err
	}
	switch {
	case !ended:
		return redirect(w, r, sessionsPath+"?done=gone")
	case publicID == v.sess.PublicID:
		s.clearSession(w)
		return redirect(w, r, loginPath+"?signed_out=1")
	}
	return redirect(w, r, sessionsPath+"?done=ended")
}

// endAllSessions signs the patron out on every device, this one too, and
// shows the sign-in page with its notice.
func (s *Server) endAllSessions(w http.ResponseWriter, r *http.Request, v *visit) error {
	if err := s.svc.SignOutEverywhere(r.Context(), v.sess); err != nil {
		return err
	}
	s.clearSession(w)
	return redirect(w, r, loginPath+"?signed_out=1")
}
