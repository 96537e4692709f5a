package web_test

import (
	"net/http"
	"net/url"
	"os"
	"testing"
	"time"
)

// TestMeasureWrongOldPINsPerSecond is a measurement, not a test: run with
// CARREL_MEASURE=1, it posts wrong old PINs to Change Password from one
// signed-in session for one second and logs how many were checked (422)
// and what answered the rest. It asserts nothing and is skipped otherwise.
func TestMeasureWrongOldPINsPerSecond(t *testing.T) {
	if os.Getenv("CARREL_MEASURE") == "" {
		t.Skip("a measurement: set CARREL_MEASURE=1 to run it")
	}
	l := newLibrary(t, nil)
	p := l.patron("24062953", "Chan Tai Man", nil)
	l.chosenPIN(p, "reading-room-7")
	c := l.client()
	c.mustSignIn(p.Barcode, "reading-room-7", "/account")
	page := c.get("/account/password")
	form := url.Values{"csrf": {csrf(t, page.body)}, "old_pin": {"wrong-pin-1"},
		"new_pin": {"lantern-by-the-pier-9"}, "confirm_pin": {"lantern-by-the-pier-9"}}
	checked, other := 0, map[int]int{}
	for end := time.Now().Add(time.Second); time.Now().Before(end); {
		if res := c.post("/account/password", form); res.status == http.StatusUnprocessableEntity {
			checked++
		} else {
			other[res.status]++
		}
	}
	t.Logf("in 1 s from one session: %d wrong old PINs checked; other answers by status: %v", checked, other)
}
