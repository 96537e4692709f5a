package web

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"html/template"
	"image/png"
	"net/http"
	"strings"

	"github.com/pquerna/otp"

	"github.com/carrel-library/carrel/internal/library"
)

// enrolPage is the data of the two-factor set-up page.
type enrolPage struct {
	base
	Forced bool   // the library requires codes for this admin: no desk until done
	Setup  string // the secret sealed for this session (library.TOTPSetup.Sealed), carried in the form so a wrong code can be retried
	Secret string // the secret in groups of four, to type into an app
	QR     template.URL
	Link   template.URL // the otpauth:// URL as a link, which a phone opens in its app
	Errors formErrors
	Next   string
	Flash  bool // codes were just set up
}

// staffEnrolForm starts setting up two-factor codes: for an admin who must
// have them before using the desk (at sign-in), or for any staff member
// who chooses to (from the desk). Each visit shows a new secret, which the
// page's form carries sealed; nothing is stored until a code from it is
// confirmed, so the page may be reloaded or left at will.
func (s *Server) staffEnrolForm(w http.ResponseWriter, r *http.Request, v *staffVisit) error {
	if v.sess.Stage == library.StageCode {
		return s.afterStaffSignIn(w, r, v.sess.Stage, staffNext(r.URL.Query().Get("next")))
	}
	p := s.newEnrolPage(r, v)
	p.Flash = r.URL.Query().Get("done") == "two_factor"
	if p.Flash {
		return s.render(w, r, http.StatusOK, "staff_enrol", p)
	}
	setup, err := s.svc.BeginTOTP(r.Context(), v.token)
	if err != nil {
		return err
	}
	if err := p.show(setup); err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "staff_enrol", p)
}

func (s *Server) newEnrolPage(r *http.Request, v *staffVisit) *enrolPage {
	p := &enrolPage{base: s.staffBase(r, v, "staff_enrol", m("desk.title.two_factor")), Forced: v.sess.Stage == library.StageEnrol}
	p.CSRF = v.sess.CSRFToken
	p.Next = staffNext(r.FormValue("next"))
	return p
}

// show fills in the secret, its QR code and the sealed set-up.
func (p *enrolPage) show(setup library.TOTPSetup) error {
	key, err := otp.NewKeyFromURL(setup.URL)
	if err != nil || !strings.HasPrefix(setup.URL, "otpauth://totp/") || key.Type() != "totp" || key.Secret() == "" {
		return fmt.Errorf("web: two-factor set-up URL not understood: %w", err)
	}
	p.Setup, p.Link = setup.Sealed, template.URL(setup.URL)
	var groups []string
	secret := key.Secret()
	for i := 0; i < len(secret); i += 4 {
		groups = append(groups, secret[i:min(i+4, len(secret))])
	}
	p.Secret = strings.Join(groups, " ")
	img, err := key.Image(200, 200)
	if err != nil {
		return nil // the secret alone will do
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil
	}
	p.QR = template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(buf.Bytes()))
	return nil
}

// staffEnrol confirms the set-up with a code from the app. The session is
// replaced by a new one; a session at sign-in is then signed in. A wrong
// or missing code shows the same secret again; a set-up that has expired,
// or whose sealed field was changed or comes from another session, is
// refused and a new secret shown, to scan again.
func (s *Server) staffEnrol(w http.ResponseWriter, r *http.Request, v *staffVisit) error {
	p := s.newEnrolPage(r, v)
	sealed, code := r.PostForm.Get("setup"), r.PostForm.Get("code")
	var err error
	var in library.StaffSignedIn
	if strings.TrimSpace(code) == "" {
		p.Errors = formErrors{{"code", m("desk.code.missing")}}
	} else if in, err = s.svc.ConfirmTOTP(r.Context(), v.token, sealed, code, v.by.Addr); err == nil {
		s.setStaffSession(w, in.Token)
		if p.Forced {
			return redirect(w, r, p.Next)
		}
		return redirect(w, r, "/staff/two-factor?done=two_factor")
	}
	switch {
	case errors.Is(err, library.ErrCodeWrong):
		p.Errors = formErrors{{"code", m("desk.enrol.code_wrong")}}
	case err != nil:
		if !errors.Is(err, library.ErrTOTPSetupGone) {
			return err
		}
	}
	setup, err := s.svc.TOTPSetupAgain(r.Context(), v.token, sealed)
	if errors.Is(err, library.ErrTOTPSetupGone) {
		// Expired, changed, or another session's: a new secret, to scan again.
		p.Errors = formErrors{{"code", m("desk.enrol.setup_gone")}}
		setup, err = s.svc.BeginTOTP(r.Context(), v.token)
	}
	if err != nil {
		return err
	}
	if err := p.show(setup); err != nil {
		return err
	}
	return s.render(w, r, http.StatusUnprocessableEntity, "staff_enrol", p)
}
