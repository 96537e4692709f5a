package sip2

import (
	"errors"

	"github.com/carrel-library/carrel/internal/i18n"
	"github.com/carrel-library/carrel/internal/library"
	"github.com/carrel-library/carrel/internal/metrics"
)

// pinCheck is what became of the patron password (AD) of a request.
type pinCheck struct {
	sent    bool // the request had an AD field
	verdict library.PINVerdict
	message string // the screen message for a PIN not accepted
}

// accepted reports whether the PIN was sent and is the patron's own.
func (p pinCheck) accepted() bool { return p.sent && p.verdict == library.PINRight }

// checkPIN verifies the request's AD for patron barcode aa, through the
// library's throttled check, counted against the barcode and this kiosk's
// login. An empty AD is "no PIN" (CQN) and counts no failure: many kiosks
// send AD empty when they do not ask for one. A PIN verified on this
// connection for the same patron is not hashed again while the patron's
// PIN stays the one verified (library.Service.ReusePIN).
func (c *conn) checkPIN(aa []byte) (pinCheck, error) {
	ad, sent := c.req.Field("AD")
	if !sent {
		return pinCheck{}, nil
	}
	out := pinCheck{sent: true, verdict: library.PINWrong}
	if len(ad) == 0 {
		return out, nil
	}
	barcode := library.NormalizeBarcode(string(aa))
	reused, err := c.srv.svc.ReusePIN(c.srv.ctx, c.verified, barcode, string(ad))
	if err != nil {
		return out, err
	}
	if reused {
		out.verdict = library.PINRight
		return out, nil
	}
	c.verified = library.PINCheck{}
	check, err := c.srv.svc.VerifyPIN(c.srv.ctx, *c.account, c.clientHost(), barcode, string(ad))
	var locked *library.LockedError
	switch {
	case errors.As(err, &locked):
		c.srv.metrics.Locked(metrics.ChannelSIP2)
		out.message = c.t("sip2.locked", "time", i18n.Clock(locked.Until.In(c.srv.cfg.Location())))
		return out, nil
	case err != nil:
		return out, err
	}
	out.verdict = check.Verdict
	switch check.Verdict {
	case library.PINRight:
		c.verified = check
	case library.PINNotChosen:
		out.message = c.t("sip2.pin_not_chosen")
	default:
		c.srv.metrics.SignInFailed(metrics.ChannelSIP2)
		out.message = c.t("sip2.pin_wrong")
	}
	return out, nil
}

// forgetPatron ends the patron session on this connection: the verified
// PIN is forgotten and the language goes back to English.
func (c *conn) forgetPatron() {
	c.verified = library.PINCheck{}
	c.lang = c.srv.en
}
