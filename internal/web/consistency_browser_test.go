package web_test

import (
	"encoding/json"
	"strconv"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/carrel-library/carrel/internal/library"
)

// linesOfNone counts, for each "沒有" (no fine) in the loans table, the
// lines its two characters take.
const linesOfNone = `(() => {
	const out = [];
	const w = document.createTreeWalker(document.querySelector("table.loans"), NodeFilter.SHOW_TEXT);
	for (let n; (n = w.nextNode()); ) {
		if (n.textContent.trim() !== "沒有") continue;
		const r = document.createRange();
		r.selectNodeContents(n);
		out.push(new Set([...r.getClientRects()].filter(x => x.width > 0).map(x => Math.round(x.top))).size);
	}
	return JSON.stringify(out);
})()`

// badgeGap measures, on the list of signed-in devices, the space between
// this device's name and its "This device" badge.
const badgeGap = `(() => {
	const th = document.querySelector("tr.current th");
	const badge = th.querySelector(".badge").getBoundingClientRect();
	const r = document.createRange();
	r.selectNodeContents(th.firstChild);
	const rects = [...r.getClientRects()].filter(x => x.width > 0);
	const name = rects[rects.length - 1];
	const sameLine = name.top < badge.bottom && badge.top < name.bottom;
	return JSON.stringify({sameLine, gap: sameLine ? badge.left - name.right : badge.top - name.bottom});
})()`

// TestBrowserConsistency shows in real Chromium that "沒有" (no fine)
// stays on one line on the Chinese record and at the desk, at a phone's
// width and a desktop's, and that the "This device" badge stands apart
// from the device's name.
func TestBrowserConsistency(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	f := newPhonePatron(t)
	f.staff("dee", library.RoleDesk)
	ctx := newBrowser(t)
	do := func(what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, steps...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	eval := func(js string, v any) {
		t.Helper()
		raw, err := chromedp.Run(ctx, chromedp.Evaluate[string](js))
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal([]byte(raw), v); err != nil {
			t.Fatal(err)
		}
	}
	do("sign in",
		chromedp.Navigate(f.url+"/account/login"),
		chromedp.WaitVisible(chromedp.ID("barcode")),
		chromedp.SendKeys(chromedp.ID("barcode"), f.p.Barcode),
		chromedp.SendKeys(chromedp.ID("pin"), "reading-room-7"),
		follow(chromedp.ID("ok")),
		chromedp.WaitVisible(chromedp.CSS("table.loans")),
	)
	for _, w := range []int64{390, 1280} {
		do("open the devices", chromedp.EmulateViewport(w, 844), chromedp.Navigate(f.url+"/account/sessions"), chromedp.WaitVisible(chromedp.ID("sessions")))
		var g struct {
			SameLine bool    `json:"sameLine"`
			Gap      float64 `json:"gap"`
		}
		eval(badgeGap, &g)
		t.Logf("at %d px: badge on the name's line %v, %.1f px from it", w, g.SameLine, g.Gap)
		if min := map[bool]float64{true: 6, false: 2}[g.SameLine]; g.Gap < min {
			t.Errorf("at %d px: the badge is %.1f px from the device's name, want at least %.0f", w, g.Gap, min)
		}
		checkAxe(t, ctx, "the devices at "+strconv.FormatInt(w, 10)+" px")
	}

	do("switch to Chinese",
		chromedp.Navigate(f.url+"/account"),
		follow(chromedp.CSS(`button[name="lang"][value="zh-Hant-HK"]`)),
		chromedp.WaitVisible(chromedp.CSS(`html[lang="zh-Hant-HK"] table.loans`)),
	)
	do("staff sign in",
		chromedp.Navigate(f.url+"/staff/login"),
		chromedp.WaitVisible(chromedp.ID("username")),
		chromedp.SendKeys(chromedp.ID("username"), "dee"),
		chromedp.SendKeys(chromedp.ID("password"), deskPassword),
		follow(chromedp.ID("sign-in")),
		chromedp.WaitVisible(chromedp.ID("q")),
	)
	for _, page := range []string{"/account", "/staff/patrons/" + idOf(f.p.ID)} {
		for _, w := range []int64{390, 768, 1280} {
			do("open "+page,
				chromedp.EmulateViewport(w, 844),
				chromedp.Navigate(f.url+page),
				chromedp.WaitVisible(chromedp.CSS("table.loans")),
			)
			// Every loan's details open, where the record keeps its fines.
			if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`[...document.querySelectorAll("table.loans details")].every(d => d.open = true)`)); err != nil {
				t.Fatal(err)
			}
			var lines []int
			eval(linesOfNone, &lines)
			t.Logf("%s at %d px: lines of each 沒有 %v", page, w, lines)
			if len(lines) == 0 {
				t.Errorf("%s at %d px: no 沒有 in the loans", page, w)
			}
			for _, n := range lines {
				if n != 1 {
					t.Errorf("%s at %d px: 沒有 takes %d lines", page, w, n)
				}
			}
		}
	}
}
