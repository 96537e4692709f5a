package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestLanguage proves the language comes from the switch's cookie, else
// Accept-Language, else English, and that Chinese pages write dates and
// money the Chinese way.
func TestLanguage(t *testing.T) {
	l, _, c, _ := signedInPatron(t)
	anon := l.client()
	cases := []struct{ accept, lang, heading string }{
		{"", "en", "Borrowing Record"},
		{"zh-Hant-HK", "zh-Hant-HK", "借閱紀錄"},
		{"zh-HK,zh;q=0.9,en;q=0.8", "zh-Hant-HK", "借閱紀錄"},
		{"zh-TW", "zh-Hant-HK", "借閱紀錄"},
		{"fr-FR,fr;q=0.9", "en", "Borrowing Record"},
	}
	for _, tc := range cases {
		anon.header = http.Header{"Accept-Language": {tc.accept}}
		res := anon.get("/account/login")
		mustContain(t, res.body, `<html lang="`+tc.lang+`">`, "<h1 id=\"signin-title\">"+tc.heading+"</h1>")
	}
	anon.header = http.Header{"Accept-Language": {"zh-Hant-HK"}}
	mustContain(t, text(anon.get("/account/login").body), "讀者條碼", "密碼（PIN）", "確定", "重設", "取消", "忘記密碼？", "尚未登記？", "English")

	// The switch: a cookie, and back to the page, but never to another site.
	res := c.post("/lang", url.Values{"lang": {"zh-Hant-HK"}, "next": {"/account"}})
	if res.status != http.StatusSeeOther || res.location() != "/account" {
		t.Fatalf("switch: %d to %q", res.status, res.location())
	}
	if !strings.Contains(res.header.Get("Set-Cookie"), "lang=zh-Hant-HK") {
		t.Errorf("switch cookie: %q", res.header.Get("Set-Cookie"))
	}
	c.header = http.Header{"Accept-Language": {"en"}} // the cookie wins
	page := text(c.get("/account").body)
	mustContain(t, page, "借閱紀錄", "Chan Tai Man", "登出", "更改密碼", "續借所選項目", "全部續借", "4 天後到期", "2026年12月2日", "港幣0.00元", "學生", "繁體中文")
	for _, next := range []string{"//evil.example/", "https://evil.example/", `/\evil.example`, "account"} {
		res := c.post("/lang", url.Values{"lang": {"en"}, "next": {next}})
		if res.location() != "/" {
			t.Errorf("switch with next=%q went to %q", next, res.location())
		}
	}
	if res := c.post("/lang", url.Values{"lang": {"xx"}, "next": {"/"}}); res.status != http.StatusBadRequest {
		t.Errorf("unknown language: %d, want 400", res.status)
	}
}
