package sip2

import "github.com/carrel-library/carrel/internal/library"

// SIP2 language codes (the three-digit language field) that Carrel answers
// in Traditional Chinese: 019 Chinese and 027 Taiwanese. Every other code
// gets English.
const (
	langChinese   = "019"
	langTaiwanese = "027"
)

// setLanguage remembers the language a request's three-digit language
// field asks for; requests without one (checkout, checkin...) are answered
// in the language of the patron session's last request that had one.
func (c *conn) setLanguage(code []byte) {
	switch string(code) {
	case langChinese, langTaiwanese:
		c.lang = c.srv.zh
	default:
		c.lang = c.srv.en
	}
}

// t returns a screen message in the session's language, with the library's
// phone and email available to every message.
func (c *conn) t(key string, args ...any) string {
	return c.lang.T(key, append(args, "phone", c.srv.cfg.Phone, "email", c.srv.cfg.Email)...)
}

// reason says why a library rule refused, in the patron's terms.
func (c *conn) reason(r *library.Refusal) string {
	key := "reason." + string(r.Reason)
	if !c.lang.Has(key) {
		key = "reason.other"
	}
	return c.t(key, "n", r.Limit, "date", r.Date(), "balance", r.Balance, "threshold", r.Threshold)
}

// standing says why a patron may not borrow at all: a card holder is told
// to register with library staff (R4), anyone else why.
func (c *conn) standing(r *library.Refusal) string {
	if r.Reason == library.ReasonNotRegistered {
		return c.t("sip2.not_registered")
	}
	return c.t("sip2.cannot_borrow", "reason", c.reason(r))
}

// failure turns an error that is not a rule's refusal into a screen
// message, logging it when it is Carrel's fault. Nothing the client sent is
// logged, so no PIN or password can end up in a log.
func (c *conn) failure(err error) string {
	if library.IsCode(err, library.EUNAVAILABLE) {
		return c.t("sip2.busy")
	}
	c.srv.log.Error("sip2: transaction failed", "message", codeNames[c.req.Code], "account", c.actor, "err", err)
	return c.t("sip2.failed")
}

// institution is what the replies give as AO: the account's institution.
func (c *conn) institution() string {
	if c.account == nil {
		return ""
	}
	return c.account.Institution
}

// blockNotice is what staff chose to tell a blocked patron, with the way
// out, in the session's language; "" when the refusal is no block or the
// patron is not to see its message.
func (c *conn) blockNotice(r *library.Refusal) string {
	if r.Reason != library.ReasonBlocked || !r.Notice.Visible() {
		return ""
	}
	if r.Notice.Reason == "" {
		return c.t("block.notice.own", "message", r.Notice.Text)
	}
	br, ok := c.srv.cfg.BlockReason(r.Notice.Reason)
	if !ok {
		return ""
	}
	w := c.lang.BlockWords(br, "phone", c.srv.cfg.Phone, "email", c.srv.cfg.Email)
	return c.t("block.notice.configured", "message", w.Message, "way_out", w.WayOut)
}
