package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/chromedp"
)

// axe-core, the accessibility engine, is what the browser tests inject into
// a page to check it against WCAG 2.2 A and AA: the npm package at the
// repository's root (package.json; `npm ci` installs it, as .ci/run does).
// Nothing of it is served by Carrel.
var (
	axeOnce   sync.Once
	axeSource string
	axeErr    error
)

// axeScript returns axe-core's script. Without it the check is skipped,
// unless CARREL_TEST_CHROMIUM is set (as CI sets it), when a missing engine
// fails the test, as a missing browser does.
func axeScript(t *testing.T) string {
	t.Helper()
	axeOnce.Do(func() {
		var b []byte
		b, axeErr = os.ReadFile(filepath.Join("..", "..", "node_modules", "axe-core", "axe.min.js"))
		axeSource = string(b)
	})
	if axeErr != nil {
		if os.Getenv("CARREL_TEST_CHROMIUM") != "" {
			t.Fatalf("CARREL_TEST_CHROMIUM is set but axe-core is missing (run npm ci at the repository's root): %v", axeErr)
		}
		t.Skipf("axe-core is missing (npm ci at the repository's root installs it): %v", axeErr)
	}
	return axeSource
}

// axeViolation is one rule a page breaks, with the elements that break it.
type axeViolation struct {
	ID    string `json:"id"`
	Help  string `json:"help"`
	Nodes []struct {
		Target []string `json:"target"`
	} `json:"nodes"`
}

// String names the rule and the first elements that break it.
func (v axeViolation) String() string {
	var where []string
	for i, n := range v.Nodes {
		if i == 3 {
			where = append(where, fmt.Sprintf("and %d more", len(v.Nodes)-3))
			break
		}
		where = append(where, strings.Join(n.Target, " "))
	}
	return fmt.Sprintf("%s (%s): %s", v.ID, v.Help, strings.Join(where, "; "))
}

// checkAxe runs axe-core on the page the browser shows now, for the rules of
// WCAG 2.0, 2.1 and 2.2 at levels A and AA, and fails the test for every
// violation, naming the page state what.
func checkAxe(t *testing.T, ctx context.Context, what string) {
	t.Helper()
	violations := axeRun(t, ctx)
	for _, v := range violations {
		t.Errorf("axe-core on %s: %s", what, v)
	}
}

// axeRun injects axe-core into the page (once per document) and returns
// what it finds.
func axeRun(t *testing.T, ctx context.Context) []axeViolation {
	t.Helper()
	src := axeScript(t)
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`typeof axe !== "undefined" || (function(){`+src+`
;return true})()`)); err != nil {
		t.Fatalf("inject axe-core: %v", err)
	}
	out, err := chromedp.Run(ctx, chromedp.Evaluate[string](`axe.run(document, {
	runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]},
	resultTypes: ["violations"]
}).then(r => JSON.stringify(r.violations))`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("run axe-core: %v", err)
	}
	var vs []axeViolation
	if err := json.Unmarshal([]byte(out), &vs); err != nil {
		t.Fatalf("axe-core's answer: %v", err)
	}
	return vs
}

// TestAxeFindsViolations proves the check can fail: a page with an image
// without a text alternative and a field without a label breaks two rules.
func TestAxeFindsViolations(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	axeScript(t)
	ctx := newBrowser(t)
	page := `data:text/html,<!doctype html><html lang="en"><title>t</title><main><img src="x.png"><input type="text"></main>`
	if err := chromedp.Do(ctx, chromedp.Navigate(page)); err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, v := range axeRun(t, ctx) {
		got[v.ID] = true
	}
	for _, want := range []string{"image-alt", "label"} {
		if !got[want] {
			t.Errorf("axe-core did not report %s on a page that breaks it; it reported %v", want, got)
		}
	}
}
