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

	"github.com/courtesyhq/courtesy/signup"
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

// view is what every page template receives: L speaks the reader's
// language.
type view struct {
	Site site
	Data any
	L    tongue
}

type fieldErrorView struct {
	L tongue
	E *signup.FieldError
}

type pages struct {
	site site
	set  map[string]*template.Template
}

func mustLoadPages(cfg Config) *pages {
	return &pages{
		site: site{Name: cfg.BusinessName, PostalAddress: cfg.PostalAddress, ReplyTo: cfg.ReplyTo},
		set: parsePages(templateFS, "templates", template.FuncMap{
			// fieldError hands a sign-up field error and the page's tongue
			// to the template that words it.
			"fieldError": func(l tongue, e *signup.FieldError) fieldErrorView { return fieldErrorView{L: l, E: e} },
		}),
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
func (p *pages) render(w http.ResponseWriter, t tongue, code int, name string, data any) {
	page, ok := p.set[name]
	if !ok {
		panic("web: no page " + name)
	}
	var buf bytes.Buffer
	if err := page.ExecuteTemplate(&buf, "layout.html", view{Site: p.site, Data: data, L: t}); err != nil {
		buf.Reset()
		code = http.StatusInternalServerError
		_ = p.set["error"].ExecuteTemplate(&buf, "layout.html", view{Site: p.site, Data: errorView(t, code), L: t})
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Language", t.Lang())
	w.WriteHeader(code)
	_, _ = w.Write(buf.Bytes())
}

func (s *Server) stylesheet(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/css; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=86400")
	_, _ = w.Write(stylesheet)
}

func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	if allow := s.allowedMethods(r); len(allow) > 0 {
		w.Header().Set("Allow", strings.Join(allow, ", "))
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	t := switchingHere(s.visitorTongue(r))
	s.pages.render(w, t, http.StatusNotFound, "error", errorPage{
		Status:  http.StatusNotFound,
		Heading: t.T("error.nothing.heading"),
		Text:    t.T("error.nothing.text"),
	})
}

// allowedMethods lists the methods a route other than the catch-all takes
// at r's path: the catch-all matches every method, so without this a PUT to
// a page would be told the page does not exist.
func (s *Server) allowedMethods(r *http.Request) []string {
	var allow []string
	for _, m := range []string{http.MethodGet, http.MethodHead, http.MethodPost} {
		if m == r.Method {
			continue
		}
		probe := r.Clone(r.Context())
		probe.Method = m
		if _, pattern := s.mux.Handler(probe); pattern != "" && pattern != "/" {
			allow = append(allow, m)
		}
	}
	return allow
}
