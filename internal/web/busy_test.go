package web_test

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/carrel-library/carrel/internal/library"
)

// TestBusySignIn proves what a sign-in gets when PIN hashing is at its
// limit: 503 with Retry-After and a page saying the PIN (at the desk, the
// password) was not checked, with a link back to the form, in the
// language asked for. Twenty sign-ins race for two slots and a queue of one.
func TestBusySignIn(t *testing.T) {
	l := newLibrary(t, nil)
	for i := range 20 {
		p := l.patron(fmt.Sprintf("28%06d", i), fmt.Sprint("Student ", i), nil)
		l.chosenPIN(p, "reading-room-7")
		l.staff(fmt.Sprintf("desk%02d", i), library.RoleDesk)
	}
	l.svc.Hasher().SetQueueLimit(1)

	pages := []struct {
		path, lang string
		form       func(i int) url.Values
		want       []string
	}{
		{"/account/login", "en", func(i int) url.Values {
			return url.Values{"barcode": {fmt.Sprintf("28%06d", i)}, "pin": {"reading-room-7"}}
		}, []string{"Many people are signing in right now", "Your PIN was not checked", `href="/account/login"`, "Sign in again"}},
		{"/account/login", "zh-Hant-HK", func(i int) url.Values {
			return url.Values{"barcode": {fmt.Sprintf("28%06d", i)}, "pin": {"reading-room-7"}}
		}, []string{"現時有很多人同時登入", `href="/account/login"`, "再次登入"}},
		{"/staff/login", "en", func(i int) url.Values {
			return url.Values{"username": {fmt.Sprintf("desk%02d", i)}, "password": {deskPassword}}
		}, []string{"Many people are signing in right now", "Your password was not checked", `href="/staff/login"`}},
	}
	hc := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{DisableKeepAlives: true},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for _, pg := range pages {
		var mu sync.Mutex
		var busyPage string
		busy, other := 0, map[int]int{}
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range 20 {
			wg.Go(func() {
				<-start
				req, _ := http.NewRequest("POST", l.url+pg.path, strings.NewReader(pg.form(i).Encode()))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				req.Header.Set("Accept-Language", pg.lang)
				res, err := hc.Do(req)
				if err != nil {
					t.Errorf("%s: %v", pg.path, err)
					return
				}
				b, _ := io.ReadAll(res.Body)
				res.Body.Close()
				mu.Lock()
				defer mu.Unlock()
				if res.StatusCode == http.StatusServiceUnavailable && res.Header.Get("Retry-After") == "5" {
					busy++
					busyPage = string(b)
				} else {
					other[res.StatusCode]++
				}
			})
		}
		close(start)
		wg.Wait()
		if busy == 0 {
			t.Errorf("%s (%s): no sign-in turned away with 503 and Retry-After: 5; answers %v", pg.path, pg.lang, other)
			continue
		}
		if len(other) != 1 || other[http.StatusSeeOther] == 0 {
			t.Errorf("%s (%s): answers other than busy %v, want only 303s", pg.path, pg.lang, other)
		}
		for _, w := range pg.want {
			if !strings.Contains(busyPage, w) {
				t.Errorf("%s (%s): busy page lacks %q:\n%s", pg.path, pg.lang, w, busyPage)
			}
		}
	}
}
