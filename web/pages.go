package web

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static/style.css
var stylesheet []byte

// site is what the layout shows on every page.
type site struct {
	Name          string
	PostalAddress string
	ReplyTo       string
}

// view is what every page template receives.
type view struct {
	Site site
	Data any
}

type pages struct {
	site site
	set  map[string]*template.Template
}

func mustLoadPages(cfg Config) *pages {
	loc := cfg.Location
	funcs := template.FuncMap{
		"date": func(t time.Time) string {
			if t.IsZero() {
				return ""
			}
			return t.In(loc).Format("2 January 2006")
		},
		"when": func(t time.Time) string {
			if t.IsZero() {
				return ""
			}
			return t.In(loc).Format("2 January 2006, 15:04 MST")
		},
		"how": how,
	}
	return &pages{
		site: site{Name: cfg.BusinessName, PostalAddress: cfg.PostalAddress, ReplyTo: cfg.ReplyTo},
		set:  parsePages(templateFS, "templates", funcs),
	}
}

// parsePages parses dir/layout.html and, for every other page in dir, a
// clone of the layout with that page's blocks in it: one template per page,
// named after its file without ".html". The templates are embedded, so an
// error is a bug in them and panics at start-up.
func parsePages(fsys fs.FS, dir string, funcs template.FuncMap) map[string]*template.Template {
	layout, err := template.New("layout.html").Funcs(funcs).ParseFS(fsys, dir+"/layout.html")
	if err != nil {
		panic(fmt.Sprintf("web: %s/layout.html: %v", dir, err))
	}
	names, err := fs.Glob(fsys, dir+"/*.html")
	if err != nil {
		panic(err)
	}
	set := map[string]*template.Template{}
	for _, n := range names {
		name := strings.TrimSuffix(path.Base(n), ".html")
		if name == "layout" {
			continue
		}
		set[name] = template.Must(template.Must(layout.Clone()).ParseFS(fsys, n))
	}
	return set
}

// render writes a page. It renders into a buffer first so a template error
// never leaves half a page behind a 200.
func (p *pages) render(w http.ResponseWriter, code int, name string, data any) {
	t, ok := p.set[name]
	if !ok {
		panic("web: no page " + name)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout.html", view{Site: p.site, Data: data}); err != nil {
		buf.Reset()
		code = http.StatusInternalServerError
		_ = p.set["error"].ExecuteTemplate(&buf, "layout.html", view{Site: p.site, Data: errorView(code)})
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(code)
	_, _ = w.Write(buf.Bytes())
}

// how says in words how a consent record came about.
func how(source string) string {
	switch source {
	case "one-click":
		return "the unsubscribe button in your email app"
	case "unsubscribe-page":
		return "our unsubscribe page"
	case "preferences":
		return "your preference page"
	case "form":
		return "a form you filled in"
	case SourceSignup:
		return "our sign-up form, confirmed from your email"
	case "import":
		return "our customer records"
	case "api":
		return "our shop system"
	case "bounce":
		return "your address bouncing our email"
	case "complaint":
		return "a spam report"
	case "admin":
		return "our staff, at your request"
	case "":
		return "a way we didn't record"
	}
	return source
}

func (s *Server) stylesheet(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/css; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=86400")
	_, _ = w.Write(stylesheet)
}

func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	s.pages.render(w, http.StatusNotFound, "error", errorPage{
		Status:  http.StatusNotFound,
		Heading: "Nothing here",
		Text:    "This address doesn't lead to a page. The links in our emails take you to the right place.",
	})
}
