package web

import (
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/carrel-library/carrel/internal/i18n"
	"github.com/carrel-library/carrel/internal/library"
)

// blockForm is what the desk's block form offers: the library's block
// reasons, in the staff member's language, and whether the message is to
// be shown to the patron (ticked unless staff untick it).
type blockForm struct {
	Choices []blockChoice
	Shown   bool
}

// blockChoice is one configured block reason in the form.
type blockChoice struct {
	Key     string
	Name    string
	Message string // what the patron reads, with the way out
}

// The block form's choice of message that is no configured reason.
const (
	blockMessageNone = ""    // the patron is told only to contact staff
	blockMessageOwn  = "own" // staff write the message
)

// newBlockForm lists the library's block reasons for the form.
func (s *Server) newBlockForm(r *http.Request) blockForm {
	pr := s.printer(r)
	f := blockForm{Shown: true}
	for _, br := range s.cfg.BlockReasons {
		w := pr.BlockWords(br, s.contactArgs()...)
		f.Choices = append(f.Choices, blockChoice{Key: br.Key, Name: w.Name, Message: strings.TrimSpace(w.Message + " " + w.WayOut)})
	}
	return f
}

// contactArgs are the library's phone and email, for block words.
func (s *Server) contactArgs() []any { return []any{"phone", s.cfg.Phone, "email", s.cfg.Email} }

// noticeText is what a block notice tells the patron in pr's language:
// the configured reason's message and way out, or staff's own words.
func (s *Server) noticeText(pr *i18n.Printer, n library.BlockNotice) (message, wayOut string) {
	if n.Reason == "" {
		return n.Text, ""
	}
	br, ok := s.cfg.BlockReason(n.Reason)
	if !ok {
		// A reason since taken out of the configuration: its key is all
		// there is, which says nothing to a patron.
		return "", ""
	}
	w := pr.BlockWords(br, s.contactArgs()...)
	return w.Message, w.WayOut
}

// deskNotice says to staff what the blocked patron p is told; nil when p
// is not blocked.
func (s *Server) deskNotice(r *http.Request, p library.Patron) *msg {
	if p.BlockedReason == "" {
		return nil
	}
	message, wayOut := s.noticeText(s.printer(r), p.BlockNotice)
	text := strings.TrimSpace(message + " " + wayOut)
	x := m("desk.block.told_nothing")
	switch {
	case text == "":
	case p.BlockNotice.Shown:
		x = m("desk.block.told", "message", text)
	default:
		x = m("desk.block.not_told", "message", text)
	}
	return &x
}

// patronNotice says to the patron why the account is blocked and the way
// out, when staff chose to show them a message; nil otherwise, and the
// neutral "contact library staff" stands.
func (s *Server) patronNotice(r *http.Request, rf *library.Refusal, key string) *msg {
	if rf == nil || rf.Reason != library.ReasonBlocked || !rf.Notice.Visible() {
		return nil
	}
	message, wayOut := s.noticeText(s.printer(r), rf.Notice)
	if message == "" {
		return nil
	}
	x := m(key+".own", "message", message, "phone", telLink(s.cfg.Phone), "email", mailtoLink(s.cfg.Email))
	if rf.Notice.Reason != "" {
		x = m(key+".configured", "message", message, "way_out", wayOut)
	}
	return &x
}

// staffBlock blocks the patron, with a reason staff see and a message for
// the patron: one of the library's block reasons, or staff's own words,
// shown to the patron or not.
func (s *Server) staffBlock(w http.ResponseWriter, r *http.Request, v *staffVisit) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	b := library.Block{Reason: strings.TrimSpace(r.PostForm.Get("block_reason")),
		Notice: library.BlockNotice{Shown: r.PostForm.Get("block_shown") == "on"}}
	choice := r.PostForm.Get("block_message")
	fail := func(field string, x msg) error {
		return s.renderPatron(w, r, v, id, http.StatusUnprocessableEntity, func(p *patronPage) {
			p.Errors = formErrors{{field, x}}
			for _, f := range []string{"block_reason", "block_message", "block_text"} {
				p.Form[f] = r.PostForm.Get(f)
			}
			p.Block.Shown = b.Notice.Shown
		})
	}
	switch choice {
	case blockMessageNone:
	case blockMessageOwn:
		b.Notice.Text = strings.TrimSpace(r.PostForm.Get("block_text"))
		if b.Notice.Text == "" {
			return fail("block_text", m("desk.block.text_missing"))
		}
	default:
		br, ok := s.cfg.BlockReason(choice)
		if !ok {
			return fail("block_message", m("desk.block.message_bad"))
		}
		b.Notice.Reason = br.Key
		if b.Reason == "" {
			b.Reason = s.printer(r).BlockWords(br, s.contactArgs()...).Name
		}
	}
	switch {
	case b.Reason == "":
		return fail("block_reason", m("desk.block.reason_missing"))
	case strings.ContainsAny(b.Reason+b.Notice.Text, "\r\n") || utf8.RuneCountInString(b.Reason) > library.MaxBlockText:
		return fail("block_reason", m("desk.block.reason_long"))
	case utf8.RuneCountInString(b.Notice.Text) > library.MaxBlockText:
		return fail("block_text", m("desk.block.reason_long"))
	}
	if _, err := s.svc.BlockPatronWith(r.Context(), v.by, id, b); err != nil {
		return err
	}
	return patronDone(w, r, id, "blocked")
}
