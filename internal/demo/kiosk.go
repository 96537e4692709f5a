package demo

import (
	"context"
	"fmt"
	"io"

	"github.com/carrel-library/carrel/internal/library"
)

// Kiosk is the demo's SIP2 account, for trying a self-check machine or a
// SIP2 client against `carrel serve --demo --sip2 ADDR`.
var Kiosk = struct {
	Login, Password, Institution, Location string
}{Login: "kiosk1", Password: "self-check-ground-floor", Institution: "HKCT", Location: "MAIN-GF"}

// addKiosk creates the demo SIP2 account.
func addKiosk(ctx context.Context, svc *library.Service) error {
	_, err := svc.AddSIPAccount(ctx, library.SIPAccount{Login: Kiosk.Login, Institution: Kiosk.Institution,
		Location: Kiosk.Location, LoginRequired: true, RequirePIN: true}, Kiosk.Password)
	return err
}

// PrintSIP2 writes how a SIP2 client signs in to the demo at addr.
func PrintSIP2(w io.Writer, addr string) {
	fmt.Fprintf(w, "Demo SIP2 kiosk (%s): login %s, password %s, institution %s\n",
		addr, Kiosk.Login, Kiosk.Password, Kiosk.Institution)
	fmt.Fprintln(w, "  Patrons use their own PINs over SIP2; a preset PIN must be changed in My Account first.")
}
