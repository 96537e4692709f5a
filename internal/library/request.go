package library

// ErrAlreadyDone says a desk request was already carried out: the same form
// was submitted twice (a double click, a reload, the back button). The
// second submission changes nothing.
var ErrAlreadyDone = &Error{Code: ECONFLICT, Message: "this request was already carried out"}

// NewRequestToken returns a fresh token for a desk form. The web puts one in
// every form that changes something and passes it back with the request
// (CheckoutRequest.RequestToken and the like), so that the form submitted
// twice acts once.
func NewRequestToken() string { return newToken() }

// requestTokenMaxLen bounds a token a client sends.
const requestTokenMaxLen = 128

// claimRequest records, in the transaction of the action, that the request
// with the token is carried out; ErrAlreadyDone when it was already. An
// empty token claims nothing (the command line, machines).
func (s *Service) claimRequest(tx Tx, token, action string, by Actor) error {
	if token == "" {
		return nil
	}
	if len(token) > requestTokenMaxLen {
		return Errorf(EINVALID, "request token too long")
	}
	err := tx.ClaimRequest(token, action, by.Name, s.now())
	if IsCode(err, ECONFLICT) {
		return ErrAlreadyDone
	}
	return err
}
