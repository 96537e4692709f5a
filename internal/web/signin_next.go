package web

import (
	"net/http"
	"net/url"
	"path"
	"strings"
)

// accountHome is where a patron goes after signing in when no other page
// of My Account was asked for.
const accountHome = "/account"

// accountNext returns next when it is a page of My Account on this site
// (a path under /account, with its query), else /account: the sign-in
// page's next parameter can send a patron nowhere else. Anything with a
// scheme or a host, a path starting "//" or holding a backslash (which
// browsers read as another site), one that leaves /account with "..", and
// the sign-in page itself are refused. A page that only takes POST gives
// the page it belongs to.
func accountNext(next string) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.ContainsRune(next, '\\') {
		return accountHome
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" {
		return accountHome
	}
	// The path is decoded, then cleaned: "/account/%2e%2e/staff" and
	// "/account/..%2fstaff" leave /account as surely as "/account/../staff".
	p := path.Clean(u.Path)
	if get, ok := getPathOf[p]; ok {
		p, u.RawQuery = get, ""
	}
	if p != accountHome && !strings.HasPrefix(p, accountHome+"/") || p == loginPath {
		return accountHome
	}
	// Escaped again, so that a decoded "/" or control character cannot
	// change how a browser reads the address.
	out := (&url.URL{Path: p}).EscapedPath()
	if u.RawQuery != "" {
		if q := u.Query().Encode(); q != "" {
			out += "?" + q
		}
	}
	return out
}

// nextParam is the query string that carries next on to the sign-in or
// Change Password page: none when next is /account, the default.
func nextParam(next string) string {
	if next = accountNext(next); next == accountHome {
		return ""
	}
	return "?next=" + url.QueryEscape(next)
}

// askedNext is the page of My Account request r asked for, to come back
// to after signing in or choosing a new PIN: a page asked for with GET;
// after a POST, /account.
func askedNext(r *http.Request) string {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return accountHome
	}
	return accountNext(r.URL.RequestURI())
}

// afterPINChange is where a patron goes after choosing a new PIN: the page
// asked for, which says the new PIN is saved (done=pin); Change Password
// itself gives the borrowing record.
func afterPINChange(next string) string {
	u, err := url.Parse(accountNext(next))
	if err != nil || u.Path == passwordPath {
		u = &url.URL{Path: accountHome}
	}
	q := u.Query()
	q.Set("done", "pin")
	u.RawQuery = q.Encode()
	return u.String()
}
