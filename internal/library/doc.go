// Package library is Carrel's domain: patrons, items, loans, fines, PINs and
// sessions, the library's rules about them, and the service that every
// entrance (web, SIP2, CLI) calls. It imports neither database/sql nor
// net/http; storage implements the Store interface declared here.
//
// The staff desk signs staff in with StaffSignIn (then StaffSignInCode or
// BeginTOTP/ConfirmTOTP when the session's Stage asks) and checks each
// request with AuthenticateStaff. Every desk method takes the Actor of the
// request, made with Staff.Actor(clientAddr): it decides what the role may
// do (EFORBIDDEN otherwise) and is recorded, with the address, in the audit
// log. Forms that change something carry a NewRequestToken, so that the
// same form submitted twice acts once (ErrAlreadyDone).
package library
