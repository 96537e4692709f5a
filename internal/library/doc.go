// Package library is Carrel's domain: patrons, items, loans, fines, PINs and
// sessions, the library's rules about them, and the service that every
// entrance (web, SIP2, CLI) calls. It imports neither database/sql nor
// net/http; storage implements the Store interface declared here.
package library
