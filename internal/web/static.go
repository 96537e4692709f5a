package web

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net/http"
	"path"
	"strings"
)

//go:embed static/*
var staticFiles embed.FS

// contentTypes are the types of the static files Carrel ships.
var contentTypes = map[string]string{
	".css": "text/css; charset=utf-8",
	".js":  "text/javascript; charset=utf-8",
	".svg": "image/svg+xml",
	".ico": "image/x-icon",
}

// asset is one static file, served under a URL that names its content.
type asset struct {
	body        []byte
	contentType string
}

// assets maps file names to content-hashed URLs and back. A URL changes
// whenever the file does, so browsers may keep a file for a year.
type assets struct {
	urls   map[string]string // "carrel.css" → "/static/carrel.1a2b3c4d5e6f.css"
	byFile map[string]asset  // "carrel.1a2b3c4d5e6f.css" → the file
}

func loadAssets() (*assets, error) {
	a := &assets{urls: map[string]string{}, byFile: map[string]asset{}}
	entries, err := fs.ReadDir(staticFiles, "static")
	if err != nil {
		return nil, fmt.Errorf("web: static files: %w", err)
	}
	for _, e := range entries {
		name := e.Name()
		body, err := staticFiles.ReadFile("static/" + name)
		if err != nil {
			return nil, fmt.Errorf("web: static file %s: %w", name, err)
		}
		ext := path.Ext(name)
		ct, ok := contentTypes[ext]
		if !ok {
			return nil, fmt.Errorf("web: static file %s: unknown type", name)
		}
		sum := sha256.Sum256(body)
		hashed := strings.TrimSuffix(name, ext) + "." + hex.EncodeToString(sum[:6]) + ext
		a.urls[name] = "/static/" + hashed
		a.byFile[hashed] = asset{body: body, contentType: ct}
	}
	return a, nil
}

// url returns the content-hashed URL of a static file. An unknown name is
// an error, which fails the template that asked.
func (a *assets) url(name string) (string, error) {
	u, ok := a.urls[name]
	if !ok {
		return "", fmt.Errorf("web: no static file %q", name)
	}
	return u, nil
}

// static serves a static file under its hashed name.
func (s *Server) static(w http.ResponseWriter, r *http.Request) error {
	f, ok := s.assets.byFile[r.PathValue("file")]
	if !ok {
		return errNotFound
	}
	w.Header().Set("Content-Type", f.contentType)
	w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	_, _ = w.Write(f.body)
	return nil
}
